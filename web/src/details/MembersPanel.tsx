import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, csvUrl, messageOf, type ModelOut } from "../api/client";
import { attributeFields } from "../builder/fields";
import { formatValue } from "../lib/format";

interface Props {
  segmentKey: string;
  audience: string;
  model: ModelOut;
  version: number | null;
}

/** The stored members, 100 at a time, with fields of the segment's entities. */
export function MembersPanel({ segmentKey, audience, model, version }: Props) {
  const hasVersion = version !== null;
  const available = attributeFields(model, audience, 1);
  const key = model.entities.find((e) => e.name === audience)?.key;
  const [fields, setFields] = useState<string[]>(() =>
    available.filter((f) => f.name !== key && !f.name.includes(".")).slice(0, 5).map((f) => f.name),
  );
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useQuery({
    queryKey: ["segment", segmentKey, "members", version, fields, cursor],
    queryFn: () => api.members(segmentKey, fields, cursor),
    enabled: hasVersion,
    placeholderData: keepPreviousData,
  });
  const toggle = (name: string) => {
    setFields(fields.includes(name) ? fields.filter((f) => f !== name) : [...fields, name]);
    setCursors([null]);
  };
  const data = page.data;
  const start = (cursors.length - 1) * 100;
  return (
    <section className="panel" aria-labelledby="members-title">
      <div className="panel-head">
        <h2 id="members-title">Members</h2>
        <details className="popover popover-right">
          <summary className="btn btn-small">Fields ({fields.length})</summary>
          <fieldset className="popover-body field-chooser">
            <legend>Fields to show</legend>
            {available
              .filter((f) => f.name !== key)
              .map((f) => (
                <label key={f.name} className="check">
                  <input type="checkbox" checked={fields.includes(f.name)} onChange={() => toggle(f.name)} />
                  {f.label}
                  {f.pii ? <span className="badge badge-plain">PII</span> : null}
                </label>
              ))}
          </fieldset>
        </details>
        <a className="btn btn-small" href={csvUrl(segmentKey, fields)} download aria-disabled={!hasVersion}>
          Download CSV
        </a>
      </div>
      {!hasVersion && <p className="muted">No members stored yet: the segment has not been refreshed.</p>}
      {page.isError && <p className="error">Could not load members: {messageOf(page.error)}</p>}
      {data && (
        <>
          <p className="muted small">
            Version {data.version ?? "—"} · rows {data.rows.length ? `${start + 1}–${start + data.rows.length}` : "none"}
          </p>
          <div className="table-wrap">
            <table className="table compact" data-testid="members-table">
              <thead>
                <tr>
                  {data.fields.map((f) => (
                    <th key={f} scope="col">
                      {available.find((a) => a.name === f)?.label ?? f}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.rows.map((row, i) => (
                  <tr key={i}>
                    {data.fields.map((f) => (
                      <td key={f}>{formatValue(row[f])}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="button-row">
            <button type="button" className="btn btn-small" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              ← Previous 100
            </button>
            <button
              type="button"
              className="btn btn-small"
              disabled={!data.next_cursor}
              onClick={() => data.next_cursor && setCursors([...cursors, data.next_cursor])}
            >
              Next 100 →
            </button>
          </div>
        </>
      )}
    </section>
  );
}
