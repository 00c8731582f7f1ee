import type { SegmentOut } from "../api/client";
import { Badge, StatusBadge } from "../components/Badge";
import { formatDate, formatDateTime, formatNumber, formatShortDateTime } from "../lib/format";
import { href } from "../lib/router";
import { columnDef, type ColumnId, type SortState } from "./columns";
import { RowActions } from "./RowActions";
import { MirrorNote } from "../exports/MirrorNote";

interface Props {
  items: SegmentOut[];
  columns: ColumnId[];
  sort: SortState;
  onSort: (s: SortState) => void;
  selected: Set<string>;
  onSelect: (keys: Set<string>) => void;
  loading: boolean;
}

function Cell({ segment, column }: { segment: SegmentOut; column: ColumnId }) {
  switch (column) {
    case "name":
      return (
        <>
          <a href={href({ page: "segment", key: segment.key })} className="segment-name">
            {segment.name}
          </a>
          <div className="muted small">{segment.key}</div>
          {segment.type === "external" && <MirrorNote segment={segment} />}
        </>
      );
    case "type":
      return <>{segment.type}</>;
    case "audience":
      return <>{segment.audience}</>;
    case "state":
      return (
        <>
          <StatusBadge segment={segment} />
          {segment.last_status === "failed" && (
            <span className="badge badge-error" title={segment.last_error ?? ""}>
              refresh failed
            </span>
          )}
        </>
      );
    case "active":
      return segment.active ? <Badge tone="live">active</Badge> : <Badge>inactive</Badge>;
    case "members":
      return <>{formatNumber(segment.members)}</>;
    case "last_refreshed":
      return <span title={formatDateTime(segment.last_refreshed_at)}>{formatShortDateTime(segment.last_refreshed_at)}</span>;
    case "tags":
      return (
        <>
          {segment.tags.map((t) => (
            <span key={t} className="chip chip-small">{t}</span>
          ))}
        </>
      );
    case "owner":
      return <>{segment.owner}</>;
    case "created":
      return <>{formatDate(segment.created_at)}</>;
  }
}

/** The segments as an accessible table: sortable headers, row selection, row actions. */
export function SegmentsTable({ items, columns, sort, onSort, selected, onSelect, loading }: Props) {
  const all = items.length > 0 && items.every((s) => selected.has(s.key));
  const toggle = (key: string) => {
    const next = new Set(selected);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    onSelect(next);
  };
  return (
    <div className="table-wrap">
      <table className="table segments-table" aria-busy={loading}>
        <caption className="visually-hidden">Segments</caption>
        <thead>
          <tr>
            <th scope="col" className="col-select">
              <input
                type="checkbox"
                aria-label="Select all shown segments"
                checked={all}
                onChange={() => onSelect(all ? new Set() : new Set(items.map((s) => s.key)))}
              />
            </th>
            {columns.map((id) => {
              const def = columnDef(id);
              const active = sort.column === id;
              return (
                <th
                  key={id}
                  scope="col"
                  className={def.numeric ? "num" : undefined}
                  aria-sort={active ? (sort.desc ? "descending" : "ascending") : "none"}
                >
                  <button
                    type="button"
                    className="sort-button"
                    onClick={() => onSort({ column: id, desc: active ? !sort.desc : false })}
                  >
                    {def.label}
                    <span aria-hidden="true" className="sort-mark">
                      {active ? (sort.desc ? " ▼" : " ▲") : ""}
                    </span>
                  </button>
                </th>
              );
            })}
            <th scope="col" className="col-actions">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((segment) => (
            <tr key={segment.key} data-key={segment.key} className={selected.has(segment.key) ? "selected" : undefined}>
              <td className="col-select">
                <input
                  type="checkbox"
                  aria-label={`Select ${segment.name}`}
                  checked={selected.has(segment.key)}
                  onChange={() => toggle(segment.key)}
                />
              </td>
              {columns.map((id) => (
                <td key={id} className={columnDef(id).numeric ? "num" : undefined} data-column={id}>
                  <Cell segment={segment} column={id} />
                </td>
              ))}
              <td className="col-actions">
                <RowActions segment={segment} />
              </td>
            </tr>
          ))}
          {!loading && items.length === 0 && (
            <tr>
              <td colSpan={columns.length + 2} className="empty">
                No segments match.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
