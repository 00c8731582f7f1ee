import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { messageOf } from "../api/client";
import { Badge, RunStatusBadge } from "../components/Badge";
import { Modal } from "../components/Modal";
import { useNotify } from "../components/Notices";
import { formatDateTime } from "../lib/format";
import { href } from "../lib/router";
import { refetchEvery } from "./forms";
import { exportsApi, type DestinationAdded, type DestinationSummary } from "./api";
import { DestinationForm } from "./DestinationForm";
import { SecretOnce } from "./SecretOnce";
import "./exports.css";

function RemoveDialog({ destination, onClose, onRemoved }: { destination: DestinationSummary; onClose: () => void; onRemoved: () => void }) {
  const [failure, setFailure] = useState<string | null>(null);
  const remove = async () => {
    try {
      await exportsApi.removeDestination(destination.key);
      onRemoved();
    } catch (e) {
      setFailure(messageOf(e));
    }
  };
  return (
    <Modal
      title={`Remove ${destination.name}?`}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Keep it
          </button>
          <button type="button" className="btn btn-danger" onClick={() => void remove()}>
            Remove destination
          </button>
        </>
      }
    >
      <p>What the destination received stays there. A destination used by exports cannot be removed: delete them first (on its page or the Exports page).</p>
      {destination.exports.length > 0 && <p className="muted">Used by: {destination.exports.join(", ")}</p>}
      {failure && (
        <p className="error-text" role="alert">
          {failure}
        </p>
      )}
    </Modal>
  );
}

function TestResult({ result }: { result: { ok: boolean; message: string } | undefined }) {
  if (!result) return null;
  return (
    <p className={result.ok ? "small" : "error-text small"} role="status">
      {result.message}
    </p>
  );
}

/** Every destination: type, name, ID mapping, segments received, last run; add, test, remove. */
export function DestinationsPage() {
  const notify = useNotify();
  const client = useQueryClient();
  const list = useQuery({ queryKey: ["destinations"], queryFn: exportsApi.destinations, refetchInterval: (q) => refetchEvery(q.state.data) });
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<DestinationSummary | null>(null);
  const [secret, setSecret] = useState<DestinationAdded | null>(null);
  const [tests, setTests] = useState<Record<string, { ok: boolean; message: string }>>({});

  const test = async (key: string) => {
    setTests((t) => ({ ...t, [key]: { ok: true, message: "Testing…" } }));
    try {
      const result = await exportsApi.testDestination(key);
      setTests((t) => ({ ...t, [key]: result }));
    } catch (e) {
      setTests((t) => ({ ...t, [key]: { ok: false, message: messageOf(e) } }));
    }
  };
  const refresh = () => void client.invalidateQueries({ queryKey: ["destinations"] });
  return (
    <div className="page">
      <div className="page-head">
        <h1>Destinations</h1>
        <span className="spacer" />
        <a className="btn" href={href({ page: "exports" })}>
          Exports
        </a>
        <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>
          Add destination
        </button>
      </div>
      <p className="muted">Where exports send segments: files, a database, a webhook, another Segmint. Secrets are never shown back.</p>
      {list.isError && <p className="error-text">{messageOf(list.error)}</p>}
      {list.data && list.data.length === 0 && <p>No destinations yet.</p>}
      {list.data && list.data.length > 0 && (
        <table className="table" aria-label="Destinations">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">ID mapping</th>
              <th scope="col">Segments received</th>
              <th scope="col">Last run</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((d) => (
              <tr key={d.key} data-destination={d.key}>
                <td>
                  <a href={href({ page: "destination", key: d.key })}>{d.name}</a>
                  <div className="muted small">{d.key}</div>
                </td>
                <td>
                  <Badge>{d.type}</Badge>
                </td>
                <td>{d.id_field || <span className="muted">(the audience key)</span>}</td>
                <td>
                  {d.segments.length === 0 ? (
                    <span className="muted">none</span>
                  ) : (
                    d.segments.map((s, i) => (
                      <span key={s}>
                        {i > 0 && ", "}
                        <a href={href({ page: "segment", key: s })}>{s}</a>
                      </span>
                    ))
                  )}
                </td>
                <td>
                  {d.last_run ? (
                    <>
                      <RunStatusBadge status={d.last_run.status} />
                      <div className="muted small">{formatDateTime(d.last_run.finished_at ?? d.last_run.created_at)}</div>
                    </>
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
                <td>
                  <div className="button-row">
                    <button type="button" className="btn btn-small" onClick={() => void test(d.key)}>
                      Test connection
                    </button>
                    <button type="button" className="btn btn-small btn-danger" onClick={() => setRemoving(d)}>
                      Remove
                    </button>
                  </div>
                  <TestResult result={tests[d.key]} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {adding && (
        <DestinationForm
          onClose={() => setAdding(false)}
          onAdded={(added) => {
            setAdding(false);
            refresh();
            notify("success", `Added destination ${added.name}`);
            if (added.generated_secret) setSecret(added);
          }}
        />
      )}
      {secret?.generated_secret && (
        <SecretOnce title="The webhook's signing secret" secret={secret.generated_secret} onClose={() => setSecret(null)} />
      )}
      {removing && (
        <RemoveDialog
          destination={removing}
          onClose={() => setRemoving(null)}
          onRemoved={() => {
            notify("success", `Removed destination ${removing.name}`);
            setRemoving(null);
            refresh();
          }}
        />
      )}
    </div>
  );
}
