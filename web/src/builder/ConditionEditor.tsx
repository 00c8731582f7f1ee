import { useMemo } from "react";
import { QueryBuilder, type Field, type FullOperator, type RuleGroupTypeIC, type RuleType } from "react-querybuilder";
import {
  ActionButton,
  GroupWithProblems,
  NotToggle,
  OperatorSelector,
  RuleValueEditor,
  RuleWithProblems,
} from "./controls";
import {
  BEHAVIOR_OP,
  isGroup,
  isRule,
  RAW,
  RELATED_OP,
  SEGMENT_OP,
  type BehaviorValue,
  type BGroup,
  type RelatedValue,
} from "./convert";
import { grouped, infoOf, RAW_FIELD, type FieldInfo } from "./fields";
import { defaultValue, operatorLabel } from "./operators";

const COMBINATORS = [
  { name: "and", label: "and also" },
  { name: "or", label: "or" },
  { name: "but_not", label: "but not" },
];

const TRANSLATIONS = {
  fields: { title: "Condition on" },
  operators: { title: "Operator" },
  addRule: { label: "+ Condition", title: "Add a condition" },
  addGroup: { label: "+ Group", title: "Add a group of conditions" },
  removeRule: { label: "✕", title: "Remove this condition" },
  removeGroup: { label: "✕", title: "Remove this group" },
  cloneRule: { label: "copy", title: "Duplicate this condition" },
  cloneRuleGroup: { label: "copy", title: "Duplicate this group" },
  combinators: { title: "How the next block combines" },
  notToggle: { label: "Not", title: "Exclude the profiles this group selects" },
  shiftActionUp: { label: "↑", title: "Move up" },
  shiftActionDown: { label: "↓", title: "Move down" },
};

const CONTROLS = {
  actionElement: ActionButton,
  notToggle: NotToggle,
  operatorSelector: OperatorSelector,
  valueEditor: RuleValueEditor,
  rule: RuleWithProblems,
  ruleGroup: GroupWithProblems,
};

function getOperators(_field: string, { fieldData }: { fieldData: Field }): FullOperator[] {
  const info = infoOf(fieldData);
  switch (info?.kind) {
    case "behavior":
      return [{ name: BEHAVIOR_OP, value: BEHAVIOR_OP, label: "has" }];
    case "related":
      return [{ name: RELATED_OP, value: RELATED_OP, label: "has" }];
    case "segment":
      return [{ name: SEGMENT_OP, value: SEGMENT_OP, label: "is in" }];
    case "raw":
      return [{ name: "raw", value: "raw", label: "" }];
    default:
      return (info?.operators ?? ["eq"]).map((op) => ({ name: op, value: op, label: operatorLabel(op, info?.type ?? "string") }));
  }
}

function getDefaultValue(rule: RuleType, { fieldData }: { fieldData: Field }): unknown {
  switch (infoOf(fieldData)?.kind) {
    case "behavior": {
      const value: BehaviorValue = { where: null, window: { kind: "last", last: 30, unit: "day" }, test: { kind: "done" } };
      return value;
    }
    case "related": {
      const value: RelatedValue = { where: null, match: "any" };
      return value;
    }
    case "segment":
      return "";
    case "raw":
      return rule.value;
    default:
      return defaultValue(rule.operator);
  }
}

/** Fields used by the rules but missing from the model's (kept so nothing silently changes). */
function missingFields(group: BGroup, known: Set<string>, out: FieldInfo[]): FieldInfo[] {
  for (const item of group.rules) {
    if (isGroup(item)) missingFields(item, known, out);
    else if (isRule(item) && !known.has(item.field)) {
      known.add(item.field);
      out.push(
        item.field === RAW
          ? RAW_FIELD
          : { name: item.field, label: `${item.field} (unknown)`, kind: "attribute", group: "Unknown", type: "string", operators: [item.operator] },
      );
    }
  }
  return out;
}

interface Props {
  fields: FieldInfo[];
  query: BGroup;
  onChange: (query: BGroup) => void;
  label: string;
  nested?: boolean;
}

/** A react-querybuilder over `fields`, using Segmint's block language and value editors. */
export function ConditionEditor({ fields, query, onChange, label, nested }: Props) {
  const extra = missingFields(query, new Set(fields.map((f) => f.name)), []);
  const extraKey = extra.map((f) => f.name).join("|");
  const options = useMemo(
    () =>
      grouped([...fields, ...extra]).map((g) => ({
        label: g.label,
        options: g.options.map((f) => ({ name: f.name, value: f.name, label: f.label, info: f })),
      })),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- extra is derived from extraKey
    [fields, extraKey],
  );
  return (
    <div className={nested ? "condition-editor nested" : "condition-editor"} role="group" aria-label={label}>
      <QueryBuilder
        fields={options}
        query={query as unknown as RuleGroupTypeIC}
        onQueryChange={(q) => onChange(q as unknown as BGroup)}
        combinators={COMBINATORS}
        getOperators={getOperators}
        getDefaultValue={getDefaultValue}
        controlElements={CONTROLS}
        translations={TRANSLATIONS}
        enableMountQueryChange={false}
        showNotToggle
        showCloneButtons
        showShiftActions
        addRuleToNewGroups
        resetOnOperatorChange
      />
    </div>
  );
}
