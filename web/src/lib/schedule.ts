/** Activation schedules: the time a marketer picks (local, minutes) as the API's instant. */

/** A `datetime-local` input's value ("2026-12-01T09:30", the browser's time zone) as ISO
 * 8601 in UTC; null when it is empty or not a time. */
export function localToIso(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** An instant as a `datetime-local` value in the browser's time zone (minutes). */
export function isoToLocal(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Why a picked time cannot be scheduled, or null when it can (it must be in the future). */
export function scheduleProblem(value: string, now: Date): string | null {
  const iso = localToIso(value);
  if (iso === null) return "Pick a date and a time.";
  if (new Date(iso).getTime() <= now.getTime()) return "Pick a time in the future.";
  return null;
}

/** "N of M active" with the share used, for the quota figures. */
export function quotaText(used: number, limit: number): string {
  return `${used} of ${limit} active`;
}
