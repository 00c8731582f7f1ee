import { useBuilderEnv } from "./env";

/** A segment block: members of another segment of the same audience. */
export function SegmentBlock({ value, onChange }: { value: string; onChange: (key: string) => void }) {
  const { segments } = useBuilderEnv();
  const known = segments.some((s) => s.key === value);
  return (
    <select className="segment-picker" aria-label="Segment" value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">Choose a segment…</option>
      {!known && value && <option value={value}>{value} (not found)</option>}
      {segments.map((s) => (
        <option key={s.key} value={s.key}>
          {s.name} ({s.key}){s.state === "draft" ? " — draft" : ""}
        </option>
      ))}
    </select>
  );
}
