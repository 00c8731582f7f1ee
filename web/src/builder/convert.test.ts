import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  allRules,
  BEHAVIOR,
  elementForPath,
  fromCondition,
  isGroup,
  referencedSegments,
  RELATED,
  SEGMENT,
  toCondition,
  type BGroup,
  type BRule,
  type IdMaker,
} from "./convert";
import type { Condition } from "./definition";

function ids(): IdMaker {
  let n = 0;
  return () => `id${++n}`;
}

const roundTrip = (c: Condition): Condition | null => toCondition(fromCondition(c, ids())).condition;

const attr = (field: string, op: string, value?: unknown, unit?: string): Condition =>
  ({
    type: "attribute",
    field,
    op,
    ...(value === undefined ? {} : { value }),
    ...(unit === undefined ? {} : { unit }),
  }) as Condition;

const A = attr("city", "eq", "Seattle");
const B = attr("country", "in", ["US", "CA"]);
const C = attr("age", "between", [25, 34]);
const D: Condition = { type: "in_segment", segment: "churn-risk" };

describe("the marketer's block language", () => {
  it("reads A or B, and also C, but not D as and(or(A, B), C, not(D))", () => {
    const condition: Condition = {
      type: "and",
      conditions: [{ type: "or", conditions: [A, B] }, C, { type: "not", condition: D }],
    };
    const root = fromCondition(condition, ids());
    const connectors = root.rules.filter((r) => typeof r === "string");
    expect(connectors).toEqual(["or", "and", "but_not"]);
    expect(root.rules.filter((r) => typeof r !== "string")).toHaveLength(4);
    expect(toCondition(root).condition).toEqual(condition);
  });

  it("makes a chunk after but not extend over its or-joined blocks", () => {
    const root: BGroup = {
      id: "r",
      rules: [
        { id: "a", field: "city", operator: "eq", value: "Seattle" },
        "but_not",
        { id: "b", field: "country", operator: "in", value: ["US", "CA"] },
        "or",
        { id: "c", field: "age", operator: "between", value: [25, 34] },
        "and",
        { id: "d", field: SEGMENT, operator: "in_segment", value: "churn-risk" },
      ],
    };
    expect(toCondition(root).condition).toEqual({
      type: "and",
      conditions: [A, { type: "not", condition: { type: "or", conditions: [B, C] } }, D],
    });
  });

  it("negates a whole group with its not toggle", () => {
    const root: BGroup = {
      id: "r",
      not: true,
      rules: [{ id: "a", field: "city", operator: "eq", value: "Seattle" }, "and", { id: "b", field: "country", operator: "in", value: ["US", "CA"] }],
    };
    expect(toCondition(root).condition).toEqual({
      type: "not",
      condition: { type: "and", conditions: [A, B] },
    });
  });

  it("keeps nested groups", () => {
    const condition: Condition = {
      type: "or",
      conditions: [{ type: "and", conditions: [A, B] }, C],
    };
    const root = fromCondition(condition, ids());
    expect(isGroup(root.rules[0])).toBe(true);
    expect(roundTrip(condition)).toEqual(condition);
  });

  it("puts a leading not in a negated group", () => {
    const condition: Condition = {
      type: "and",
      conditions: [{ type: "not", condition: { type: "or", conditions: [A, B] } }, C],
    };
    const root = fromCondition(condition, ids());
    const first = root.rules[0];
    expect(isGroup(first) && first.not).toBe(true);
    expect(roundTrip(condition)).toEqual(condition);
  });

  it("gives nothing for an empty builder and an empty builder for nothing", () => {
    expect(toCondition({ id: "r", rules: [] }).condition).toBeNull();
    expect(fromCondition(null).rules).toEqual([]);
  });

  it("reports an empty nested group at its own path", () => {
    const root: BGroup = {
      id: "r",
      rules: [{ id: "a", field: "city", operator: "eq", value: "x" }, "and", { id: "g", rules: [] }],
    };
    const { condition, paths } = toCondition(root);
    expect(condition).toEqual({
      type: "and",
      conditions: [attr("city", "eq", "x"), { type: "and", conditions: [] }],
    });
    expect(elementForPath(paths, "condition.conditions[1].conditions")).toBe("g");
  });

  it("unwraps single-condition groups (same meaning)", () => {
    expect(roundTrip({ type: "and", conditions: [A] })).toEqual(A);
    expect(roundTrip({ type: "or", conditions: [{ type: "and", conditions: [A] }, B] })).toEqual({
      type: "or",
      conditions: [A, B],
    });
  });
});

