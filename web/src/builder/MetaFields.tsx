import { useId, type ReactNode } from "react";
import { ListInput } from "../components/ListInput";

export interface Meta {
  key: string;
  name: string;
  description: string;
  audience: string;
  timezone: string;
  type: string;
  tags: string[];
}

interface Props {
  meta: Meta;
  onChange: (meta: Meta) => void;
  isNew: boolean;
  audiences: string[];
  /** Problems of the settings (key, name...), by field. */
  problems: Map<string, string>;
}

function timeZones(current: string): string[] {
  const zones = new Set(Intl.supportedValuesOf("timeZone"));
  zones.add("UTC");
  zones.add(current);
  return [...zones].sort();
}

interface FieldProps {
  label: string;
  help?: string;
  problem?: string;
  wide?: boolean;
  children: (id: string, describedBy: string | undefined) => ReactNode;
}

/** A labelled control with its help and problem below (not part of its name). */
function Field({ label, help, problem, wide, children }: FieldProps) {
  const id = useId();
  const described = [help ? `${id}-help` : "", problem ? `${id}-problem` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className={wide ? "field span-2" : "field"}>
      <label htmlFor={id}>{label}</label>
      {children(id, described)}
      {help && (
        <span id={`${id}-help`} className="muted small">
          {help}
        </span>
      )}
      {problem && (
        <span id={`${id}-problem`} className="field-problem" role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}

/** Name, key, description, audience, type, time zone and tags of a segment. */
export function MetaFields({ meta, onChange, isNew, audiences, problems }: Props) {
  const set = (patch: Partial<Meta>) => onChange({ ...meta, ...patch });
  return (
    <fieldset className="meta-fields">
      <legend className="visually-hidden">Segment settings</legend>
      <Field label="Name" wide problem={problems.get("name")}>
        {(id, d) => (
          <input id={id} aria-describedby={d} value={meta.name} required maxLength={200} onChange={(e) => set({ name: e.target.value })} />
        )}
      </Field>
      <Field label="Key" help={isNew ? "Permanent id used by the API and exports" : "Permanent"} problem={problems.get("key")}>
        {(id, d) => (
          <input
            id={id}
            aria-describedby={d}
            value={meta.key}
            required
            maxLength={100}
            readOnly={!isNew}
            onChange={(e) => set({ key: e.target.value })}
          />
        )}
      </Field>
      <Field label="Type">
        {(id) => (
          <select id={id} value={meta.type} disabled={!isNew} onChange={(e) => set({ type: e.target.value })}>
            <option value="dynamic">dynamic</option>
            <option value="static">static</option>
            <option value="compound">compound</option>
          </select>
        )}
      </Field>
      <Field label="Audience">
        {(id) => (
          <select id={id} value={meta.audience} disabled={!isNew} onChange={(e) => set({ audience: e.target.value })}>
            {audiences.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Time zone" problem={problems.get("timezone")}>
        {(id, d) => (
          <select id={id} aria-describedby={d} value={meta.timezone} onChange={(e) => set({ timezone: e.target.value })}>
            {timeZones(meta.timezone).map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Description" wide>
        {(id) => (
          <input id={id} value={meta.description} maxLength={5000} onChange={(e) => set({ description: e.target.value })} />
        )}
      </Field>
      <div className="field span-2">
        <span className="label-text">Tags</span>
        <ListInput label="Tags" values={meta.tags} onChange={(v) => set({ tags: v.map(String) })} placeholder="tag, then Enter" />
      </div>
    </fieldset>
  );
}
