export interface Filters {
  search: string;
  tags: string[];
  type: string;
  state: string;
}

const TYPES = ["dynamic", "static", "compound", "expansion", "external"];
const STATES = ["draft", "live"];

interface Props {
  filters: Filters;
  onChange: (f: Filters) => void;
  tags: string[];
}

/** Search by name, and filter by tags (all of them), type and state. */
export function SegmentFilters({ filters, onChange, tags }: Props) {
  const toggleTag = (tag: string) =>
    onChange({
      ...filters,
      tags: filters.tags.includes(tag) ? filters.tags.filter((t) => t !== tag) : [...filters.tags, tag],
    });
  return (
    <div className="filters" role="search">
      <input
          type="search"
          aria-label="Search segments by name"
          placeholder="Search name…"
          value={filters.search}
          onChange={(e) => onChange({ ...filters, search: e.target.value })}
        />
      <details className="popover">
        <summary className="btn">
          Tags{filters.tags.length ? ` (${filters.tags.length})` : ""}
        </summary>
        <fieldset className="popover-body">
          <legend>Segments with all of these tags</legend>
          {tags.length === 0 && <p className="muted">No tags yet.</p>}
          {tags.map((tag) => (
            <label key={tag} className="check">
              <input type="checkbox" checked={filters.tags.includes(tag)} onChange={() => toggleTag(tag)} />
              {tag}
            </label>
          ))}
        </fieldset>
      </details>
        <select aria-label="Filter by type" value={filters.type} onChange={(e) => onChange({ ...filters, type: e.target.value })}>
          <option value="">All types</option>
          {TYPES.map((t) => (
            <option key={t} value={t}>{t}</option>
          ))}
        </select>
        <select aria-label="Filter by state" value={filters.state} onChange={(e) => onChange({ ...filters, state: e.target.value })}>
          <option value="">All states</option>
          {STATES.map((s) => (
            <option key={s} value={s}>{s}</option>
          ))}
        </select>
      {filters.tags.map((tag) => (
        <button key={tag} type="button" className="chip chip-button" onClick={() => toggleTag(tag)} aria-label={`Remove tag filter ${tag}`}>
          tag: {tag} ✕
        </button>
      ))}
    </div>
  );
}
