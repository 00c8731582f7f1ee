/**
 * The builder's rule tree ⇄ Segmint's definition JSON. Pure: no React, no I/O.
 *
 * The builder uses react-querybuilder's independent combinators: a group's `rules` alternate
 * elements and connectors, `[A, "or", B, "and", C, "but_not", D]`, read left to right the way
 * a marketer reads blocks — "A or B, and also C, but not D" — with *or* binding tighter:
 * `and(or(A, B), C, not(D))`. A group's `not` negates the whole group.
 *
 * Rules are one of:
 * - a profile condition: `field` is the attribute path (`city`, `account.industry`),
 *   `operator` the definition's `op`, `value` its value (relative dates as `{amount, unit}`);
 * - a behavior block: `field` `@behavior:<interaction>`, value {@link BehaviorValue};
 * - a related block: `field` `@related:<relationship>`, value {@link RelatedValue};
 * - a segment block: `field` `@segment`, value the segment key;
 * - a condition the builder cannot edit (kept as is): `field` `@raw`, value the JSON node.
 *
 * `toCondition` also returns which builder element each definition path belongs to, so a
 * validation problem at `condition.conditions[1].value` is shown at the rule it concerns.
 */

import type {
  Aggregate,
  BehaviorNode,
  Condition,
  Json,
  Occurrence,
  RelatedNode,
  Test,
  Window,
} from "./definition";
import { isRelative, shapeOf } from "./operators";

export type Connector = "and" | "or" | "but_not";

export const CONNECTORS: readonly { name: Connector; label: string }[] = [
  { name: "or", label: "or" },
  { name: "and", label: "and also" },
  { name: "but_not", label: "but not" },
];

export interface BRule {
  id: string;
  field: string;
  operator: string;
  value: unknown;
}

export interface BGroup {
  id: string;
  not?: boolean;
  rules: (BRule | BGroup | string)[];
}

export const BEHAVIOR = "@behavior:";
export const RELATED = "@related:";
export const SEGMENT = "@segment";
export const RAW = "@raw";

export const BEHAVIOR_OP = "behavior";
export const RELATED_OP = "related";
export const SEGMENT_OP = "in_segment";
export const RAW_OP = "raw";

export type WindowValue =
  | { kind: "all" }
  | { kind: "last"; last: number | string; unit: string }
  | { kind: "range"; from: string; to: string };

export interface TestValue {
  op: string;
  value: unknown;
}

export type AggregateFn = "sum" | "avg" | "min" | "max";

export type BehaviorTest =
  | { kind: "done" }
  | ({ kind: "count" } & TestValue)
  | ({ kind: "aggregate"; fn: AggregateFn; field: string } & TestValue)
  | ({ kind: "occurrence"; which: "first" | "last" } & TestValue);

export interface BehaviorValue {
  where: BGroup | null;
  window: WindowValue;
  test: BehaviorTest;
}

export interface RelatedValue {
  where: BGroup | null;
  match?: "any" | "all" | "none";
  count?: TestValue;
}

/** Definition path → id of the builder rule or group it came from. */
export type PathMap = Map<string, string>;

export type IdMaker = () => string;

let counter = 0;
export const defaultIds: IdMaker = () => `b${(++counter).toString(36)}`;

export function isGroup(item: BRule | BGroup | string | undefined): item is BGroup {
  return typeof item === "object" && "rules" in item;
}

export function isRule(item: BRule | BGroup | string | undefined): item is BRule {
  return typeof item === "object" && "field" in item;
}

// --- values of tests ----------------------------------------------------------------------

/** `{op, value, unit}` of the definition from the builder's op and value. */
export function testToJson(op: string, value: unknown): Test {
  if (isRelative(value)) {
    return { op, value: value.amount, unit: value.unit };
  }
  if (shapeOf(op) === "none" && (value === "" || value === undefined || value === null)) {
    return { op };
  }
  return { op, value: (value ?? "") as Json };
}

/** The builder's value of a definition test. */
export function testValue(test: { op: string; value?: Json; unit?: string }): unknown {
  if (test.unit !== undefined) return { amount: test.value ?? "", unit: test.unit };
  if (test.value === undefined) return "";
  return test.value;
}

// --- builder → definition ---------------------------------------------------------------

interface Chunk {
  negated: boolean;
  items: (BRule | BGroup)[];
}

function chunksOf(group: BGroup): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Chunk | null = null;
  let pending: string = "and";
  for (const item of group.rules) {
    if (typeof item === "string") {
      pending = item;
      continue;
    }
    if (current !== null && pending === "or") {
      current.items.push(item);
    } else {
      current = { negated: current !== null && pending === "but_not", items: [item] };
      chunks.push(current);
    }
    pending = "and";
  }
  return chunks;
}

/**
 * The condition a group stands for; `null` for an empty group when `emptyIsNull` (the root
 * or a `where`), else an empty `and` (the server then names the problem at its path).
 */
