import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, messageOf, type ScheduleOut } from "../api/client";
import { useNotify } from "../components/Notices";
import { formatDateTime } from "../lib/format";

function Editor({ current }: { current: ScheduleOut }) {
  const [cron, setCron] = useState(current.cron ?? "0 3 * * *");
  const [timezone, setTimezone] = useState(current.timezone ?? "UTC");
  const [enabled, setEnabled] = useState(current.cron === null ? true : current.enabled);
  const [error, setError] = useState<string | null>(null);
  const notify = useNotify();
  const client = useQueryClient();
  const zones = [...new Set([...Intl.supportedValuesOf("timeZone"), "UTC", timezone])].sort();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const saved = await api.putSchedule({ cron: cron.trim(), timezone, enabled });
      client.setQueryData(["schedule"], saved);
      notify("success", "Refresh schedule saved.");
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <form className="form" onSubmit={(e) => void submit(e)}>
      <label>
        Cron expression
        <input value={cron} onChange={(e) => setCron(e.target.value)} aria-describedby="cron-help" required />
        <span id="cron-help" className="muted small">
          minute hour day-of-month month day-of-week, e.g. <code>0 3 * * *</code> every day at 03:00
        </span>
      </label>
      <label>
        Time zone
        <select value={timezone} onChange={(e) => setTimezone(e.target.value)}>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </label>
      <label className="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Enabled
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button type="submit" className="btn btn-primary">
          Save schedule
        </button>
      </div>
    </form>
  );
}

/** The system refresh cadence: a cron expression in a time zone, and its next fire times. */
export function ScheduleForm() {
  const schedule = useQuery({ queryKey: ["schedule"], queryFn: api.schedule });
  const s = schedule.data;
  return (
    <section className="panel" aria-labelledby="schedule-title">
      <h2 id="schedule-title">Refresh schedule</h2>
      <p className="muted small">
        Each fire time refreshes every live, active dynamic and compound segment. Static segments are refreshed by hand.
      </p>
      {schedule.isError && <p className="error">Could not load the schedule: {messageOf(schedule.error)}</p>}
      {s && (
        <>
          <p>
            {s.cron === null
              ? "No schedule is set."
              : `${s.enabled ? "Runs" : "Disabled:"} “${s.cron}” in ${s.timezone ?? "UTC"}.`}
          </p>
          {s.next.length > 0 && (
            <>
              <h3>Next refreshes</h3>
              <ol data-testid="next-fires">
                {s.next.map((t) => (
                  <li key={t}>{formatDateTime(t)}</li>
                ))}
              </ol>
            </>
          )}
          <Editor key={`${s.cron ?? ""}|${s.timezone ?? ""}|${String(s.enabled)}`} current={s} />
        </>
      )}
    </section>
  );
}
