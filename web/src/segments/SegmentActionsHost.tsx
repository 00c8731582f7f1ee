import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type ReactNode } from "react";
import { api, messageOf } from "../api/client";
import { useNotify } from "../components/Notices";
import { href } from "../lib/router";
import { ActionsContext, type SegmentActions, type SegmentRef } from "./actionsContext";
import { ConvertDialog } from "./ConvertDialog";
import { DeleteDialog } from "./DeleteDialog";
import { DuplicateDialog } from "./DuplicateDialog";
import { RenameDialog } from "./RenameDialog";
import { ScheduleDialog } from "./ScheduleDialog";
import { TagsDialog } from "./TagsDialog";

type Open =
  | { kind: "duplicate"; segment: SegmentRef }
  | { kind: "rename"; segment: SegmentRef }
  | { kind: "tag"; segment: SegmentRef }
  | { kind: "schedule"; segment: SegmentRef }
  | { kind: "convert"; segment: SegmentRef }
  | { kind: "delete"; segments: SegmentRef[]; onDeleted?: (keys: string[]) => void }
  | null;

/** Provides the segment actions (list rows, bulk bar, details page) and their dialogs. */
export function SegmentActionsHost({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState<Open>(null);
  const notify = useNotify();
  const client = useQueryClient();

  const actions = useMemo<SegmentActions>(() => {
    const changed = async () => {
      await client.invalidateQueries({ queryKey: ["segments"] });
      await client.invalidateQueries({ queryKey: ["segment"] });
      await client.invalidateQueries({ queryKey: ["system"] });
    };
    return {
      duplicate: (segment) => setOpen({ kind: "duplicate", segment }),
      rename: (segment) => setOpen({ kind: "rename", segment }),
      tag: (segment) => setOpen({ kind: "tag", segment }),
      schedule: (segment) => setOpen({ kind: "schedule", segment }),
      convert: (segment) => setOpen({ kind: "convert", segment }),
      remove: (segments, onDeleted) => setOpen({ kind: "delete", segments, onDeleted }),
      refresh: async (keys) => {
        try {
          const found = await api.refresh(keys);
          const busy = Object.entries(found.coalesced);
          const parts: string[] = [];
          if (found.run) parts.push(`Refresh run #${found.run.id} started for ${found.run.total} segment(s).`);
          if (busy.length) parts.push(`Already refreshing: ${busy.map(([k, run]) => `${k} (run #${run})`).join(", ")}.`);
          notify("success", parts.join(" ") || "Nothing to refresh.", { href: href({ page: "runs" }), label: "See runs" });
          void client.invalidateQueries({ queryKey: ["runs"] });
        } catch (e) {
          notify("error", `Refresh failed: ${messageOf(e)}`);
        }
      },
      setActive: async (keys, active) => {
        const failed: string[] = [];
        for (const key of keys) {
          try {
            await (active ? api.activate(key) : api.deactivate(key));
          } catch (e) {
            failed.push(`${key}: ${messageOf(e, 3)}`);
          }
        }
        const done = keys.length - failed.length;
        if (done) notify("success", `${active ? "Activated" : "Deactivated"} ${done} segment(s).`);
        if (failed.length) notify("error", `Could not ${active ? "activate" : "deactivate"} ${failed.join("; ")}`);
        await changed();
      },
    };
  }, [client, notify]);

  const close = () => setOpen(null);
  return (
    <ActionsContext.Provider value={actions}>
      {children}
      {open?.kind === "duplicate" && <DuplicateDialog segment={open.segment} onClose={close} />}
      {open?.kind === "rename" && <RenameDialog segment={open.segment} onClose={close} />}
      {open?.kind === "tag" && <TagsDialog segment={open.segment} onClose={close} />}
      {open?.kind === "schedule" && <ScheduleDialog segment={open.segment} onClose={close} />}
      {open?.kind === "convert" && <ConvertDialog segment={open.segment} onClose={close} />}
      {open?.kind === "delete" && (
        <DeleteDialog segments={open.segments} onClose={close} onDeleted={open.onDeleted} />
      )}
    </ActionsContext.Provider>
  );
}