export function groupToCondition(
  group: BGroup,
  path: string,
  paths: PathMap,
  emptyIsNull = false,
): Condition | null {
  const chunks = chunksOf(group);
  if (chunks.length === 0) {
    paths.set(path, group.id);
    if (emptyIsNull) return null;
    const empty: Condition = { type: "and", conditions: [] };
    return group.not ? { type: "not", condition: empty } : empty;
  }
  let inner = path;
  if (group.not) {
    paths.set(path, group.id);
    inner = `${path}.condition`;
  }
  const body =
    chunks.length === 1 && chunks[0]
      ? chunkToCondition(chunks[0], inner, group.id, paths)
      : andOf(chunks, inner, group.id, paths);
  return group.not ? { type: "not", condition: body } : body;
}

function andOf(chunks: Chunk[], path: string, groupId: string, paths: PathMap): Condition {
  paths.set(path, groupId);
  return {
    type: "and",
    conditions: chunks.map((chunk, i) =>
      chunkToCondition(chunk, `${path}.conditions[${i}]`, groupId, paths),
    ),
  };
}

function chunkToCondition(
  chunk: Chunk,
  path: string,
  groupId: string,
  paths: PathMap,
): Condition {
  let inner = path;
  if (chunk.negated) {
    paths.set(path, groupId);
    inner = `${path}.condition`;
  }
  let body: Condition;
  const [only] = chunk.items;
  if (chunk.items.length === 1 && only) {
    body = elementToCondition(only, inner, paths);
  } else {
    paths.set(inner, groupId);
    body = {
      type: "or",
      conditions: chunk.items.map((item, i) =>
        elementToCondition(item, `${inner}.conditions[${i}]`, paths),
      ),
    };
  }
  return chunk.negated ? { type: "not", condition: body } : body;
}

function elementToCondition(item: BRule | BGroup, path: string, paths: PathMap): Condition {
  if (isGroup(item)) {
    return groupToCondition(item, path, paths) as Condition;
  }
  paths.set(path, item.id);
  return ruleToCondition(item, path, paths);
}

function whereOf(where: BGroup | null, path: string, paths: PathMap): Condition | null {
  return where === null ? null : groupToCondition(where, `${path}.where`, paths, true);
}

export function ruleToCondition(rule: BRule, path: string, paths: PathMap): Condition {
  if (rule.field === RAW) {
    return rule.value as Condition;
  }
  if (rule.field === SEGMENT) {
    return { type: "in_segment", segment: typeof rule.value === "string" ? rule.value : "" };
  }
  if (rule.field.startsWith(BEHAVIOR)) {
    return behaviorToCondition(rule, path, paths);
  }
  if (rule.field.startsWith(RELATED)) {
    const value = rule.value as RelatedValue;
    const node: RelatedNode = { type: "related", relationship: rule.field.slice(RELATED.length) };
    if (value.count !== undefined) {
      node.count = testToJson(value.count.op, value.count.value);
    } else if (value.match !== undefined) {
      node.match = value.match;
    }
    const where = whereOf(value.where, path, paths);
    if (where !== null) node.where = where;
    return node;
  }
  return { type: "attribute", field: rule.field, ...testToJson(rule.operator, rule.value) };
}

function behaviorToCondition(rule: BRule, path: string, paths: PathMap): BehaviorNode {
  const value = rule.value as BehaviorValue;
  const node: BehaviorNode = { type: "behavior", interaction: rule.field.slice(BEHAVIOR.length) };
  const where = whereOf(value.where, path, paths);
  if (where !== null) node.where = where;
  const window = windowToJson(value.window);
  if (window !== null) node.window = window;
  const test = value.test;
  switch (test.kind) {
    case "done":
      break;
    case "count":
      node.count = testToJson(test.op, test.value);
      break;
    case "aggregate":
      node.aggregate = { fn: test.fn, field: test.field, ...testToJson(test.op, test.value) };
      break;
    case "occurrence":
      node.occurrence = { which: test.which, ...testToJson(test.op, test.value) };
      break;
  }
  return node;
}

function windowToJson(window: WindowValue): Window | null {
  switch (window.kind) {
    case "all":
      return null;
    case "last":
      return { last: window.last, unit: window.unit };
    case "range": {
      const range: { from?: string; to?: string } = {};
      if (window.from) range.from = window.from;
      if (window.to) range.to = window.to;
      return range;
    }
  }
}

export interface Converted {
  condition: Condition | null;
  paths: PathMap;
}

/** The definition's condition for the builder's root group (null when it is empty). */
export function toCondition(root: BGroup): Converted {
  const paths: PathMap = new Map();
  const condition = groupToCondition(root, "condition", paths, true);
  return { condition, paths };
}

/** The builder element a problem path concerns: the longest prefix with an element. */
export function elementForPath(paths: PathMap, path: string): string | undefined {
  let probe = path;
  for (;;) {
    const found = paths.get(probe);
    if (found !== undefined) return found;
    const cut = Math.max(probe.lastIndexOf("."), probe.lastIndexOf("["));
    if (cut <= 0) return undefined;
    probe = probe.slice(0, cut);
  }
}

// --- definition → builder ---------------------------------------------------------------

