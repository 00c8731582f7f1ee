import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { RunStatusBadge } from "../components/Badge";
import { formatDateTime, formatNumber, formatSeconds } from "../lib/format";

/** Each refresh of the segment: when, how long, sizes, status, error. */
interface Props {
  segmentKey: string;
  version: number | null;
  lastRefreshed: string | null;
}

export function HistoryTable({ segmentKey, version, lastRefreshed }: Props) {
  const history = useQuery({ queryKey: ["segment", segmentKey, "history", version, lastRefreshed], queryFn: () => api.history(segmentKey) });
  const items = history.data ?? [];
  return (
    <section className="panel" aria-labelledby="history-title">
      <h2 id="history-title">Processing history</h2>
      {items.length === 0 ? (
        <p className="muted">Never refreshed.</p>
      ) : (
        <div className="table-wrap scroll-y">
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Started</th>
                <th scope="col">Took</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">Members</th>
                <th scope="col" className="num">+ / −</th>
              </tr>
            </thead>
            <tbody>
              {items.map((h) => (
                <tr key={h.run_id}>
                  <td>
                    #{h.run_id} <span className="muted small">{h.kind}</span>
                  </td>
                  <td>{formatDateTime(h.started_at)}</td>
                  <td className="nowrap">{formatSeconds(h.seconds)}</td>
                  <td>
                    <RunStatusBadge status={h.status} />
                    {h.error && (
                      <details className="error-detail">
                        <summary>error</summary>
                        <pre>{h.error}</pre>
                      </details>
                    )}
                  </td>
                  <td className="num">{formatNumber(h.members)}</td>
                  <td className="num">
                    {h.entered === null ? "—" : `+${formatNumber(h.entered)} / −${formatNumber(h.exited)}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
