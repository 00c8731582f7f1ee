import type { BGroup } from "./convert";
import { ConditionEditor } from "./ConditionEditor";
import { newId } from "./env";
import type { FieldInfo } from "./fields";
import { defaultValue } from "./operators";

interface Props {
  where: BGroup | null;
  onChange: (where: BGroup | null) => void;
  fields: FieldInfo[];
  /** "Only purchases where", "Orders where"... */
  label: string;
  addLabel: string;
}

/** An optional nested condition (a block's `where`): a button until there is one. */
export function WhereEditor({ where, onChange, fields, label, addLabel }: Props) {
  if (where === null || where.rules.length === 0) {
    const first = fields.find((f) => f.kind === "attribute");
    return (
      <button
        type="button"
        className="btn btn-small"
        disabled={!first}
        onClick={() => {
          if (!first) return;
          const op = first.operators?.[0] ?? "eq";
          onChange({ id: newId(), rules: [{ id: newId(), field: first.name, operator: op, value: defaultValue(op) }] });
        }}
      >
        {addLabel}
      </button>
    );
  }
  return (
    <div className="where">
      <div className="where-label">{label}</div>
      <ConditionEditor
        fields={fields}
        query={where}
        label={label}
        nested
        onChange={(g) => onChange(g.rules.length ? g : null)}
      />
    </div>
  );
}