/** The builder's root group for a definition's condition (an empty group for none). */
export function fromCondition(condition: Condition | null | undefined, ids: IdMaker = defaultIds): BGroup {
  if (!condition) return { id: ids(), rules: [] };
  return groupFor(condition, ids);
}

function groupFor(condition: Condition, ids: IdMaker): BGroup {
  if (condition.type === "not") {
    return { id: ids(), not: true, rules: sequenceOf(condition.condition, ids) };
  }
  return { id: ids(), rules: sequenceOf(condition, ids) };
}

function sequenceOf(condition: Condition, ids: IdMaker): (BRule | BGroup | string)[] {
  if (condition.type === "or") {
    return joined(
      condition.conditions.map((c) => elementFor(c, ids)),
      "or",
    );
  }
  if (condition.type !== "and") {
    return [elementFor(condition, ids)];
  }
  const out: (BRule | BGroup | string)[] = [];
  condition.conditions.forEach((child, i) => {
    let connector: Connector = "and";
    let chunk: Condition = child;
    if (i > 0 && child.type === "not") {
      connector = "but_not";
      chunk = child.condition;
    }
    if (i > 0) out.push(connector);
    if ((i > 0 || child.type !== "not") && chunk.type === "or" && chunk.conditions.length > 1) {
      out.push(...sequenceOf(chunk, ids));
    } else {
      out.push(elementFor(chunk, ids));
    }
  });
  return out;
}

function joined(items: (BRule | BGroup)[], connector: Connector): (BRule | BGroup | string)[] {
  const out: (BRule | BGroup | string)[] = [];
  items.forEach((item, i) => {
    if (i > 0) out.push(connector);
    out.push(item);
  });
  return out;
}

function elementFor(condition: Condition, ids: IdMaker): BRule | BGroup {
  switch (condition.type) {
    case "and":
    case "or":
    case "not":
      return groupFor(condition, ids);
    case "attribute":
      return {
        id: ids(),
        field: condition.field,
        operator: condition.op,
        value: testValue(condition),
      };
    case "in_segment":
      return { id: ids(), field: SEGMENT, operator: SEGMENT_OP, value: condition.segment };
    case "related":
      return relatedRule(condition, ids);
    case "behavior":
      return behaviorRule(condition, ids);
    default:
      return { id: ids(), field: RAW, operator: RAW_OP, value: condition };
  }
}

function relatedRule(node: RelatedNode, ids: IdMaker): BRule {
  const value: RelatedValue = { where: node.where ? groupFor(node.where, ids) : null };
  if (node.count !== undefined) {
    value.count = { op: node.count.op, value: testValue(node.count) };
  }
  if (node.match !== undefined) value.match = node.match;
  return { id: ids(), field: RELATED + node.relationship, operator: RELATED_OP, value };
}

function behaviorRule(node: BehaviorNode, ids: IdMaker): BRule {
  const value: BehaviorValue = {
    where: node.where ? groupFor(node.where, ids) : null,
    window: windowValue(node.window),
    test: behaviorTest(node),
  };
  return { id: ids(), field: BEHAVIOR + node.interaction, operator: BEHAVIOR_OP, value };
}

function windowValue(window: Window | undefined): WindowValue {
  if (window === undefined) return { kind: "all" };
  if ("last" in window) return { kind: "last", last: window.last, unit: window.unit };
  return { kind: "range", from: window.from ?? "", to: window.to ?? "" };
}

function behaviorTest(node: BehaviorNode): BehaviorTest {
  if (node.count) return { kind: "count", op: node.count.op, value: testValue(node.count) };
  if (node.aggregate) {
    const a: Aggregate = node.aggregate;
    return { kind: "aggregate", fn: a.fn, field: a.field, op: a.op, value: testValue(a) };
  }
  if (node.occurrence) {
    const o: Occurrence = node.occurrence;
    return { kind: "occurrence", which: o.which, op: o.op, value: testValue(o) };
  }
  return { kind: "done" };
}

// --- builder tree utilities ---------------------------------------------------------------

/** Every rule of a group, depth first, including those inside `where` groups. */
export function allRules(group: BGroup): BRule[] {
  const out: BRule[] = [];
  for (const item of group.rules) {
    if (isGroup(item)) out.push(...allRules(item));
    else if (isRule(item)) {
      out.push(item);
      const where = (item.value as { where?: BGroup | null } | null)?.where;
      if (where && (item.field.startsWith(BEHAVIOR) || item.field.startsWith(RELATED))) {
        out.push(...allRules(where));
      }
    }
  }
  return out;
}

/** Segment keys the condition refers to (in_segment blocks at any depth). */
export function referencedSegments(condition: Condition | null | undefined): string[] {
  const found = new Set<string>();
  const walk = (c: Condition | undefined): void => {
    if (!c) return;
    switch (c.type) {
      case "and":
      case "or":
        c.conditions.forEach(walk);
        break;
      case "not":
        walk(c.condition);
        break;
      case "in_segment":
        found.add(c.segment);
        break;
      case "related":
      case "behavior":
        walk(c.where);
        break;
      default:
        break;
    }
  };
  walk(condition ?? undefined);
  return [...found];
}
