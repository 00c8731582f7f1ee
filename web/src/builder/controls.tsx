/**
 * react-querybuilder controls customised for Segmint: labelled buttons, no operator selector on
 * blocks, per-type value editors and blocks, and validation problems shown at their rule.
 */

import {
  Rule,
  RuleGroup,
  ValueSelector,
  type ActionProps,
  type NotToggleProps,
  type OperatorSelectorProps,
  type RuleGroupProps,
  type RuleProps,
  type ValueEditorProps,
} from "react-querybuilder";
import { AttributeValue } from "./AttributeValue";
import { BehaviorBlock } from "./BehaviorBlock";
import { BEHAVIOR, RELATED, type BehaviorValue, type RelatedValue } from "./convert";
import type { Condition } from "./definition";
import { useBuilderEnv } from "./env";
import { infoOf } from "./fields";
import { RelatedBlock } from "./RelatedBlock";
import { SegmentBlock } from "./SegmentBlock";


function Problems({ id }: { id: string | undefined }) {
  const { problems } = useBuilderEnv();
  const found = id ? problems.get(id) : undefined;
  if (!found?.length) return null;
  return (
    <ul className="rule-problems" role="alert">
      {found.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}

export function RuleWithProblems(props: RuleProps) {
  const id = props.rule.id;
  return (
    <div className="rule-wrap" data-rule-id={id}>
      <Rule {...props} />
      <Problems id={id} />
    </div>
  );
}

export function GroupWithProblems(props: RuleGroupProps) {
  return (
    <div className="group-wrap">
      <RuleGroup {...props} />
      <Problems id={props.ruleGroup.id} />
    </div>
  );
}

/** A button whose accessible name is its title ("Remove condition", not "⨯"). */
export function ActionButton(props: ActionProps) {
  const { className, label, title, disabled, testID } = props;
  return (
    <button
      type="button"
      className={className}
      title={title}
      aria-label={title}
      disabled={disabled}
      data-testid={testID}
      onClick={(e) => props.handleOnClick(e)}
    >
      {label}
    </button>
  );
}

export function NotToggle(props: NotToggleProps) {
  const { className, checked, label, title, disabled, testID } = props;
  return (
    <label className={className} title={title} data-testid={testID}>
      <input type="checkbox" checked={!!checked} disabled={disabled} onChange={(e) => props.handleOnChange(e.target.checked)} />
      {label}
    </label>
  );
}

/** Blocks have no operator to choose: their editor holds their settings. */
export function OperatorSelector(props: OperatorSelectorProps) {
  if (infoOf(props.fieldData)?.kind !== "attribute") return null;
  return <ValueSelector {...props} />;
}

export function RuleValueEditor(props: ValueEditorProps) {
  const info = infoOf(props.fieldData);
  const field = props.field;
  switch (info?.kind) {
    case "behavior":
      return (
        <BehaviorBlock
          interaction={field.slice(BEHAVIOR.length)}
          value={props.value as BehaviorValue}
          onChange={(v: unknown) => props.handleOnChange(v)}
        />
      );
    case "related":
      return (
        <RelatedBlock
          relationship={field.slice(RELATED.length)}
          target={info.target ?? ""}
          value={props.value as RelatedValue}
          onChange={(v: unknown) => props.handleOnChange(v)}
        />
      );
    case "segment":
      return <SegmentBlock value={typeof props.value === "string" ? props.value : ""} onChange={(v: unknown) => props.handleOnChange(v)} />;
    case "raw":
      return (
        <code className="raw-condition" title="This condition can only be changed as a file (segmint apply)">
          {JSON.stringify(props.value as Condition)}
        </code>
      );
    default:
      return (
        <AttributeValue
          type={info?.type ?? "string"}
          op={props.operator}
          value={props.value as unknown}
          label={info?.label ?? field}
          suggest={info?.source}
          onChange={(v: unknown) => props.handleOnChange(v)}
        />
      );
  }
}
