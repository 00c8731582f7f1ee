import type { AttributeOut } from "../api/client";
import type { AggregateFn, BehaviorTest, BehaviorValue, WindowValue } from "./convert";
import { useBuilderEnv } from "./env";
import { interactionFields, interactionOf } from "./fields";
import { defaultValue, isNumberType, isTemporalType, TIMESTAMP_UNITS } from "./operators";
import { TestEditor } from "./TestEditor";
import { WhereEditor } from "./WhereEditor";

type Kind = "done" | "count" | AggregateFn | "first" | "last";

const KINDS: { kind: Kind; label: string }[] = [
  { kind: "done", label: "has done it" },
  { kind: "count", label: "number of times" },
  { kind: "sum", label: "total of" },
  { kind: "avg", label: "average of" },
  { kind: "min", label: "lowest" },
  { kind: "max", label: "highest" },
  { kind: "first", label: "first time" },
  { kind: "last", label: "last time" },
];

const TEMPORAL_OPS = ["on", "before", "after", "between", "in_last", "in_next", "more_than_ago", "is_empty", "is_not_empty"];

function kindOf(test: BehaviorTest): Kind {
  switch (test.kind) {
    case "done":
    case "count":
      return test.kind;
    case "aggregate":
      return test.fn;
    case "occurrence":
      return test.which;
  }
}

/** Attributes an aggregate may take: numbers, and for min/max also dates and times. */
function aggregatable(attrs: AttributeOut[], fn: AggregateFn): AttributeOut[] {
  return attrs.filter((a) => isNumberType(a.type) || ((fn === "min" || fn === "max") && isTemporalType(a.type)));
}

function aggregateOps(attr: AttributeOut | undefined, fn: AggregateFn): string[] {
  const ops = attr?.operators ?? [];
  return fn === "sum" ? ops.filter((o) => o !== "is_empty" && o !== "is_not_empty") : ops;
}

interface Props {
  interaction: string;
  value: BehaviorValue;
  onChange: (value: BehaviorValue) => void;
}

/** A behavior block: which test (has done it, count, aggregate, first/last), when, and where. */
export function BehaviorBlock({ interaction, value, onChange }: Props) {
  const { model, countOperators } = useBuilderEnv();
  const found = interactionOf(model, interaction);
  const attrs = found?.attributes ?? [];
  const stamp = attrs.find((a) => a.name === found?.timestamp);
  const occurrenceOps = stamp?.operators ?? TEMPORAL_OPS;
  const name = found?.label ?? interaction;
  const test = value.test;

  const setKind = (kind: Kind) => {
    let next: BehaviorTest;
    if (kind === "done") next = { kind: "done" };
    else if (kind === "count") next = { kind: "count", op: "gte", value: 1 };
    else if (kind === "first" || kind === "last") next = { kind: "occurrence", which: kind, op: "in_last", value: defaultValue("in_last") };
    else {
      const attr = aggregatable(attrs, kind)[0];
      const op = aggregateOps(attr, kind).find((o) => o === "gt") ?? aggregateOps(attr, kind)[0] ?? "gt";
      next = { kind: "aggregate", fn: kind, field: attr?.name ?? "", op, value: defaultValue(op) };
    }
    onChange({ ...value, test: next });
  };

  const setWindow = (window: WindowValue) => onChange({ ...value, window });
  const win = value.window;

  return (
    <div className="block-editor" role="group" aria-label={`${name} block`}>
      <div className="block-row">
        <label className="inline">
          <span className="block-label">Test</span>
          <select aria-label={`${name}: what to test`} value={kindOf(test)} onChange={(e) => setKind(e.target.value as Kind)}>
            {KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        {test.kind === "aggregate" && (
          <select
            aria-label={`${name}: attribute to aggregate`}
            value={test.field}
            onChange={(e) => onChange({ ...value, test: { ...test, field: e.target.value } })}
          >
            {aggregatable(attrs, test.fn).map((a) => (
              <option key={a.name} value={a.name}>
                {a.label}
              </option>
            ))}
          </select>
        )}
        {test.kind === "count" && (
          <TestEditor
            test={test}
            type="integer"
            operators={countOperators}
            label={`${name}: number of times`}
            onChange={(t) => onChange({ ...value, test: { ...test, ...t } })}
          />
        )}
        {test.kind === "aggregate" && (
          <TestEditor
            test={test}
            type={attrs.find((a) => a.name === test.field)?.type ?? "float"}
            operators={aggregateOps(attrs.find((a) => a.name === test.field), test.fn)}
            label={`${name}: ${test.fn} of ${test.field}`}
            onChange={(t) => onChange({ ...value, test: { ...test, ...t } })}
          />
        )}
        {test.kind === "occurrence" && (
          <TestEditor
            test={test}
            type="timestamp"
            operators={occurrenceOps}
            label={`${name}: ${test.which} time`}
            onChange={(t) => onChange({ ...value, test: { ...test, ...t } })}
          />
        )}
      </div>
      <div className="block-row">
        <label className="inline">
          <span className="block-label">When</span>
          <select
            aria-label={`${name}: time window`}
            value={win.kind}
            onChange={(e) => {
              const kind = e.target.value;
              setWindow(
                kind === "last" ? { kind: "last", last: 30, unit: "day" } : kind === "range" ? { kind: "range", from: "", to: "" } : { kind: "all" },
              );
            }}
          >
            <option value="all">at any time</option>
            <option value="last">in the last</option>
            <option value="range">between dates</option>
          </select>
        </label>
        {win.kind === "last" && (
          <>
            <input
              className="value-input value-number"
              inputMode="numeric"
              aria-label={`${name}: window amount`}
              value={String(win.last)}
              onChange={(e) => {
                const n = Number(e.target.value);
                setWindow({ ...win, last: e.target.value.trim() !== "" && Number.isFinite(n) ? n : e.target.value });
              }}
            />
            <select aria-label={`${name}: window unit`} value={win.unit} onChange={(e) => setWindow({ ...win, unit: e.target.value })}>
              {TIMESTAMP_UNITS.map((u) => (
                <option key={u} value={u}>
                  {u}s
                </option>
              ))}
            </select>
          </>
        )}
        {win.kind === "range" && (
          <>
            <input type="date" aria-label={`${name}: from`} value={win.from} onChange={(e) => setWindow({ ...win, from: e.target.value })} />
            <span>to</span>
            <input type="date" aria-label={`${name}: to`} value={win.to} onChange={(e) => setWindow({ ...win, to: e.target.value })} />
          </>
        )}
      </div>
      <WhereEditor
        where={value.where}
        fields={interactionFields(model, interaction)}
        label={`Only ${name} where`}
        addLabel={`+ Filter ${name}`}
        onChange={(where) => onChange({ ...value, where })}
      />
    </div>
  );
}
