import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { api, messageOf } from "../api/client";
import { formatDate, formatDateTime, formatNumber } from "../lib/format";
import { RANGES, sinceFor, type RangeId } from "./trendRange";

/** Member count per stored version over a chosen time range; hover shows each point. */
export function TrendChart({ segmentKey, version }: { segmentKey: string; version: number | null }) {
  const [range, setRange] = useState<RangeId>("30d");
  const trend = useQuery({
    queryKey: ["segment", segmentKey, "trend", range, version],
    queryFn: () => api.trend(segmentKey, sinceFor(range, new Date())),
  });
  const points = (trend.data ?? []).map((p) => ({ ...p, t: Date.parse(p.at) }));
  return (
    <section className="panel" aria-labelledby="trend-title">
      <div className="panel-head">
        <h2 id="trend-title">Member count trend</h2>
        <label className="inline">
          <span className="visually-hidden">Time range</span>
          <select value={range} onChange={(e) => setRange(e.target.value as RangeId)}>
            {RANGES.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {trend.isError && <p className="error">Could not load the trend: {messageOf(trend.error)}</p>}
      <p className="muted small" data-testid="trend-count" data-points={points.length}>
        {points.length} version{points.length === 1 ? "" : "s"} in this range
      </p>
      {points.length > 0 ? (
        <div className="chart" aria-hidden="true">
          <ResponsiveContainer width="100%" height={240}>
            <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
              <XAxis
                dataKey="t"
                type="number"
                scale="time"
                domain={["dataMin", "dataMax"]}
                tickFormatter={(t: number) => formatDate(new Date(t).toISOString())}
                padding={{ left: 20, right: 20 }}
              />
              <YAxis allowDecimals={false} width={56} tickFormatter={(v: number) => formatNumber(v)} />
              <Tooltip
                labelFormatter={(t) => formatDateTime(new Date(Number(t)).toISOString())}
                formatter={(value, name) => [formatNumber(Number(value)), String(name)]}
              />
              <Legend verticalAlign="top" height={24} />
              <Line type="monotone" dataKey="members" name="members" stroke="#2563eb" strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
              <Line type="monotone" dataKey="entered" name="entered" stroke="#16a34a" strokeWidth={1} dot={false} isAnimationActive={false} />
              <Line type="monotone" dataKey="exited" name="exited" stroke="#dc2626" strokeWidth={1} dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      ) : (
        !trend.isPending && <p className="muted">No versions in this range yet: the segment has not been refreshed in it.</p>
      )}
      <details>
        <summary>Show as a table</summary>
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">Refreshed</th>
              <th scope="col">Version</th>
              <th scope="col" className="num">Members</th>
              <th scope="col" className="num">Entered</th>
              <th scope="col" className="num">Exited</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.version}>
                <td>{formatDateTime(p.at)}</td>
                <td>{p.version}</td>
                <td className="num">{formatNumber(p.members)}</td>
                <td className="num">{formatNumber(p.entered)}</td>
                <td className="num">{formatNumber(p.exited)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
