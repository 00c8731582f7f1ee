import { useState } from "react";
import { messageOf } from "../api/client";
import { Modal } from "../components/Modal";
import type { DestinationAdded } from "./api";
import { exportsApi } from "./api";
import { DESTINATION_TYPES, destinationBody, type DestinationType } from "./forms";

/** Add a destination: a form per type; secret settings are write-only (never shown back). */
export function DestinationForm({ onClose, onAdded }: { onClose: () => void; onAdded: (added: DestinationAdded) => void }) {
  const [type, setType] = useState<DestinationType>("file");
  const [key, setKey] = useState("");
  const [name, setName] = useState("");
  const [idField, setIdField] = useState("");
  const [settings, setSettings] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const result = destinationBody({ key, name, type, idField, settings });
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      onAdded(await exportsApi.addDestination(result.body));
    } catch (e) {
      setFailure(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const problem = (field: string) => errors[field] && <span className="field-problem">{errors[field]}</span>;
  return (
    <Modal
      title="Add a destination"
      onClose={onClose}
      wide
      actions={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void submit()}>
            {busy ? "Adding…" : "Add destination"}
          </button>
        </>
      }
    >
      <form className="form" onSubmit={(e) => e.preventDefault()} aria-label="Destination">
        <label>
          Type
          <select
            value={type}
            onChange={(e) => {
              setType(e.target.value as DestinationType);
              setSettings({});
              setErrors({});
            }}
          >
            {Object.entries(DESTINATION_TYPES).map(([t, spec]) => (
              <option key={t} value={t}>
                {spec.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Key
          <input value={key} onChange={(e) => setKey(e.target.value)} placeholder="crm-files" autoComplete="off" />
          {problem("key")}
        </label>
        <label>
          Display name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="(the key)" />
        </label>
        <label>
          ID mapping: the field identifying a customer there
          <input value={idField} onChange={(e) => setIdField(e.target.value)} placeholder="(the audience's key)" />
        </label>
        {DESTINATION_TYPES[type].settings.map((spec) => (
          <label key={`${type}.${spec.name}`}>
            {spec.label}
            {spec.required ? " *" : ""}
            {spec.kind === "choice" ? (
              <select value={settings[spec.name] ?? ""} onChange={(e) => setSettings({ ...settings, [spec.name]: e.target.value })}>
                <option value="">(default: {spec.choices?.[0]})</option>
                {spec.choices?.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            ) : (
              <input
                type={spec.secret ? "password" : spec.kind === "number" ? "number" : "text"}
                autoComplete={spec.secret ? "new-password" : "off"}
                value={settings[spec.name] ?? ""}
                placeholder={spec.placeholder}
                onChange={(e) => setSettings({ ...settings, [spec.name]: e.target.value })}
              />
            )}
            {spec.secret && <span className="muted small">Secret: stored encrypted, never shown again.</span>}
            {spec.help && <span className="muted small">{spec.help}</span>}
            {problem(`settings.${spec.name}`)}
          </label>
        ))}
        {failure && (
          <p className="error-text" role="alert">
            {failure}
          </p>
        )}
      </form>
    </Modal>
  );
}
