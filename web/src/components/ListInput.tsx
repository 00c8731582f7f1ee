import { useState, type KeyboardEvent } from "react";
import type { ValueSource } from "../lib/suggestions";
import { Combobox } from "./Combobox";

interface ListInputProps {
  values: (string | number)[];
  onChange: (values: (string | number)[]) => void;
  label: string;
  numeric?: boolean;
  placeholder?: string;
  /** Where to get value suggestions from (text attributes). */
  suggest?: ValueSource;
}

/** A list of values as removable chips; Enter or a comma adds what was typed. */
export function ListInput({ values, onChange, label, numeric, placeholder, suggest }: ListInputProps) {
  const [draft, setDraft] = useState("");
  const add = (text: string) => {
    const parts = text
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => (numeric && Number.isFinite(Number(s)) ? Number(s) : s));
    const fresh = parts.filter((p) => !values.includes(p));
    if (fresh.length) onChange([...values, ...fresh]);
    setDraft("");
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Enter" || e.key === ",") {
      e.preventDefault();
      add(draft);
    } else if (e.key === "Backspace" && draft === "" && values.length) {
      onChange(values.slice(0, -1));
    }
  };
  return (
    <div className="list-input" role="group" aria-label={label}>
      {values.map((v) => (
        <span key={String(v)} className="chip">
          {String(v)}
          <button
            type="button"
            className="chip-remove"
            aria-label={`Remove ${String(v)}`}
            onClick={() => onChange(values.filter((x) => x !== v))}
          >
            ✕
          </button>
        </span>
      ))}
      {suggest ? (
        <Combobox
          value={draft}
          label={`${label}: add a value (Enter)`}
          placeholder={placeholder ?? "add, then Enter"}
          source={suggest}
          exclude={values}
          onChange={setDraft}
          onPick={add}
          onKeyDown={onKey}
          onBlur={() => draft && add(draft)}
        />
      ) : (
        <input
          value={draft}
          aria-label={`${label}: add a value (Enter)`}
          placeholder={placeholder ?? "add, then Enter"}
          inputMode={numeric ? "decimal" : undefined}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKey}
          onBlur={() => draft && add(draft)}
        />
      )}
    </div>
  );
}
