/**
 * What each operator's value looks like and how it reads, per attribute type.
 *
 * /api/model lists the valid operator *names* per attribute; the value shapes and phrases
 * mirror segmint/definition/operators.py (the API does not expose them).
 */

import type { Json } from "./definition";

export type AttrType = "string" | "integer" | "float" | "boolean" | "date" | "timestamp" | "list";

/** The shape of an operator's value, as the definition language writes it. */
export type Shape = "none" | "scalar" | "list" | "pair" | "relative" | "days";

const NONE_OPS = new Set(["is_empty", "is_not_empty", "is_true", "is_false"]);
const LIST_OPS = new Set(["in", "not_in", "has_any", "has_all", "has_none"]);
const RELATIVE_OPS = new Set(["in_last", "in_next", "more_than_ago"]);

export function shapeOf(op: string): Shape {
  if (NONE_OPS.has(op)) return "none";
  if (LIST_OPS.has(op)) return "list";
  if (op === "between") return "pair";
  if (RELATIVE_OPS.has(op)) return "relative";
  if (op === "anniversary_within") return "days";
  return "scalar";
}

export function isNumberType(type: string): boolean {
  return type === "integer" || type === "float";
}

export function isTemporalType(type: string): boolean {
  return type === "date" || type === "timestamp";
}

const TEXT_LABELS: Record<string, string> = {
  eq: "is",
  neq: "is not",
  in: "is one of",
  not_in: "is none of",
  contains: "contains",
  not_contains: "does not contain",
  starts_with: "begins with",
  ends_with: "ends with",
};

const NUMBER_LABELS: Record<string, string> = {
  eq: "=",
  neq: "≠",
  lt: "<",
  lte: "≤",
  gt: ">",
  gte: "≥",
  between: "is between",
  in: "is one of",
  not_in: "is none of",
};

const TEMPORAL_LABELS: Record<string, string> = {
  on: "is on",
  before: "is before",
  after: "is after",
  between: "is between",
  in_last: "is in the last",
  in_next: "is in the next",
  more_than_ago: "is more than",
  anniversary_within: "has its anniversary within",
};

const OTHER_LABELS: Record<string, string> = {
  is_empty: "is empty",
  is_not_empty: "is not empty",
  is_true: "is true",
  is_false: "is false",
  has: "includes",
  has_any: "includes any of",
  has_all: "includes all of",
  has_none: "includes none of",
};

/** A readable label of an operator on a value of `type`. */
export function operatorLabel(op: string, type: string): string {
  const table = isNumberType(type)
    ? NUMBER_LABELS
    : isTemporalType(type)
      ? TEMPORAL_LABELS
      : type === "string"
        ? TEXT_LABELS
        : {};
  return table[op] ?? OTHER_LABELS[op] ?? op.replace(/_/g, " ");
}

export const DATE_UNITS = ["day", "week", "month", "year"] as const;
export const TIMESTAMP_UNITS = ["hour", "day", "week", "month", "year"] as const;

export function unitsFor(type: string): readonly string[] {
  return type === "timestamp" ? TIMESTAMP_UNITS : DATE_UNITS;
}

/** An amount with its unit: how the builder holds a relative date value. */
export interface Relative {
  amount: number | string;
  unit: string;
}

export function isRelative(value: unknown): value is Relative {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "unit" in value;
}

/** A starting value for an operator, so a new condition reads sensibly. */
export function defaultValue(op: string): Json | Relative {
  switch (shapeOf(op)) {
    case "none":
      return "";
    case "list":
      return [];
    case "pair":
      return ["", ""];
    case "relative":
      return { amount: 30, unit: "day" };
    case "days":
      return 7;
    case "scalar":
      return "";
  }
}

/**
 * A number typed into an input: a number when it reads as one, else the text itself (so the
 * server's validation names the problem at its path rather than the value vanishing).
 */
export function parseNumberInput(text: string): number | string {
  const trimmed = text.trim();
  if (trimmed === "") return "";
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : text;
}
