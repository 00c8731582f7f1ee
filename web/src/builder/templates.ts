/**
 * Starting points for a new segment. Each is a complete definition; the builder offers only
 * those that fit the workspace's data model (every field, interaction and relationship exists).
 */

import type { ModelOut } from "../api/client";
import type { Condition } from "./definition";
import { attributeAt, entityOf, interactionOf } from "./fields";

export interface Template {
  id: string;
  name: string;
  description: string;
  audience: string;
  condition: Condition;
}

export const TEMPLATES: Template[] = [
  {
    id: "recent-buyers",
    name: "Recent buyers who opted in",
    description: "Bought at least once in the last 90 days and agreed to receive email.",
    audience: "contact",
    condition: {
      type: "and",
      conditions: [
        { type: "behavior", interaction: "purchase", window: { last: 90, unit: "day" } },
        { type: "attribute", field: "email_opt_in", op: "is_true" },
      ],
    },
  },
  {
    id: "lapsed-customers",
    name: "Lapsed repeat customers",
    description: "Bought two times or more, but not in the last 180 days.",
    audience: "contact",
    condition: {
      type: "and",
      conditions: [
        { type: "behavior", interaction: "purchase", count: { op: "gte", value: 2 } },
        {
          type: "behavior",
          interaction: "purchase",
          occurrence: { which: "last", op: "more_than_ago", value: 180, unit: "day" },
        },
      ],
    },
  },
  {
    id: "high-spenders",
    name: "High spenders",
    description: "Spent more than 500 in the last 12 months.",
    audience: "contact",
    condition: {
      type: "behavior",
      interaction: "purchase",
      window: { last: 12, unit: "month" },
      aggregate: { fn: "sum", field: "amount", op: "gt", value: 500 },
    },
  },
  {
    id: "birthdays",
    name: "Birthdays this week",
    description: "Birthday in the next 7 days, opted in to email.",
    audience: "contact",
    condition: {
      type: "and",
      conditions: [
        { type: "attribute", field: "birthday", op: "anniversary_within", value: 7 },
        { type: "attribute", field: "email_opt_in", op: "is_true" },
      ],
    },
  },
  {
    id: "engaged-not-buying",
    name: "Engaged readers who don't buy",
    description: "Opened 3 emails or more in the last 30 days, but did not buy in the last 90 days.",
    audience: "contact",
    condition: {
      type: "and",
      conditions: [
        {
          type: "behavior",
          interaction: "email_opened",
          window: { last: 30, unit: "day" },
          count: { op: "gte", value: 3 },
        },
        {
          type: "not",
          condition: { type: "behavior", interaction: "purchase", window: { last: 90, unit: "day" } },
        },
      ],
    },
  },
  {
    id: "returners",
    name: "Customers with a returned order",
    description: "At least one order was returned.",
    audience: "contact",
    condition: {
      type: "related",
      relationship: "orders",
      match: "any",
      where: { type: "attribute", field: "status", op: "eq", value: "returned" },
    },
  },
  {
    id: "renewing-accounts",
    name: "Large accounts renewing soon",
    description: "Accounts with 500 employees or more whose renewal is in the next 3 months.",
    audience: "account",
    condition: {
      type: "and",
      conditions: [
        { type: "attribute", field: "employees", op: "gte", value: 500 },
        { type: "attribute", field: "renewal_date", op: "in_next", value: 3, unit: "month" },
      ],
    },
  },
];

/** Whether every field, interaction and relationship of the condition exists for `entity`. */
export function fits(model: ModelOut, entity: string, condition: Condition): boolean {
  const e = entityOf(model, entity);
  if (!e) return false;
  switch (condition.type) {
    case "and":
    case "or":
      return condition.conditions.every((c) => fits(model, entity, c));
    case "not":
      return fits(model, entity, condition.condition);
    case "attribute":
      return attributeAt(model, entity, condition.field) !== undefined;
    case "in_segment":
      return true;
    case "related": {
      const rel = e.relationships.find((r) => r.name === condition.relationship && r.type === "one_to_many");
      return rel !== undefined && (!condition.where || fits(model, rel.target, condition.where));
    }
    case "behavior": {
      const interaction = interactionOf(model, condition.interaction);
      if (!interaction || !e.interactions.includes(condition.interaction)) return false;
      const has = (name: string) => interaction.attributes.some((a) => a.name === name);
      if (condition.aggregate && !has(condition.aggregate.field)) return false;
      return !condition.where || whereFits(condition.where, has);
    }
    default:
      return false;
  }
}

function whereFits(condition: Condition, has: (name: string) => boolean): boolean {
  switch (condition.type) {
    case "and":
    case "or":
      return condition.conditions.every((c) => whereFits(c, has));
    case "not":
      return whereFits(condition.condition, has);
    case "attribute":
      return has(condition.field);
    default:
      return false;
  }
}

/** The templates that fit the model, for the given audience (or any audience). */
export function templatesFor(model: ModelOut, audience?: string): Template[] {
  return TEMPLATES.filter(
    (t) => (audience === undefined || t.audience === audience) && fits(model, t.audience, t.condition),
  );
}
