import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, messageOf, type RunOut } from "../api/client";
import { RunStatusBadge } from "../components/Badge";
import { useNotify } from "../components/Notices";
import { formatDateTime, formatSeconds } from "../lib/format";
import { href } from "../lib/router";
import { isActive } from "./useActiveRuns";

function RunTasks({ run }: { run: RunOut }) {
  return (
    <table className="table compact">
      <thead>
        <tr>
          <th scope="col">Segment</th>
          <th scope="col">Status</th>
          <th scope="col">Took</th>
          <th scope="col" className="num">Members</th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        {run.tasks.map((t) => (
          <tr key={t.segment}>
            <td>
              <a href={href({ page: "segment", key: t.segment })}>{t.segment}</a>
              {t.depends_on.length > 0 && <div className="muted small">after {t.depends_on.join(", ")}</div>}
            </td>
            <td>
              <RunStatusBadge status={t.status} />
            </td>
            <td className="nowrap">{formatSeconds(t.seconds)}</td>
            <td className="num">{t.members ?? "—"}</td>
            <td>{t.error ? <pre className="error-text">{t.error}</pre> : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RunCard({ run, onCancel }: { run: RunOut; onCancel: (id: number) => void }) {
  const active = isActive(run);
  const [open, setOpen] = useState(active || run.status === "failed");
  return (
    <li className={`run-card run-${run.status}`} data-run-id={run.id}>
      <div className="run-head">
        <button type="button" className="btn-link" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? "▾" : "▸"} Run #{run.id}
        </button>
        <RunStatusBadge status={run.status} />
        <span className="muted small">
          {run.kind} by {run.requested_by} · {formatDateTime(run.created_at)}
        </span>
        <progress max={Math.max(run.total, 1)} value={run.done} aria-label={`Run ${run.id} progress`} />
        <span className="small">
          {run.done}/{run.total} tasks
        </span>
        {active && (
          <button type="button" className="btn btn-small btn-danger" disabled={run.cancel_requested} onClick={() => onCancel(run.id)}>
            {run.cancel_requested ? "Cancelling…" : "Cancel run"}
          </button>
        )}
      </div>
      {run.error && <p className="error-text">{run.error}</p>}
      {open && <RunTasks run={run} />}
    </li>
  );
}

/** Running and recent refresh runs with their tasks; running ones can be cancelled. */
export function RunsPage() {
  const notify = useNotify();
  const client = useQueryClient();
  const runs = useQuery({
    queryKey: ["runs"],
    queryFn: () => api.runs(30),
    refetchInterval: (q) => ((q.state.data ?? []).some(isActive) ? 1000 : 5000),
  });
  const cancel = async (id: number) => {
    try {
      await api.cancelRun(id);
      notify("info", `Cancelling run #${id}: queued tasks stop now, running ones are interrupted.`);
      await client.invalidateQueries({ queryKey: ["runs"] });
    } catch (e) {
      notify("error", `Could not cancel run #${id}: ${messageOf(e)}`);
    }
  };
  const list = runs.data ?? [];
  const active = list.filter(isActive);
  const recent = list.filter((r) => !isActive(r));
  return (
    <div className="page">
      <div className="page-head">
        <h1>Refresh runs</h1>
      </div>
      {runs.isError && <p className="error">Could not load runs: {messageOf(runs.error)}</p>}
      <section aria-labelledby="active-runs">
        <h2 id="active-runs">In progress</h2>
        {active.length === 0 ? <p className="muted">Nothing is refreshing.</p> : null}
        <ul className="runs">
          {active.map((r) => (
            <RunCard key={r.id} run={r} onCancel={(id) => void cancel(id)} />
          ))}
        </ul>
      </section>
      <section aria-labelledby="recent-runs">
        <h2 id="recent-runs">Recent</h2>
        <ul className="runs">
          {recent.map((r) => (
            <RunCard key={r.id} run={r} onCancel={(id) => void cancel(id)} />
          ))}
        </ul>
      </section>
    </div>
  );
}
