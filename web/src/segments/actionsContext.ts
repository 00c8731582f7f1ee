import { createContext, useContext } from "react";
import type { SegmentOut } from "../api/client";

/** The minimum a segment action needs to know. */
export type SegmentRef = Pick<
  SegmentOut,
  "key" | "name" | "tags" | "active" | "type" | "members" | "activate_at" | "deactivate_at"
>;

export interface SegmentActions {
  duplicate: (segment: SegmentRef) => void;
  rename: (segment: SegmentRef) => void;
  tag: (segment: SegmentRef) => void;
  /** Delete, asking first; segments in use are listed and need a second confirmation. */
  remove: (segments: SegmentRef[], onDeleted?: (keys: string[]) => void) => void;
  refresh: (keys: string[]) => Promise<void>;
  setActive: (keys: string[], active: boolean) => Promise<void>;
  /** Schedule an activation or deactivation at a later time. */
  schedule: (segment: SegmentRef) => void;
  /** Make static (freezing the members) or dynamic again, asking first. */
  convert: (segment: SegmentRef) => void;
}

export const ActionsContext = createContext<SegmentActions | null>(null);

export function useSegmentActions(): SegmentActions {
  const found = useContext(ActionsContext);
  if (!found) throw new Error("useSegmentActions needs a SegmentActionsHost");
  return found;
}
