import type { SegmentOut } from "../api/client";

/** In the segments list, under a mirror's name: where it comes from (its description names
 * the external source, URL and last refresh) and that edits here do not last. */
export function MirrorNote({ segment }: { segment: Pick<SegmentOut, "description"> }) {
  return (
    <div className="small mirror-note">
      {segment.description && <div className="muted">{segment.description}</div>}
      <div className="field-problem">Mirrored: edits here are overwritten by the next export.</div>
    </div>
  );
}
