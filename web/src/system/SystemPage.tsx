import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, messageOf } from "../api/client";
import { useNotify } from "../components/Notices";
import { formatDateTime } from "../lib/format";
import { href } from "../lib/router";
import { quotaText } from "../lib/schedule";
import { ScheduleForm } from "./ScheduleForm";

/** A scheduled moment with a button that cancels it (a dash when nothing is scheduled). */
function ScheduledCell(props: { at: string | null; name: string; change: "activation" | "deactivation"; onCancel: () => void }) {
  return (
    <td>
      {formatDateTime(props.at)}
      {props.at && (
        <button type="button" className="btn-link" aria-label={`Cancel the ${props.change} of ${props.name}`} onClick={props.onCancel}>
          cancel
        </button>
      )}
    </td>
  );
}

/** The system refresh schedule, scheduled activations, and the active-segment quota. */
export function SystemPage() {
  const system = useQuery({ queryKey: ["system"], queryFn: api.system, refetchInterval: 30_000 });
  const notify = useNotify();
  const client = useQueryClient();
  const cancel = async (key: string, name: string, change: "activation" | "deactivation") => {
    try {
      await api.cancelScheduled(key, change);
      notify("success", `Cancelled the scheduled ${change} of ${name}.`);
    } catch (e) {
      notify("error", `Could not cancel: ${messageOf(e)}`);
    }
    await client.invalidateQueries({ queryKey: ["system"] });
    await client.invalidateQueries({ queryKey: ["segments"] });
  };
  const s = system.data;
  const scheduled = s?.scheduled ?? [];
  return (
    <div className="page">
      <div className="page-head">
        <h1>System</h1>
      </div>
      {system.isError && (
        <p className="error" role="alert">
          Could not load the system status: {messageOf(system.error)}
        </p>
      )}
      <div className="grid-2">
        <ScheduleForm />
        <section className="panel" aria-labelledby="quota-title">
          <h2 id="quota-title">Active segments</h2>
          <p className="count-figure" data-testid="quota-count">
            {s ? quotaText(s.active_count, s.max_active_segments) : "…"}
          </p>
          {s && (
            <meter
              className="quota-meter"
              min={0}
              max={s.max_active_segments}
              high={s.max_active_segments * 0.9}
              value={s.active_count}
              aria-label="Quota used"
            />
          )}
          <p className="muted small">
            Live, active segments count against the workspace quota (<code>refresh.max_active_segments</code> in{" "}
            <code>segmint.toml</code>). Going live or activating past it is refused with the list of segments that count; a
            scheduled activation past it waits until a slot is free.
          </p>
        </section>
      </div>
      <section className="panel" aria-labelledby="activation-title">
        <h2 id="activation-title">Scheduled activation and deactivation</h2>
        {scheduled.length === 0 ? (
          <p className="muted">No segment has a scheduled activation or deactivation.</p>
        ) : (
          <table className="table compact" data-testid="scheduled-table">
            <thead>
              <tr>
                <th scope="col">Segment</th>
                <th scope="col">Now</th>
                <th scope="col">Activate at</th>
                <th scope="col">Deactivate at</th>
              </tr>
            </thead>
            <tbody>
              {scheduled.map((g) => (
                <tr key={g.key}>
                  <td>
                    <a href={href({ page: "segment", key: g.key })}>{g.name}</a>
                  </td>
                  <td>{g.active ? "active" : "inactive"}</td>
                  <ScheduledCell at={g.activate_at} name={g.name} change="activation" onCancel={() => void cancel(g.key, g.name, "activation")} />
                  <ScheduledCell at={g.deactivate_at} name={g.name} change="deactivation" onCancel={() => void cancel(g.key, g.name, "deactivation")} />
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
