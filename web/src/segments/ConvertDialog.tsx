import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, messageOf } from "../api/client";
import { Modal } from "../components/Modal";
import { useNotify } from "../components/Notices";
import { formatNumber } from "../lib/format";
import type { SegmentRef } from "./actionsContext";
import { conversionOf } from "./conversion";

/** Confirm, then make a segment static (freezing its members) or dynamic again. */
export function ConvertDialog({ segment, onClose }: { segment: SegmentRef; onClose: () => void }) {
  const target = conversionOf(segment);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const notify = useNotify();
  const client = useQueryClient();

  const go = async () => {
    setBusy(true);
    try {
      if (target === "static") {
        const done = await api.makeStatic(segment.key);
        notify("success", `${segment.name} is static now with ${formatNumber(done.frozen)} hand-picked members.`);
      } else {
        const done = await api.makeDynamic(segment.key);
        const run = done.refresh?.run;
        notify("success", `${segment.name} is dynamic now.${run ? ` Refresh run #${run.id} started.` : ""}`);
      }
      await client.invalidateQueries({ queryKey: ["segments"] });
      await client.invalidateQueries({ queryKey: ["segment", segment.key] });
      onClose();
    } catch (err) {
      setError(messageOf(err, 5));
      setBusy(false);
    }
  };

  return (
    <Modal
      title={`Make “${segment.name}” ${target ?? ""}`}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" disabled={busy || target === null} onClick={() => void go()}>
            Make {target}
          </button>
        </>
      }
    >
      {target === "static" ? (
        <p>
          Its current {segment.members === null ? "" : `${formatNumber(segment.members)} `}members become hand-picked members. Refreshes no
          longer change them; you add or remove members by hand or by query. Its definition stays in the history, and you can make it
          dynamic again.
        </p>
      ) : (
        <p>
          It gets back the definition it had before it was made static, and its members follow that definition again; the hand-picked
          members are dropped. A live segment is refreshed at once. (A segment created as static has no definition to go back to:
          build a dynamic segment instead.)
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </Modal>
  );
}
