import { describe, expect, it } from "vitest";
import type { ModelOut } from "../api/client";
import model from "../test/demo-model.json";
import { BEHAVIOR, RELATED, SEGMENT } from "./convert";
import { attributeAt, attributeFields, fieldsFor, grouped, interactionFields } from "./fields";
import { defaultValue, operatorLabel, parseNumberInput, shapeOf } from "./operators";
import { fits, TEMPLATES, templatesFor } from "./templates";

const demo: ModelOut = model;

describe("fields from the model", () => {
  it("follows many-to-one relationships as dotted paths, never one-to-many", () => {
    const names = attributeFields(demo, "contact").map((f) => f.name);
    expect(names).toContain("city");
    expect(names).toContain("account.industry");
    expect(names.some((n) => n.startsWith("orders."))).toBe(false);
  });

  it("does not walk back to an entity already on the path", () => {
    const names = attributeFields(demo, "lead").map((f) => f.name);
    expect(names).toContain("contact.account.industry");
    expect(names).toContain("account.name");
    expect(names.some((n) => n.startsWith("contact.account.contacts"))).toBe(false);
    expect(names.some((n) => n.includes("lead."))).toBe(false);
  });

  it("offers behavior and related blocks, and segments when asked", () => {
    const names = fieldsFor(demo, "contact", { segments: true }).map((f) => f.name);
    expect(names).toContain(`${BEHAVIOR}purchase`);
    expect(names).toContain(`${RELATED}orders`);
    expect(names).not.toContain(`${RELATED}account`);
    expect(names).toContain(SEGMENT);
    expect(fieldsFor(demo, "contact").map((f) => f.name)).not.toContain(SEGMENT);
    expect(fieldsFor(demo, "contact", { segmentsOnly: true }).map((f) => f.name)).toEqual([SEGMENT]);
  });

  it("gives each attribute its type and operators", () => {
    const industry = fieldsFor(demo, "contact").find((f) => f.name === "account.industry");
    expect(industry?.type).toBe("string");
    expect(industry?.operators).toContain("in");
    expect(industry?.label).toBe("Account › Industry");
    expect(attributeAt(demo, "contact", "account.employees")?.type).toBe("integer");
    expect(attributeAt(demo, "contact", "orders.total")).toBeUndefined();
  });

  it("lists an interaction's attributes for behavior filters", () => {
    expect(interactionFields(demo, "purchase").map((f) => f.name)).toContain("amount");
  });

  it("groups options in first-seen order", () => {
    const groups = grouped(fieldsFor(demo, "contact", { segments: true }));
    expect(groups[0]?.label).toBe("Contact");
    expect(groups.map((g) => g.label)).toContain("Account");
    expect(groups[groups.length - 1]?.label).toBe("Segments");
  });
});

describe("operators", () => {
  it("knows each operator's value shape", () => {
    expect(shapeOf("is_empty")).toBe("none");
    expect(shapeOf("in")).toBe("list");
    expect(shapeOf("between")).toBe("pair");
    expect(shapeOf("in_last")).toBe("relative");
    expect(shapeOf("anniversary_within")).toBe("days");
    expect(shapeOf("eq")).toBe("scalar");
    expect(defaultValue("in_next")).toEqual({ amount: 30, unit: "day" });
    expect(defaultValue("has_any")).toEqual([]);
  });

  it("labels operators by type", () => {
    expect(operatorLabel("gte", "integer")).toBe("≥");
    expect(operatorLabel("eq", "string")).toBe("is");
    expect(operatorLabel("before", "date")).toBe("is before");
    expect(operatorLabel("has_all", "list")).toBe("includes all of");
  });

  it("keeps what is not a number as typed, for the server to name", () => {
    expect(parseNumberInput("12.5")).toBe(12.5);
    expect(parseNumberInput(" ")).toBe("");
    expect(parseNumberInput("12a")).toBe("12a");
  });
});

describe("templates", () => {
  it("all fit the demo model", () => {
    for (const t of TEMPLATES) expect(fits(demo, t.audience, t.condition), t.id).toBe(true);
  });

  it("are filtered by audience and by what the model has", () => {
    expect(templatesFor(demo, "account").map((t) => t.audience)).toEqual(["account"]);
    const bare: ModelOut = { ...demo, interactions: [], entities: demo.entities.map((e) => ({ ...e, interactions: [] })) };
    expect(templatesFor(bare, "contact").some((t) => t.id === "high-spenders")).toBe(false);
    expect(templatesFor(bare, "contact").some((t) => t.id === "returners")).toBe(true);
  });

  it("reject unknown fields", () => {
    expect(fits(demo, "contact", { type: "attribute", field: "citty", op: "eq", value: "x" })).toBe(false);
    expect(fits(demo, "contact", { type: "attribute", field: "account.nope", op: "eq", value: "x" })).toBe(false);
  });
});
