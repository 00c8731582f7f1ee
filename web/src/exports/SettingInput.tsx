import type { SettingSpec } from "./forms";

/** The control of one setting: a choice list, or a text, number or (secret) password field
 * whose value is never filled from the server. */
export function SettingInput({ spec, value, placeholder, onChange }: { spec: SettingSpec; value: string; placeholder?: string; onChange: (value: string) => void }) {
  if (spec.kind === "choice") {
    return (
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">(default: {spec.choices?.[0]})</option>
        {spec.choices?.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    );
  }
  return (
    <input
      type={spec.secret ? "password" : spec.kind === "number" ? "number" : "text"}
      autoComplete={spec.secret ? "new-password" : "off"}
      value={value}
      placeholder={placeholder ?? spec.placeholder}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
