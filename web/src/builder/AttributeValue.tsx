import { Combobox } from "../components/Combobox";
import { ListInput } from "../components/ListInput";
import type { ValueSource } from "../lib/suggestions";
import {
  isNumberType,
  isRelative,
  isTemporalType,
  parseNumberInput,
  shapeOf,
  unitsFor,
  type Relative,
} from "./operators";

interface Props {
  /** The attribute's type (string, integer, float, date, timestamp, boolean, list). */
  type: string;
  op: string;
  value: unknown;
  onChange: (value: unknown) => void;
  /** What the value is of, for screen readers ("City", "Number of times"). */
  label: string;
  /** Where to get value suggestions from (text attributes). */
  suggest?: ValueSource;
}

function text(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return v === null || v === undefined ? "" : JSON.stringify(v);
}

/** One input of the attribute's type: a number, a date, or text (offering the attribute's
 * most frequent values as they match what is typed, when it has suggestions). */
function Single({ type, value, onChange, label, suggest }: Omit<Props, "op">) {
  if (isNumberType(type)) {
    return (
      <input
        className="value-input value-number"
        type="text"
        inputMode="decimal"
        aria-label={label}
        value={text(value)}
        onChange={(e) => onChange(parseNumberInput(e.target.value))}
      />
    );
  }
  if (isTemporalType(type)) {
    return (
      <input className="value-input" type="date" aria-label={label} value={text(value)} onChange={(e) => onChange(e.target.value)} />
    );
  }
  if (suggest) {
    return <Combobox className="value-input" value={text(value)} onChange={onChange} onPick={onChange} source={suggest} label={label} />;
  }
  return (
    <input className="value-input" type="text" aria-label={label} value={text(value)} onChange={(e) => onChange(e.target.value)} />
  );
}

/** The value editor of an operator on a value of `type`, shaped as the operator needs. */
export function AttributeValue({ type, op, value, onChange, label, suggest }: Props) {
  switch (shapeOf(op)) {
    case "none":
      return null;
    case "list": {
      const values = Array.isArray(value) ? (value as (string | number)[]) : [];
      return <ListInput label={`${label} values`} values={values} onChange={onChange} numeric={isNumberType(type)} suggest={suggest} />;
    }
    case "pair": {
      const pair = Array.isArray(value) ? (value as unknown[]) : ["", ""];
      return (
        <span className="value-pair">
          <Single type={type} value={pair[0]} label={`${label} from`} onChange={(v) => onChange([v, pair[1] ?? ""])} />
          <span>and</span>
          <Single type={type} value={pair[1]} label={`${label} to`} onChange={(v) => onChange([pair[0] ?? "", v])} />
        </span>
      );
    }
    case "relative": {
      const rel: Relative = isRelative(value) ? value : { amount: "", unit: "day" };
      return (
        <span className="value-pair">
          <input
            className="value-input value-number"
            type="text"
            inputMode="numeric"
            aria-label={`${label} amount`}
            value={text(rel.amount)}
            onChange={(e) => onChange({ ...rel, amount: parseNumberInput(e.target.value) })}
          />
          <select aria-label={`${label} unit`} value={rel.unit} onChange={(e) => onChange({ ...rel, unit: e.target.value })}>
            {unitsFor(type).map((u) => (
              <option key={u} value={u}>
                {u}s
              </option>
            ))}
          </select>
          {op === "more_than_ago" && <span>ago</span>}
        </span>
      );
    }
    case "days":
      return (
        <span className="value-pair">
          <Single type="integer" value={value} label={`${label} days`} onChange={onChange} />
          <span>days</span>
        </span>
      );
    case "scalar":
      return <Single type={type === "list" ? "string" : type} value={value} label={label} onChange={onChange} suggest={suggest} />;
  }
}
