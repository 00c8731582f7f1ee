import { useState } from "react";
import type { DestinationDetail, DestinationEdited } from "./api";
import { exportsApi } from "./api";
import { FormDialog, useSubmit } from "./FormDialog";
import { SettingInput } from "./SettingInput";
import { DESTINATION_TYPES, destinationPatch, type DestinationType } from "./forms";

/** Change a destination: name, ID mapping, settings; rotate a secret by typing a new one
 * (the old one is never shown) or, for a webhook, by generating one. */
export function EditDestination({
  destination,
  onClose,
  onSaved,
}: {
  destination: DestinationDetail;
  onClose: () => void;
  onSaved: (edited: DestinationEdited) => void;
}) {
  const type = destination.type as DestinationType;
  const specs = DESTINATION_TYPES[type].settings;
  const [name, setName] = useState(destination.name);
  const [idField, setIdField] = useState(destination.id_field);
  const [settings, setSettings] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      specs.map((spec) => {
        const value = destination.settings[spec.name];
        const shown = typeof value === "string" || typeof value === "number" ? String(value) : "";
        return [spec.name, spec.secret ? "" : shown];
      }),
    ),
  );
  const [newSecret, setNewSecret] = useState(false);
  const { failure, busy, submit, problem } = useSubmit(
    () => destinationPatch(type, destination, { name, idField, settings, newSecret }),
    (body) => exportsApi.editDestination(destination.key, body),
    onSaved,
  );
  return (
    <FormDialog
      title={`Edit ${destination.name}`}
      label="Edit destination"
      submitLabel="Save changes"
      busyLabel="Saving…"
      busy={busy}
      failure={failure}
      onSubmit={submit}
      onClose={onClose}
    >
      <p className="muted small">
        Changing where members go or how they are identified (URL, path, table, mode, database, ID mapping) makes the next delivery of every segment a full
        snapshot.
      </p>
      <label>
        Display name
        <input value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        ID mapping: the field identifying a customer there
        <input value={idField} onChange={(e) => setIdField(e.target.value)} placeholder="(the audience's key)" />
      </label>
      {specs.map((spec) => (
        <label key={spec.name}>
          {spec.secret ? `New ${spec.label.toLowerCase()}` : spec.label}
          <SettingInput spec={spec} value={settings[spec.name] ?? ""} placeholder={spec.secret ? "(unchanged: the current one is kept)" : spec.placeholder} onChange={(v) => setSettings({ ...settings, [spec.name]: v })} />
          {spec.secret && <span className="muted small">Typing one replaces the current secret; neither is ever shown.</span>}
          {problem(`settings.${spec.name}`)}
        </label>
      ))}
      {type === "webhook" && (
        <label className="check">
          <input type="checkbox" checked={newSecret} onChange={(e) => setNewSecret(e.target.checked)} />
          Generate a new signing secret (shown once; give it to the receiver)
        </label>
      )}
    </FormDialog>
  );
}
