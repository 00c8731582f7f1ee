import { AttributeValue } from "./AttributeValue";
import type { TestValue } from "./convert";
import { defaultValue, operatorLabel, shapeOf } from "./operators";

interface Props {
  test: TestValue;
  onChange: (test: TestValue) => void;
  /** The type of the tested value (integer for counts, the attribute's type for aggregates). */
  type: string;
  operators: string[];
  label: string;
}

/** An operator and its value: for counts, aggregates, first/last times. */
export function TestEditor({ test, onChange, type, operators, label }: Props) {
  const ops = operators.includes(test.op) ? operators : [test.op, ...operators];
  return (
    <span className="test-editor">
      <select
        aria-label={`${label} operator`}
        value={test.op}
        onChange={(e) => {
          const op = e.target.value;
          const keep = shapeOf(op) === shapeOf(test.op);
          onChange({ op, value: keep ? test.value : defaultValue(op) });
        }}
      >
        {ops.map((op) => (
          <option key={op} value={op}>
            {operatorLabel(op, type)}
          </option>
        ))}
      </select>
      <AttributeValue type={type} op={test.op} value={test.value} label={label} onChange={(value) => onChange({ ...test, value })} />
    </span>
  );
}
