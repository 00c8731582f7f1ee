import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { messageOf } from "../api/client";
import { Badge } from "../components/Badge";
import { useNotify } from "../components/Notices";
import { formatDateTime } from "../lib/format";
import { href } from "../lib/router";
import { refetchEvery } from "./forms";
import { exportsApi, type DestinationEdited } from "./api";
import { EditDestination } from "./EditDestination";
import { SecretOnce } from "./SecretOnce";
import { ExportsTable } from "./ExportsTable";
import "./exports.css";

/** One destination: its settings (secrets masked), its exports and the segments it receives. */
export function DestinationPage({ destinationKey }: { destinationKey: string }) {
  const notify = useNotify();
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
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
        <span className="spacer" />
        <button type="button" className="btn" onClick={() => setEditing(true)}>
          Edit
        </button>
      </div>
      <section className="panel" aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        <dl className="facts">
          <dt>ID mapping</dt>
          <dd>{d.id_field || "(the audience's key)"}</dd>
          {Object.entries(d.settings).map(([name, value]) => (
            <Fragment key={name}>
              <dt>{name}</dt>
              <dd>{String(value)}</dd>
            </Fragment>
          ))}
          <dt>Changed</dt>
          <dd>
            {formatDateTime(d.updated_at)} by {d.updated_by}
          </dd>
        </dl>
        <p className="muted small">Secrets are masked: they are never shown back. Edit replaces them.</p>
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
      {editing && (
        <EditDestination
          destination={d}
          onClose={() => setEditing(false)}
          onSaved={(edited: DestinationEdited) => {
            setEditing(false);
            notify("success", edited.changed.length ? `Changed ${edited.changed.join(", ")}` : "Nothing changed");
            if (edited.generated_secret) setSecret(edited.generated_secret);
            void client.invalidateQueries({ queryKey: ["destination", destinationKey] });
            void client.invalidateQueries({ queryKey: ["destinations"] });
          }}
        />
      )}
      {secret && <SecretOnce title="The new signing secret" secret={secret} onClose={() => setSecret(null)} />}
    </div>
  );
}
