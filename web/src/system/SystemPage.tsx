import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { formatDateTime } from "../lib/format";
import { href } from "../lib/router";
import { ScheduleForm } from "./ScheduleForm";

/** The system refresh schedule, scheduled activations, and the active-segment quota. */
export function SystemPage() {
  const segments = useQuery({ queryKey: ["segments", "all"], queryFn: () => api.segments() });
  const all = segments.data ?? [];
  const scheduled = all.filter((s) => s.activate_at || s.deactivate_at);
  const liveActive = all.filter((s) => s.state === "live" && s.active).length;
  return (
    <div className="page">
      <div className="page-head">
        <h1>System</h1>
      </div>
      <div className="grid-2">
        <ScheduleForm />
        <section className="panel" aria-labelledby="quota-title">
          <h2 id="quota-title">Active segments</h2>
          <p className="count-figure" data-testid="quota-count">
            {segments.data ? liveActive : "…"} <span className="muted">live and active</span>
          </p>
          <p className="muted small">
            Live, active segments count against the workspace quota (<code>refresh.max_active_segments</code>, 500 by
            default). The API does not report the configured quota, so it is not shown here; going live or activating
            past it is refused with the list of segments that count.
          </p>
        </section>
      </div>
      <section className="panel" aria-labelledby="activation-title">
        <h2 id="activation-title">Scheduled activation and deactivation</h2>
        {scheduled.length === 0 ? (
          <p className="muted">No segment has a scheduled activation or deactivation.</p>
        ) : (
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">Segment</th>
                <th scope="col">Now</th>
                <th scope="col">Activate at</th>
                <th scope="col">Deactivate at</th>
              </tr>
            </thead>
            <tbody>
              {scheduled.map((s) => (
                <tr key={s.key}>
                  <td>
                    <a href={href({ page: "segment", key: s.key })}>{s.name}</a>
                  </td>
                  <td>{s.active ? "active" : "inactive"}</td>
                  <td>{formatDateTime(s.activate_at)}</td>
                  <td>{formatDateTime(s.deactivate_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
