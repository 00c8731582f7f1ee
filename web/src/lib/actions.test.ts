/** Helpers of the segment actions and the builder: schedule times, quota text, value suggestions, type changes, error messages. */
import { describe, expect, it } from "vitest";
import { ApiError, messageOf } from "../api/client";
import { conversionOf, convertItem } from "../segments/conversion";
import { matching } from "./suggestions";
import { isoToLocal, localToIso, quotaText, scheduleProblem } from "./schedule";

describe("activation schedule times", () => {
  it("turn a local input value into a UTC instant and back", () => {
    const iso = localToIso("2026-12-01T09:30");
    expect(iso).not.toBeNull();
    expect(isoToLocal(new Date(iso as string))).toBe("2026-12-01T09:30");
    expect(localToIso("")).toBeNull();
    expect(localToIso("tomorrow")).toBeNull();
    expect(localToIso("2026-13-45T99:99")).toBeNull();
  });

  it("must be in the future", () => {
    const now = new Date("2026-11-23T12:00:00Z");
    expect(scheduleProblem("", now)).toBe("Pick a date and a time.");
    expect(scheduleProblem(isoToLocal(new Date("2026-11-23T11:00:00Z")), now)).toBe("Pick a time in the future.");
    expect(scheduleProblem(isoToLocal(new Date("2026-11-24T11:00:00Z")), now)).toBeNull();
  });

  it("say the quota", () => {
    expect(quotaText(3, 500)).toBe("3 of 500 active");
  });
});

describe("value suggestions", () => {
  const found = [
    { value: "Seattle", count: 17 },
    { value: "Seoul", count: 4 },
    { value: "Berlin", count: 9 },
  ];

  it("narrow an earlier answer to what is typed now, any case", () => {
    expect(matching(found, "se").map((s) => s.value)).toEqual(["Seattle", "Seoul"]);
    expect(matching(found, "SEA").map((s) => s.value)).toEqual(["Seattle"]);
    expect(matching(found, "").length).toBe(3);
    expect(matching(found, "x")).toEqual([]);
    expect(matching(found, "", 2).length).toBe(2);
  });

  it("hide the list once the one match is typed exactly", () => {
    expect(matching(found, "Seattle")).toEqual([]);
    expect(matching(found, "seattle").map((s) => s.value)).toEqual(["Seattle"]);
  });
});

describe("type changes", () => {
  it("offer make static for dynamic and compound, make dynamic for static, none for external", () => {
    const seg = (type: string, pending: number | null = null) => ({ type, pending_revision: pending });
    const convert = () => undefined;
    expect(conversionOf(seg("dynamic"))).toBe("static");
    expect(conversionOf(seg("compound"))).toBe("static");
    expect(conversionOf(seg("static"))).toBe("dynamic");
    expect(conversionOf(seg("external"))).toBeNull();
    expect(convertItem(seg("external"), convert)).toEqual([]);
    expect(convertItem(seg("static"), convert).map((i) => [i.label, i.disabled])).toEqual([["Make dynamic", false]]);
    expect(convertItem(seg("dynamic", 3), convert).map((i) => [i.label, i.disabled])).toEqual([["Make static", true]]);
  });
});

describe("error messages", () => {
  it("name the quota and only the first segments that count", () => {
    const problems = ["a", "b", "c", "d", "e"].map((k) => ({ path: `segment ${k}`, message: "live and active" }));
    const error = new ApiError({ status: 409, title: "Conflict", detail: "the quota of 5 live, active segments is reached", problems });
    expect(messageOf(error, 2)).toBe(
      "the quota of 5 live, active segments is reached: segment a: live and active; segment b: live and active and 3 more",
    );
    expect(messageOf(error)).toContain("segment e: live and active");
  });
});
