import { describe, expect, it } from "vitest";
import type { SegmentOut } from "../api/client";
import { ALL_COLUMNS, allTags, COLUMNS, moveColumn, readColumns, toggleColumn } from "../segments/columns";
import { safeUrl, slugify, splitIds } from "./format";
import { href, parseHash, type Route } from "./router";

describe("hash routes", () => {
  it("parse and print each page", () => {
    const routes: Route[] = [
      { page: "segments" },
      { page: "new" },
      { page: "new", template: "high-spenders" },
      { page: "segment", key: "vip/customers <b>" },
      { page: "edit", key: "vip" },
      { page: "runs" },
      { page: "system" },
    ];
    for (const r of routes) expect(parseHash(href(r))).toEqual(r);
    expect(parseHash("")).toEqual({ page: "segments" });
    expect(parseHash("#/nope/x/y")).toEqual({ page: "not-found", path: "/nope/x/y" });
  });
});

describe("columns", () => {
  it("move within bounds", () => {
    expect(moveColumn(["name", "type", "tags"], "tags", -1)).toEqual(["name", "tags", "type"]);
    expect(moveColumn(["name", "type"], "name", -5)).toEqual(["name", "type"]);
  });

  it("hide and show, never the name", () => {
    expect(toggleColumn(["name", "type"], "type")).toEqual(["name"]);
    expect(toggleColumn(["name"], "owner")).toEqual(["name", "owner"]);
    expect(toggleColumn(["name"], "name")).toEqual(["name"]);
  });

  it("read back only known columns", () => {
    expect(readColumns(null)).toEqual(ALL_COLUMNS);
    expect(readColumns("garbage")).toEqual(ALL_COLUMNS);
    expect(readColumns('["tags","bogus","tags"]')).toEqual(["name", "tags"]);
  });

  it("every column sorts in the API; tags are listed once, sorted", () => {
    expect(COLUMNS.map((c) => c.sortKey)).toContain("tags");
    const seg = (name: string, tags: string[]) => ({ name, tags }) as unknown as SegmentOut;
    const items = [seg("a", []), seg("b", ["x"]), seg("c", ["a", "z", "x"])];
    expect(allTags(items)).toEqual(["a", "x", "z"]);
  });
});

describe("formats", () => {
  it("make keys from names", () => {
    expect(slugify("Café VIPs — Q4!")).toBe("cafe-vips-q4");
  });

  it("link only http(s) urls", () => {
    expect(safeUrl("javascript:alert(1)")).toBeNull();
    expect(safeUrl("https://x.example/a")).toBe("https://x.example/a");
    expect(safeUrl("not a url")).toBeNull();
  });

  it("split pasted ids", () => {
    expect(splitIds("C1, C2\nC3;C1  ")).toEqual(["C1", "C2", "C3"]);
  });
});
