/** The time ranges of the trend chart, and the `since` each asks the API for. */

export const RANGES = [
  { id: "7d", label: "Last 7 days", days: 7 },
  { id: "30d", label: "Last 30 days", days: 30 },
  { id: "90d", label: "Last 90 days", days: 90 },
  { id: "1y", label: "Last year", days: 365 },
  { id: "all", label: "All time", days: null },
] as const;

export type RangeId = (typeof RANGES)[number]["id"];

export function sinceFor(range: RangeId, now: Date): string | undefined {
  const days = RANGES.find((r) => r.id === range)?.days ?? null;
  if (days === null) return undefined;
  return new Date(now.getTime() - days * 86_400_000).toISOString();
}
