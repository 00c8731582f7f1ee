import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, messageOf } from "../api/client";
import { href } from "../lib/router";
import { quotaText } from "../lib/schedule";
import { useDebounced } from "../lib/useDebounced";
import { BulkBar } from "./BulkBar";
import { ColumnChooser } from "./ColumnChooser";
import { allTags, columnDef, readColumns, type ColumnId, type SortState } from "./columns";
import { SegmentFilters, type Filters } from "./SegmentFilters";
import { SegmentsTable } from "./SegmentsTable";

const COLUMNS_KEY = "segmint.segments.columns";

/** The segments list: search, filters, sortable columns of your choice, bulk and row actions. */
export function SegmentsPage() {
  const [filters, setFilters] = useState<Filters>({ search: "", tags: [], type: "", state: "" });
  const [sort, setSort] = useState<SortState>({ column: "name", desc: false });
  const [columns, setColumns] = useState<ColumnId[]>(() => readColumns(localStorage.getItem(COLUMNS_KEY)));
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const search = useDebounced(filters.search.trim(), 250);

  useEffect(() => localStorage.setItem(COLUMNS_KEY, JSON.stringify(columns)), [columns]);

  const serverSort = columnDef(sort.column).sortKey;
  const query = {
    search,
    tags: filters.tags,
    types: filters.type ? [filters.type] : [],
    states: filters.state ? [filters.state] : [],
    sort: serverSort,
    desc: sort.desc,
  };
  const list = useQuery({
    queryKey: ["segments", "list", query],
    queryFn: () => api.segments(query),
    placeholderData: keepPreviousData,
  });
  const everything = useQuery({ queryKey: ["segments", "all"], queryFn: () => api.segments() });
  const system = useQuery({ queryKey: ["system"], queryFn: api.system });
  const items = list.data ?? [];
  const visible = new Set(items.map((s) => s.key));
  const chosen = items.filter((s) => selected.has(s.key));

  return (
    <div className="page">
      <div className="page-head">
        <h1>Segments</h1>
        {system.data && (
          <a className="quota muted" href={href({ page: "system" })} data-testid="list-quota" title="Live, active segments against the quota">
            {quotaText(system.data.active_count, system.data.max_active_segments)}
          </a>
        )}
        <span className="spacer" />
        <a className="btn btn-primary" href={href({ page: "new" })}>
          New segment
        </a>
      </div>
      <div className="toolbar">
        <SegmentFilters filters={filters} onChange={setFilters} tags={allTags(everything.data ?? [])} />
        <ColumnChooser columns={columns} onChange={setColumns} />
      </div>
      <BulkBar selected={chosen} onClear={() => setSelected(new Set())} />
      {list.isError && (
        <p className="error" role="alert">
          Could not load segments: {messageOf(list.error)}
        </p>
      )}
      <SegmentsTable
        items={items}
        columns={columns}
        sort={sort}
        onSort={setSort}
        selected={selected}
        onSelect={(keys) => setSelected(new Set([...keys].filter((k) => visible.has(k))))}
        loading={list.isPending}
      />
      <p className="muted" aria-live="polite">
        {list.data ? `${items.length} segment${items.length === 1 ? "" : "s"}` : ""}
        {list.isFetching && !list.isPending ? " · updating…" : ""}
      </p>
    </div>
  );
}