describe("values", () => {
  it("holds relative dates as an amount with a unit", () => {
    const c = attr("last_login", "in_last", 7, "day");
    const rule = fromCondition(c, ids()).rules[0] as BRule;
    expect(rule.value).toEqual({ amount: 7, unit: "day" });
    expect(roundTrip(c)).toEqual(c);
  });

  it("writes no value for operators that take none", () => {
    const rule: BRule = { id: "a", field: "email_opt_in", operator: "is_true", value: "" };
    expect(toCondition({ id: "r", rules: [rule] }).condition).toEqual(attr("email_opt_in", "is_true"));
  });

  it("converts behavior blocks with where, window and each test", () => {
    const cases: Condition[] = [
      { type: "behavior", interaction: "web_visit" },
      {
        type: "behavior",
        interaction: "email_opened",
        where: attr("email_name", "contains", "dress"),
        window: { last: 30, unit: "day" },
        count: { op: "gte", value: 2 },
      },
      {
        type: "behavior",
        interaction: "purchase",
        window: { from: "2025-11-28", to: "2025-12-01" },
        aggregate: { fn: "sum", field: "amount", op: "gt", value: 150 },
      },
      {
        type: "behavior",
        interaction: "purchase",
        window: { from: "2025-11-28" },
        aggregate: { fn: "max", field: "amount", op: "is_empty" },
      },
      {
        type: "behavior",
        interaction: "purchase",
        occurrence: { which: "last", op: "more_than_ago", value: 90, unit: "day" },
      },
    ];
    for (const c of cases) expect(roundTrip(c)).toEqual(c);
    const rule = fromCondition(cases[1], ids()).rules[0] as BRule;
    expect(rule.field).toBe(`${BEHAVIOR}email_opened`);
  });

  it("converts related blocks with match, count and nested related", () => {
    const cases: Condition[] = [
      { type: "related", relationship: "orders" },
      { type: "related", relationship: "orders", match: "none", where: attr("status", "eq", "returned") },
      {
        type: "related",
        relationship: "contacts",
        count: { op: "gte", value: 2 },
        where: {
          type: "and",
          conditions: [
            attr("last_login", "in_last", 30, "day"),
            { type: "related", relationship: "orders", match: "all", where: attr("total", "gt", 10) },
          ],
        },
      },
    ];
    for (const c of cases) expect(roundTrip(c)).toEqual(c);
    const rule = fromCondition(cases[0], ids()).rules[0] as BRule;
    expect(rule.field).toBe(`${RELATED}orders`);
  });

  it("keeps conditions it cannot edit as they are", () => {
    const odd = { type: "lookalike", seed: "vip" } as unknown as Condition;
    const c: Condition = { type: "and", conditions: [A, odd] };
    expect(roundTrip(c)).toEqual(c);
  });
});

describe("problem paths", () => {
  it("point at the rule or group they concern", () => {
    const condition: Condition = {
      type: "and",
      conditions: [
        { type: "or", conditions: [A, B] },
        {
          type: "behavior",
          interaction: "purchase",
          where: { type: "and", conditions: [attr("amount", "gt", 1), attr("product_category", "eq", "x")] },
        },
        { type: "not", condition: D },
      ],
    };
    const root = fromCondition(condition, ids());
    const { paths } = toCondition(root);
    const rules = allRules(root);
    const byField = (field: string) => rules.find((r) => r.field === field)?.id;
    expect(elementForPath(paths, "condition.conditions[0].conditions[1].value")).toBe(byField("country"));
    expect(elementForPath(paths, "condition.conditions[1].where.conditions[1].field")).toBe(
      byField("product_category"),
    );
    expect(elementForPath(paths, "condition.conditions[1].window.last")).toBe(byField(`${BEHAVIOR}purchase`));
    expect(elementForPath(paths, "condition.conditions[2].condition.segment")).toBe(byField(SEGMENT));
    expect(elementForPath(paths, "condition.conditions")).toBe(root.id);
    expect(elementForPath(paths, "audience")).toBeUndefined();
  });
});

describe("the demo's segment definitions", () => {
  const folder = fileURLToPath(new URL("../../../src/segmint/demo/segments/", import.meta.url));
  const files = readdirSync(folder).filter((f) => f.endsWith(".yaml"));

  it("are there to test with", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files)("%s survives the round trip unchanged", (file) => {
    const doc = parse(readFileSync(folder + file, "utf-8")) as { condition?: Condition };
    if (!doc.condition) return;
    expect(roundTrip(doc.condition)).toEqual(doc.condition);
  });

  it("finds the segments a definition refers to", () => {
    const doc = parse(readFileSync(`${folder}loyal-not-at-risk.yaml`, "utf-8")) as { condition: Condition };
    expect(referencedSegments(doc.condition).sort()).toEqual([
      "churn-risk",
      "repeat-customers-no-returns",
      "vip-customers",
    ]);
  });
});

