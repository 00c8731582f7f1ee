/** The segments list's columns: which exist, which are shown in what order, how they sort. */

import type { SegmentOut, SortColumn } from "../api/client";

export type ColumnId =
  | "name"
  | "type"
  | "audience"
  | "state"
  | "active"
  | "members"
  | "last_refreshed"
  | "tags"
  | "owner"
  | "created";

export interface ColumnDef {
  id: ColumnId;
  label: string;
  /** The API's sort key (GET /api/segments?sort=). */
  sortKey: SortColumn;
  numeric?: boolean;
}

export const COLUMNS: readonly ColumnDef[] = [
  { id: "name", label: "Name", sortKey: "name" },
  { id: "type", label: "Type", sortKey: "type" },
  { id: "audience", label: "Audience", sortKey: "audience" },
  { id: "state", label: "State", sortKey: "state" },
  { id: "active", label: "Active", sortKey: "active" },
  { id: "members", label: "Members", sortKey: "members", numeric: true },
  { id: "last_refreshed", label: "Last refreshed", sortKey: "last_refreshed_at" },
  { id: "tags", label: "Tags", sortKey: "tags" },
  { id: "owner", label: "Owner", sortKey: "owner" },
  { id: "created", label: "Created", sortKey: "created_at" },
];

export const ALL_COLUMNS: ColumnId[] = COLUMNS.map((c) => c.id);

export function columnDef(id: ColumnId): ColumnDef {
  return COLUMNS.find((c) => c.id === id) ?? (COLUMNS[0] as ColumnDef);
}

/** Move a shown column by `delta` places (clamped). */
export function moveColumn(order: ColumnId[], id: ColumnId, delta: number): ColumnId[] {
  const from = order.indexOf(id);
  if (from < 0) return order;
  const to = Math.max(0, Math.min(order.length - 1, from + delta));
  const next = [...order];
  next.splice(from, 1);
  next.splice(to, 0, id);
  return next;
}

/** Show or hide a column; the name always stays; a column shown again goes last. */
export function toggleColumn(order: ColumnId[], id: ColumnId): ColumnId[] {
  if (id === "name") return order;
  return order.includes(id) ? order.filter((c) => c !== id) : [...order, id];
}

/** Columns read back from storage: known ids only, no duplicates, the name always there. */
export function readColumns(stored: string | null): ColumnId[] {
  if (!stored) return [...ALL_COLUMNS];
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return [...ALL_COLUMNS];
  }
  if (!Array.isArray(parsed)) return [...ALL_COLUMNS];
  const known = new Set<string>(ALL_COLUMNS);
  const out: ColumnId[] = [];
  for (const item of parsed) {
    if (typeof item === "string" && known.has(item) && !out.includes(item as ColumnId)) out.push(item as ColumnId);
  }
  return out.includes("name") ? out : ["name", ...out];
}

export interface SortState {
  column: ColumnId;
  desc: boolean;
}

/** Every tag in use, sorted. */
export function allTags(items: SegmentOut[]): string[] {
  return [...new Set(items.flatMap((s) => s.tags))].sort((a, b) => a.localeCompare(b));
}
