import { describe, expect, it } from "vitest";
import { fromCondition, toCondition, type BRule } from "./convert";
import { locateProblems } from "./problems";

describe("locating problems", () => {
  it("puts condition problems at their rule and the rest in general", () => {
    const root = fromCondition({
      type: "and",
      conditions: [
        { type: "attribute", field: "citty", op: "eq", value: "x" },
        { type: "attribute", field: "age", op: "gt", value: "abc" },
      ],
    });
    const { paths } = toCondition(root);
    const [first, , second] = root.rules as BRule[];
    const found = locateProblems(
      [
        { path: "condition.conditions[0].field", message: "contact has no attribute named 'citty'" },
        { path: "condition.conditions[1].value", message: "must be a whole number" },
        { path: "key", message: "already exists" },
      ],
      paths,
    );
    expect(found.byId.get(first?.id ?? "")).toEqual(["contact has no attribute named 'citty'"]);
    expect(found.byId.get(second?.id ?? "")).toEqual(["must be a whole number"]);
    expect(found.general).toEqual([{ path: "key", message: "already exists" }]);
  });
});
