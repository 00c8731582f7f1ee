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

/** Name, key, description, audience, type, time zone and tags of a segment. */
export function MetaFields({ meta, onChange, isNew, audiences, problems }: Props) {
  const set = (patch: Partial<Meta>) => onChange({ ...meta, ...patch });
  const problem = (field: string) =>
    problems.get(field) ? (
      <span className="field-problem" role="alert">
        {problems.get(field)}
      </span>
    ) : null;
  return (
    <fieldset className="meta-fields">
      <legend className="visually-hidden">Segment settings</legend>
      <label className="span-2">
        Name
        <input value={meta.name} required maxLength={200} onChange={(e) => set({ name: e.target.value })} />
        {problem("name")}
      </label>
      <label>
        Key
        <input
          value={meta.key}
          required
          maxLength={100}
          readOnly={!isNew}
          aria-describedby="key-help"
          onChange={(e) => set({ key: e.target.value })}
        />
        <span id="key-help" className="muted small">
          {isNew ? "Permanent id used by the API and exports" : "Permanent"}
        </span>
        {problem("key")}
      </label>
      <label>
        Type
        <select value={meta.type} disabled={!isNew} onChange={(e) => set({ type: e.target.value })}>
          <option value="dynamic">dynamic</option>
          <option value="static">static</option>
          <option value="compound">compound</option>
        </select>
      </label>
      <label>
        Audience
        <select value={meta.audience} disabled={!isNew} onChange={(e) => set({ audience: e.target.value })}>
          {audiences.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      <label>
        Time zone
        <select value={meta.timezone} onChange={(e) => set({ timezone: e.target.value })}>
          {timeZones(meta.timezone).map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
        {problem("timezone")}
      </label>
      <label className="span-2">
        Description
        <input value={meta.description} maxLength={5000} onChange={(e) => set({ description: e.target.value })} />
      </label>
      <div className="span-2 label-like">
        <span id="tags-label">Tags</span>
        <ListInput label="Tags" values={meta.tags} onChange={(v) => set({ tags: v.map(String) })} placeholder="tag, then Enter" />
      </div>
    </fieldset>
  );
}
