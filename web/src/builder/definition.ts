/**
 * Segmint's definition language (docs/definition-language.md) as TypeScript types.
 *
 * The API types conditions as free JSON objects; these types say what the builder writes.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export type Unit = "hour" | "day" | "week" | "month" | "year";

/** The operator and value of a test: an attribute's, a count's, an aggregate's, a time's. */
export interface Test {
  op: string;
  value?: Json;
  unit?: string;
}

export interface AndNode {
  type: "and";
  conditions: Condition[];
}

export interface OrNode {
  type: "or";
  conditions: Condition[];
}

export interface NotNode {
  type: "not";
  condition: Condition;
}

export interface AttributeNode extends Test {
  type: "attribute";
  field: string;
}

export interface RelatedNode {
  type: "related";
  relationship: string;
  match?: "any" | "all" | "none";
  count?: Test;
  where?: Condition;
}

export type Window = { last: number | string; unit: string } | { from?: string; to?: string };

export interface Aggregate extends Test {
  fn: "sum" | "avg" | "min" | "max";
  field: string;
}

export interface Occurrence extends Test {
  which: "first" | "last";
}

export interface BehaviorNode {
  type: "behavior";
  interaction: string;
  where?: Condition;
  window?: Window;
  count?: Test;
  aggregate?: Aggregate;
  occurrence?: Occurrence;
}

export interface InSegmentNode {
  type: "in_segment";
  segment: string;
}

export type Condition =
  | AndNode
  | OrNode
  | NotNode
  | AttributeNode
  | RelatedNode
  | BehaviorNode
  | InSegmentNode;

/** What POST /api/evaluate/count and PUT .../definition take. */
export interface Definition {
  audience: string;
  timezone: string;
  condition: Condition;
}

export function isCondition(value: unknown): value is Condition {
  return typeof value === "object" && value !== null && "type" in value;
}
