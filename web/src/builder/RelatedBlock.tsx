import type { RelatedValue } from "./convert";
import { useBuilderEnv } from "./env";
import { entityOf, fieldsFor } from "./fields";
import { TestEditor } from "./TestEditor";
import { WhereEditor } from "./WhereEditor";

type Mode = "any" | "all" | "none" | "count";

interface Props {
  relationship: string;
  target: string;
  value: RelatedValue;
  onChange: (value: RelatedValue) => void;
}

/** A one-to-many block: any / all / none of the related records match, or how many do. */
export function RelatedBlock({ relationship, target, value, onChange }: Props) {
  const { model, countOperators } = useBuilderEnv();
  const entity = entityOf(model, target);
  const records = entity?.label ?? target;
  const mode: Mode = value.count ? "count" : (value.match ?? "any");

  const setMode = (m: Mode) =>
    onChange(
      m === "count"
        ? { where: value.where, count: { op: "gte", value: 1 } }
        : { where: value.where, match: m },
    );

  return (
    <div className="block-editor" role="group" aria-label={`${relationship} block`}>
      <div className="block-row">
        <label className="inline">
          <span className="block-label">Match</span>
          <select aria-label={`${relationship}: how many must match`} value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
            <option value="any">at least one {records.toLowerCase()}</option>
            <option value="all">every {records.toLowerCase()} (and at least one)</option>
            <option value="none">no {records.toLowerCase()}</option>
            <option value="count">a number of {records.toLowerCase()} records</option>
          </select>
        </label>
        {value.count && (
          <TestEditor
            test={value.count}
            type="integer"
            operators={countOperators}
            label={`${relationship}: number of records`}
            onChange={(count) => onChange({ ...value, count })}
          />
        )}
      </div>
      <WhereEditor
        where={value.where}
        fields={fieldsFor(model, target)}
        label={`${records} records where`}
        addLabel={`+ Condition on ${records.toLowerCase()}`}
        onChange={(where) => onChange({ ...value, where })}
      />
    </div>
  );
}
