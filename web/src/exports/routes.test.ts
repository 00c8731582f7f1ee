import { describe, expect, it } from "vitest";
import { href, parseHash, type Route } from "../lib/router";

describe("export routes", () => {
  it("round-trip through the hash", () => {
    const routes: Route[] = [{ page: "destinations" }, { page: "destination", key: "crm hook" }, { page: "exports" }];
    for (const r of routes) expect(parseHash(href(r))).toEqual(r);
    expect(href({ page: "destination", key: "crm hook" })).toBe("#/destinations/crm%20hook");
    expect(parseHash("#/exports/x")).toEqual({ page: "not-found", path: "/exports/x" });
  });
});
