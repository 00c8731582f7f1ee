import { useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { messageOf } from "../api/client";
import { Badge, RunStatusBadge } from "../components/Badge";
import { Modal } from "../components/Modal";
import { useNotify } from "../components/Notices";
import { formatDateTime } from "../lib/format";
import { href } from "../lib/router";
import { exportsApi, type ExportSummary } from "./api";
import { ExportHistory } from "./ExportHistory";

/** Exports with their destination, segments and last run; run one now, open its history. */
export function ExportsTable({ exports, showSegments = true }: { exports: ExportSummary[]; showSegments?: boolean }) {
  const notify = useNotify();
  const client = useQueryClient();
  const [open, setOpen] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<ExportSummary | null>(null);
  const run = async (key: string) => {
    try {
      const queued = await exportsApi.runExport(key);
      notify("info", `Export ${key}: run #${queued.id} started`);
      setOpen(key);
    } catch (e) {
      notify("error", `Could not run ${key}: ${messageOf(e)}`);
    }
    void client.invalidateQueries({ queryKey: ["export-runs", key] });
    void client.invalidateQueries({ queryKey: ["exports"] });
  };
  const remove = async (key: string) => {
    try {
      await exportsApi.deleteExport(key);
      notify("success", `Deleted export ${key}`);
    } catch (e) {
      notify("error", `Could not delete ${key}: ${messageOf(e)}`);
    }
    setDeleting(null);
    void client.invalidateQueries({ queryKey: ["exports"] });
    void client.invalidateQueries({ queryKey: ["destinations"] });
    void client.invalidateQueries({ queryKey: ["destination"] });
  };
  if (exports.length === 0) return <p className="muted">No exports.</p>;
  const columns = showSegments ? 6 : 5;
  return (
    <>
      <table className="table" aria-label="Exports">
        <thead>
          <tr>
            <th scope="col">Export</th>
            <th scope="col">Destination</th>
            {showSegments && <th scope="col">Segments</th>}
            <th scope="col">Fields</th>
            <th scope="col">Last run</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {exports.map((e) => (
            <Fragment key={e.key}>
              <tr data-export={e.key}>
                <td>
                  {e.name}
                  <div className="muted small">{e.key}</div>
                </td>
                <td>
                  <a href={href({ page: "destination", key: e.destination })}>{e.destination}</a> <Badge>{e.destination_type}</Badge>
                </td>
                {showSegments && (
                  <td>
                    {e.segments.map((s, i) => (
                      <span key={s}>
                        {i > 0 && ", "}
                        <a href={href({ page: "segment", key: s })}>{s}</a>
                      </span>
                    ))}
                  </td>
                )}
                <td className="small">
                  {Object.keys(e.fields).length === 0
                    ? "ID only"
                    : Object.entries(e.fields)
                        .map(([name, path]) => (name === path ? name : `${name} ← ${path}`))
                        .join(", ")}
                </td>
                <td>
                  {e.last_run ? (
                    <>
                      <RunStatusBadge status={e.last_run.status} />
                      <div className="muted small">
                        #{e.last_run.id} {e.last_run.trigger} · {formatDateTime(e.last_run.finished_at ?? e.last_run.created_at)}
                      </div>
                      {e.last_run.error && <div className="error-text small">{e.last_run.error}</div>}
                    </>
                  ) : (
                    <span className="muted">never run</span>
                  )}
                </td>
                <td>
                  <div className="button-row">
                    <button type="button" className="btn btn-small" onClick={() => void run(e.key)}>
                      Run now
                    </button>
                    <button type="button" className="btn btn-small" aria-expanded={open === e.key} onClick={() => setOpen(open === e.key ? null : e.key)}>
                      {open === e.key ? "Hide history" : "History"}
                    </button>
                    <button type="button" className="btn btn-small btn-danger" onClick={() => setDeleting(e)}>
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
              {open === e.key && (
                <tr className="export-history-row">
                  <td colSpan={columns}>
                    <ExportHistory exportKey={e.key} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
      {deleting && (
        <Modal
          title={`Delete export ${deleting.name}?`}
          onClose={() => setDeleting(null)}
          actions={
            <>
              <button type="button" className="btn" onClick={() => setDeleting(null)}>
                Keep it
              </button>
              <button type="button" className="btn btn-danger" onClick={() => void remove(deleting.key)}>
                Delete export
              </button>
            </>
          }
        >
          <p>Its run history goes with it. What {deleting.destination} received stays there; its segments are no longer sent.</p>
        </Modal>
      )}
    </>
  );
}
