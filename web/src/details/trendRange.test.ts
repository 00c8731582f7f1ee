import { describe, expect, it } from "vitest";
import { sinceFor } from "./trendRange";

describe("trend ranges", () => {
  it("ask for the start of the range, or everything", () => {
    const now = new Date("2026-11-23T12:00:00Z");
    expect(sinceFor("7d", now)).toBe("2026-11-16T12:00:00.000Z");
    expect(sinceFor("all", now)).toBeUndefined();
  });
});
