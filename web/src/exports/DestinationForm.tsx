import { useState } from "react";
import type { DestinationAdded } from "./api";
import { exportsApi } from "./api";
import { FormDialog, useSubmit } from "./FormDialog";
import { SettingInput } from "./SettingInput";
import { DESTINATION_TYPES, destinationBody, type DestinationType } from "./forms";

/** Add a destination: a form per type; secret settings are write-only (never shown back). */
export function DestinationForm({ onClose, onAdded }: { onClose: () => void; onAdded: (added: DestinationAdded) => void }) {
  const [type, setType] = useState<DestinationType>("file");
  const [key, setKey] = useState("");
  const [name, setName] = useState("");
  const [idField, setIdField] = useState("");
  const [settings, setSettings] = useState<Record<string, string>>({});
  const { setErrors, failure, busy, submit, problem } = useSubmit(
    () => destinationBody({ key, name, type, idField, settings }),
    exportsApi.addDestination,
    onAdded,
  );
  return (
    <FormDialog
      title="Add a destination"
      label="Destination"
      submitLabel="Add destination"
      busyLabel="Adding…"
      busy={busy}
      failure={failure}
      onSubmit={submit}
      onClose={onClose}
    >
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
            <SettingInput spec={spec} value={settings[spec.name] ?? ""} onChange={(v) => setSettings({ ...settings, [spec.name]: v })} />
            {spec.secret && <span className="muted small">Secret: stored encrypted, never shown again.</span>}
            {spec.help && <span className="muted small">{spec.help}</span>}
            {problem(`settings.${spec.name}`)}
          </label>
        ))}
    </FormDialog>
  );
}
