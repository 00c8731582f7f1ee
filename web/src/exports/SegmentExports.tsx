import { useQuery } from "@tanstack/react-query";
import { messageOf } from "../api/client";
import { formatDateTime, formatNumber, safeUrl } from "../lib/format";
import { href } from "../lib/router";
import { refetchEvery } from "./forms";
import { exportsApi } from "./api";
import { ExportsTable } from "./ExportsTable";
import "./exports.css";

/** A mirror's origin: external source and URL, the description with its last refresh, and
 * the warning that edits here are overwritten by the next export. */
function MirrorPanel({ segmentKey }: { segmentKey: string }) {
  const mirror = useQuery({ queryKey: ["mirror", segmentKey], queryFn: () => exportsApi.mirror(segmentKey), refetchInterval: 10_000 });
  if (mirror.isError) return <p className="error-text">{messageOf(mirror.error)}</p>;
  const m = mirror.data;
  if (!m) return null;
  const link = m.external_url ? safeUrl(m.external_url) : null;
  return (
    <section className="panel mirror-panel" aria-labelledby="mirror-title">
      <h2 id="mirror-title">Mirrored segment</h2>
      <p className="notice-warning" role="note">
        {m.warning ?? `Editing ${m.key} here is possible, but ${m.external_source ?? "the system exporting it"} overwrites it with its next export.`}
      </p>
      <dl className="facts">
        <dt>External source</dt>
        <dd>{m.external_source ?? "—"}</dd>
        <dt>External segment</dt>
        <dd>
          {link ? (
            <a href={link} target="_blank" rel="noreferrer">
              {m.external_url}
            </a>
          ) : (
            (m.external_url ?? "—")
          )}
        </dd>
        <dt>Description</dt>
        <dd>{m.description || "—"}</dd>
        <dt>Last refreshed by an export</dt>
        <dd>{formatDateTime(m.last_export_at)}</dd>
        <dt>Last export</dt>
        <dd>
          {formatNumber(m.received)} IDs received, {formatNumber(m.matched)} matched contacts here, {formatNumber(m.unmatched)} unmatched
        </dd>
        {m.edited_at && (
          <>
            <dt>Edited here</dt>
            <dd>
              {formatDateTime(m.edited_at)} by {m.edited_by} (until the next export)
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

/** The segment details page's export section: the exports sending this segment, with their
 * last run; for a mirror (an external segment) where it comes from. */
export function SegmentExports({ segmentKey, type }: { segmentKey: string; type: string }) {
  const list = useQuery({
    queryKey: ["exports", { segment: segmentKey }],
    queryFn: () => exportsApi.segmentExports(segmentKey),
    refetchInterval: (q) => refetchEvery(q.state.data),
  });
  return (
    <>
      {type === "external" && <MirrorPanel segmentKey={segmentKey} />}
      <section className="panel" aria-labelledby="segment-exports-title">
        <h2 id="segment-exports-title">Exports</h2>
        {list.isError && <p className="error-text">{messageOf(list.error)}</p>}
        {list.data && list.data.length === 0 && (
          <p className="muted">
            Not exported. <a href={href({ page: "exports" })}>Create an export</a>.
          </p>
        )}
        {list.data && list.data.length > 0 && <ExportsTable exports={list.data} showSegments={false} />}
      </section>
    </>
  );
}
