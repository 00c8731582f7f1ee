import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client";

/** Tells who uses the segment being edited: changes reach them once saved. */
export function UsageBanner({ segmentKey }: { segmentKey: string }) {
  const usage = useQuery({ queryKey: ["segment", segmentKey, "usage"], queryFn: () => api.usage(segmentKey) });
  const u = usage.data;
  if (!u || (u.segments.length === 0 && u.consumers.length === 0)) return null;
  const parts: string[] = [];
  if (u.segments.length) parts.push(`segments ${u.segments.join(", ")}`);
  if (u.consumers.length) parts.push(u.consumers.map((c) => `${c.kind} “${c.name}” (${c.role})`).join(", "));
  return (
    <div className="banner" role="note">
      In use by {parts.join("; ")}. Changes reach them once published.
    </div>
  );
}
