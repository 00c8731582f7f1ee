import { useQuery } from "@tanstack/react-query";
import { messageOf } from "../api/client";
import { RunStatusBadge } from "../components/Badge";
import { formatDateTime } from "../lib/format";
import { exportsApi } from "./api";
import { duration } from "./forms";

const text = (value: unknown): string => (typeof value === "string" || typeof value === "number" ? String(value) : "");

/** "vips: delivered (12 rows)", "drafts: skipped (draft: only live, active segments are exported)". */
function detailLine(line: Record<string, unknown>): string {
  const rows = typeof line.rows === "number" ? `${line.rows} rows` : "";
  const why = text(line.reason) || rows;
  return `${text(line.segment)}: ${text(line.status)}${why ? ` (${why})` : ""}`;
}

/** An export's runs (rows, batches, rejects, errors, duration) and the rows refused now. */
export function ExportHistory({ exportKey }: { exportKey: string }) {
  const runs = useQuery({
    queryKey: ["export-runs", exportKey],
    queryFn: () => exportsApi.runs(exportKey),
    refetchInterval: (q) => ((q.state.data ?? []).some((r) => r.status === "queued" || r.status === "running") ? 1000 : 5000),
  });
  const rejects = useQuery({ queryKey: ["export-rejects", exportKey], queryFn: () => exportsApi.rejects(exportKey), refetchInterval: 5000 });
  return (
    <div className="export-history">
      <h3>Run history</h3>
      {runs.isError && <p className="error-text">{messageOf(runs.error)}</p>}
      {runs.data && runs.data.length === 0 && <p className="muted">No runs yet.</p>}
      {runs.data && runs.data.length > 0 && (
        <table className="table compact" aria-label={`Runs of ${exportKey}`}>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Trigger</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
              <th scope="col" className="num">Rows</th>
              <th scope="col" className="num">Batches</th>
              <th scope="col" className="num">Rejects</th>
              <th scope="col" className="num">Errors</th>
              <th scope="col">Segments</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.map((r) => (
              <tr key={r.id} data-export-run={r.id}>
                <td>#{r.id}</td>
                <td>{r.trigger}</td>
                <td>
                  <RunStatusBadge status={r.status} />
                  {r.error && <div className="error-text small">{r.error}</div>}
                </td>
                <td className="nowrap">{formatDateTime(r.started_at ?? r.created_at)}</td>
                <td className="nowrap">{duration(r.seconds)}</td>
                <td className="num">{r.rows}</td>
                <td className="num">{r.batches}</td>
                <td className="num">{r.rejects}</td>
                <td className="num">{r.errors}</td>
                <td className="small">
                  {r.detail.map((line, i) => (
                    <div key={i}>{detailLine(line)}</div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Rejected rows</h3>
      {rejects.data && rejects.data.length === 0 && <p className="muted">None: the destination took every row.</p>}
      {rejects.data && rejects.data.length > 0 && (
        <table className="table compact" aria-label={`Rejected rows of ${exportKey}`}>
          <thead>
            <tr>
              <th scope="col">Segment</th>
              <th scope="col">Profile</th>
              <th scope="col">Change</th>
              <th scope="col">Reason</th>
              <th scope="col">Run</th>
            </tr>
          </thead>
          <tbody>
            {rejects.data.map((x) => (
              <tr key={`${x.segment}|${x.profile}`}>
                <td>{x.segment}</td>
                <td>{x.profile}</td>
                <td>{x.action}</td>
                <td>{x.reason}</td>
                <td>#{x.run_id}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rejects.data && rejects.data.length > 0 && <p className="muted small">They are sent again with the next delivery.</p>}
    </div>
  );
}
