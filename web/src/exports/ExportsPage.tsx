import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { messageOf } from "../api/client";
import { useNotify } from "../components/Notices";
import { href } from "../lib/router";
import { refetchEvery } from "./forms";
import { exportsApi } from "./api";
import { ExportForm } from "./ExportForm";
import { ExportsTable } from "./ExportsTable";
import "./exports.css";

/** Every export: create one, run one now or all ("export all now"), follow their runs. */
export function ExportsPage() {
  const notify = useNotify();
  const client = useQueryClient();
  const list = useQuery({ queryKey: ["exports", {}], queryFn: () => exportsApi.exports(), refetchInterval: (q) => refetchEvery(q.state.data) });
  const [creating, setCreating] = useState(false);
  const runAll = async () => {
    try {
      const runs = await exportsApi.runAll();
      notify("info", `Started ${runs.length} export run${runs.length === 1 ? "" : "s"}`);
    } catch (e) {
      notify("error", `Could not export: ${messageOf(e)}`);
    }
    void client.invalidateQueries({ queryKey: ["exports"] });
  };
  return (
    <div className="page">
      <div className="page-head">
        <h1>Exports</h1>
        <span className="spacer" />
        <a className="btn" href={href({ page: "destinations" })}>
          Destinations
        </a>
        <button type="button" className="btn" disabled={!list.data?.length} onClick={() => void runAll()}>
          Export all now
        </button>
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
          Create export
        </button>
      </div>
      <p className="muted">
        An export sends segments to a destination after each refresh of its segments (in the background) and when asked. Every run is recorded.
      </p>
      {list.isError && <p className="error-text">{messageOf(list.error)}</p>}
      {list.data && <ExportsTable exports={list.data} />}
      {creating && (
        <ExportForm
          onClose={() => setCreating(false)}
          onCreated={(key) => {
            setCreating(false);
            notify("success", `Created export ${key}`);
            void client.invalidateQueries({ queryKey: ["exports"] });
            void client.invalidateQueries({ queryKey: ["destinations"] });
          }}
        />
      )}
    </div>
  );
}
