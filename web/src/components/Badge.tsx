import type { SegmentOut } from "../api/client";

export function Badge({ tone, children }: { tone?: string; children: string }) {
  return <span className={`badge badge-${tone ?? "plain"}`}>{children}</span>;
}

/** The lifecycle status of a segment: draft, live, or live with a pending edit. */
export function StatusBadge({ segment }: { segment: Pick<SegmentOut, "status" | "state"> }) {
  const tone = segment.state === "live" ? (segment.status === "live" ? "live" : "editable") : "draft";
  return <Badge tone={tone}>{segment.status}</Badge>;
}

export function RunStatusBadge({ status }: { status: string }) {
  const tone =
    status === "succeeded"
      ? "live"
      : status === "failed"
        ? "error"
        : status === "running" || status === "queued"
          ? "busy"
          : "plain";
  return <Badge tone={tone}>{status}</Badge>;
}
