import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api/client";
import { exportsApi, type ExportSummary } from "./api";
import { exportBody } from "./forms";
import { FormDialog, useSubmit } from "./FormDialog";

/** Create an export: a destination, the segments it receives, and a field mapping. */
export function ExportForm({ onClose, onCreated }: { onClose: () => void; onCreated: (created: ExportSummary["key"]) => void }) {
  const destinations = useQuery({ queryKey: ["destinations"], queryFn: exportsApi.destinations });
  const segments = useQuery({ queryKey: ["segments", "for-export"], queryFn: () => api.segments({ sort: "name" }) });
  const [key, setKey] = useState("");
  const [name, setName] = useState("");
  const [destination, setDestination] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [mapping, setMapping] = useState("");
  const mirror = destinations.data?.find((d) => d.key === destination)?.type === "segmint";

  const { errors, failure, busy, submit, problem } = useSubmit(
    () => exportBody({ key, name, destination, segments: chosen, mapping: mirror ? "" : mapping }),
    exportsApi.createExport,
    (created) => onCreated(created.key),
  );
  const fieldProblems = Object.entries(errors).filter(([k]) => k.startsWith("fields."));
  return (
    <FormDialog
      title="Create an export"
      label="Export"
      submitLabel="Create export"
      busyLabel="Creating…"
      busy={busy}
      failure={failure}
      onSubmit={submit}
      onClose={onClose}
    >
        <label>
          Key
          <input value={key} onChange={(e) => setKey(e.target.value)} placeholder="vips-to-crm" autoComplete="off" />
          {problem("key")}
        </label>
        <label>
          Display name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="(the key)" />
        </label>
        <label>
          Destination
          <select value={destination} onChange={(e) => setDestination(e.target.value)}>
            <option value="">Choose…</option>
            {destinations.data?.map((d) => (
              <option key={d.key} value={d.key}>
                {d.name} ({d.type})
              </option>
            ))}
          </select>
          {problem("destination")}
        </label>
        <fieldset className="export-segments">
          <legend>Segments it receives</legend>
          <p className="muted small">Only live, active segments are exported; drafts and inactive ones are skipped until they are.</p>
          {segments.data?.map((s) => (
            <label key={s.key} className="check">
              <input
                type="checkbox"
                checked={chosen.includes(s.key)}
                onChange={(e) => setChosen(e.target.checked ? [...chosen, s.key] : chosen.filter((k) => k !== s.key))}
              />
              {s.name} <span className="muted small">({s.key}, {s.status}{s.active ? "" : ", inactive"})</span>
            </label>
          ))}
          {problem("segments")}
        </fieldset>
        {mirror ? (
          <p className="muted">A Segmint mirror receives IDs only: no field mapping.</p>
        ) : (
          <label>
            Field mapping: one per line, NAME=FIELD or FIELD
            <textarea rows={3} value={mapping} onChange={(e) => setMapping(e.target.value)} placeholder={"email\ntier=loyalty_tier"} />
            {fieldProblems.map(([k, message]) => (
              <span key={k} className="field-problem">
                {message}
              </span>
            ))}
          </label>
        )}
    </FormDialog>
  );
}