// --- properties ------------------------------------------------------------------------------

const text = fc.constantFrom("Seattle", "US", "a b", "<b>x</b>", "");
const leafAttr: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({ f: fc.constantFrom("city", "account.industry"), op: fc.constantFrom("eq", "neq", "contains"), v: text }).map(
    ({ f, op, v }) => attr(f, op, v),
  ),
  fc.record({ op: fc.constantFrom("in", "not_in"), v: fc.array(text, { maxLength: 3 }) }).map(({ op, v }) => attr("country", op, v)),
  fc.record({ op: fc.constantFrom("gt", "lte"), v: fc.integer() }).map(({ op, v }) => attr("age", op, v)),
  fc.record({ a: fc.integer(), b: fc.integer() }).map(({ a, b }) => attr("lifetime_value", "between", [a, b])),
  fc.record({ op: fc.constantFrom("in_last", "more_than_ago"), n: fc.nat(), unit: fc.constantFrom("day", "hour", "month") }).map(
    ({ op, n, unit }) => attr("last_login", op, n, unit),
  ),
  fc.constantFrom("is_empty", "is_not_empty", "is_true").map((op) => attr("email_opt_in", op)),
  fc.constantFrom("vip", "churn-risk").map((s): Condition => ({ type: "in_segment", segment: s })),
);

const test = fc.oneof(
  fc.record({ op: fc.constantFrom("gte", "eq"), value: fc.nat() }),
  fc.record({ op: fc.constant("between"), value: fc.tuple(fc.nat(), fc.nat()) }),
);

const { condition: arbCondition } = fc.letrec<{ condition: Condition; block: Condition }>((tie) => ({
  condition: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leafAttr,
    tie("block"),
    fc.array(tie("condition"), { minLength: 2, maxLength: 3 }).map((cs): Condition => ({ type: "and", conditions: cs })),
    fc.array(tie("condition"), { minLength: 2, maxLength: 3 }).map((cs): Condition => ({ type: "or", conditions: cs })),
    tie("condition").map((c): Condition => ({ type: "not", condition: c })),
  ),
  block: fc.oneof(
    fc
      .record(
        {
          interaction: fc.constantFrom("purchase", "email_opened"),
          where: tie("condition"),
          window: fc.oneof(
            fc.record({ last: fc.nat(), unit: fc.constantFrom("day", "week") }),
            fc.record({ from: fc.constant("2025-01-01"), to: fc.constant("2025-02-01") }, { requiredKeys: [] }),
          ),
          test: fc.oneof(
            test.map((t) => ({ count: t })),
            test.map((t) => ({ aggregate: { fn: "sum" as const, field: "amount", ...t } })),
            fc.constant({ occurrence: { which: "first" as const, op: "in_last", value: 3, unit: "day" } }),
            fc.constant({}),
          ),
        },
        { requiredKeys: ["interaction", "test"] },
      )
      .map(({ test: t, ...rest }): Condition => ({ type: "behavior", ...rest, ...t })),
    fc
      .record(
        {
          relationship: fc.constantFrom("orders", "leads"),
          where: tie("condition"),
          mode: fc.oneof(
            fc.constantFrom<"any" | "all" | "none">("any", "all", "none").map((m) => ({ match: m })),
            test.map((t) => ({ count: t })),
            fc.constant({}),
          ),
        },
        { requiredKeys: ["relationship", "mode"] },
      )
      .map(({ mode, ...rest }): Condition => ({ type: "related", ...rest, ...mode })),
  ),
}));

describe("round trip properties", () => {
  it("definition → builder → definition is the identity (groups of two or more)", () => {
    fc.assert(
      fc.property(arbCondition, (c) => {
        expect(roundTrip(c)).toEqual(c);
      }),
      { numRuns: 500 },
    );
  });

  it("builder → definition → builder → definition is stable", () => {
    fc.assert(
      fc.property(arbCondition, (c) => {
        // Scramble the builder's shape: wrap elements in groups, as a user may.
        const root = fromCondition(c, ids());
        const wrapped: BGroup = { id: "w", rules: [{ id: "g", rules: root.rules }] };
        const once = toCondition(wrapped).condition;
        const twice = toCondition(fromCondition(once, ids())).condition;
        expect(twice).toEqual(once);
      }),
      { numRuns: 300 },
    );
  });

  it("maps every rule of the builder to a path", () => {
    fc.assert(
      fc.property(arbCondition, (c) => {
        const root = fromCondition(c, ids());
        const { paths } = toCondition(root);
        const mapped = new Set(paths.values());
        for (const rule of allRules(root)) expect(mapped.has(rule.id)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
