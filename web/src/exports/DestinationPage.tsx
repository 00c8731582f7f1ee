import { useQuery } from "@tanstack/react-query";
import { messageOf } from "../api/client";
import { Badge } from "../components/Badge";
import { formatDateTime } from "../lib/format";
import { href } from "../lib/router";
import { refetchEvery } from "./forms";
import { exportsApi } from "./api";
import { ExportsTable } from "./ExportsTable";
import "./exports.css";

/** One destination: its settings (secrets masked), its exports and the segments it receives. */
export function DestinationPage({ destinationKey }: { destinationKey: string }) {
  const destination = useQuery({ queryKey: ["destination", destinationKey], queryFn: () => exportsApi.destination(destinationKey) });
  const using = useQuery({
    queryKey: ["exports", { destination: destinationKey }],
    queryFn: () => exportsApi.exports({ destination: destinationKey }),
    refetchInterval: (q) => refetchEvery(q.state.data),
  });
  if (destination.isError) {
    return (
      <div className="page">
        <h1>Destination</h1>
        <p className="error-text">{messageOf(destination.error)}</p>
        <a href={href({ page: "destinations" })}>All destinations</a>
      </div>
    );
  }
  const d = destination.data;
  if (!d) return <p className="muted">Loading…</p>;
  return (
    <div className="page">
      <p className="breadcrumb">
        <a href={href({ page: "destinations" })}>Destinations</a> / {d.key}
      </p>
      <div className="page-head">
        <h1>{d.name}</h1>
        <Badge>{d.type}</Badge>
      </div>
      <section className="panel" aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        <dl className="facts">
          <dt>ID mapping</dt>
          <dd>{d.id_field || "(the audience's key)"}</dd>
          {Object.entries(d.settings).map(([name, value]) => (
            <div key={name} className="fact">
              <dt>{name}</dt>
              <dd>{String(value)}</dd>
            </div>
          ))}
          <dt>Changed</dt>
          <dd>
            {formatDateTime(d.updated_at)} by {d.updated_by}
          </dd>
        </dl>
        <p className="muted small">Secrets are masked; change them with `segmint destination edit`.</p>
      </section>
      <section className="panel" aria-labelledby="segments-title">
        <h2 id="segments-title">Segments it receives</h2>
        {d.segments.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <ul className="plain-list">
            {d.segments.map((s) => (
              <li key={s}>
                <a href={href({ page: "segment", key: s })}>{s}</a>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="panel" aria-labelledby="exports-title">
        <h2 id="exports-title">Exports</h2>
        {using.data && <ExportsTable exports={using.data} />}
      </section>
    </div>
  );
}
