import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ApiError, messageOf, type ProblemItem } from "../api/client";
import { Modal } from "../components/Modal";
import { useNotify } from "../components/Notices";
import type { SegmentRef } from "./actionsContext";

interface InUse {
  segment: SegmentRef;
  usage: ProblemItem[];
}

interface DeleteDialogProps {
  segments: SegmentRef[];
  onClose: () => void;
  onDeleted?: (keys: string[]) => void;
}

/**
 * Delete after confirming. The API refuses to delete a segment in use (409, the usage in
 * `problems`): those are listed, and deleted only on a second, explicit confirmation.
 */
export function DeleteDialog({ segments, onClose, onDeleted }: DeleteDialogProps) {
  const [inUse, setInUse] = useState<InUse[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  const notify = useNotify();
  const client = useQueryClient();

  const finish = async (deleted: string[], failed: string[]) => {
    await client.invalidateQueries({ queryKey: ["segments"] });
    if (deleted.length) {
      notify("success", `Deleted ${deleted.length === 1 ? deleted[0] : `${deleted.length} segments`}.`);
      onDeleted?.(deleted);
    }
    if (failed.length) setErrors(failed);
    else onClose();
  };

  const first = async () => {
    setBusy(true);
    const deleted: string[] = [];
    const failed: string[] = [];
    const used: InUse[] = [];
    for (const segment of segments) {
      try {
        await api.remove(segment.key);
        deleted.push(segment.key);
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) used.push({ segment, usage: e.problems });
        else failed.push(`${segment.key}: ${messageOf(e)}`);
      }
    }
    setBusy(false);
    if (used.length) {
      setInUse(used);
      setErrors(failed);
      if (deleted.length) {
        await client.invalidateQueries({ queryKey: ["segments"] });
        notify("success", `Deleted ${deleted.length} segment(s) not in use.`);
        onDeleted?.(deleted);
      }
      return;
    }
    await finish(deleted, failed);
  };

  const anyway = async () => {
    setBusy(true);
    const deleted: string[] = [];
    const failed: string[] = [];
    for (const { segment } of inUse ?? []) {
      try {
        await api.remove(segment.key, true);
        deleted.push(segment.key);
      } catch (e) {
        failed.push(`${segment.key}: ${messageOf(e)}`);
      }
    }
    setBusy(false);
    await finish(deleted, failed);
  };

  const names = segments.map((s) => s.name);
  if (inUse) {
    return (
      <Modal
        title="Segments in use"
        onClose={onClose}
        wide
        actions={
          <>
            <button type="button" className="btn" onClick={onClose}>Keep them</button>
            <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void anyway()}>
              Delete anyway
            </button>
          </>
        }
      >
        <p>
          Deleting {inUse.length === 1 ? "this segment" : "these segments"} affects what uses{" "}
          {inUse.length === 1 ? "it" : "them"}: journeys and campaigns stop for its members, and segments
          referring to it will fail to refresh.
        </p>
        {inUse.map(({ segment, usage }) => (
          <section key={segment.key} className="usage-warning" aria-label={`Usage of ${segment.name}`}>
            <h3>{segment.name}</h3>
            <ul>
              {usage.map((u) => (
                <li key={`${u.path}|${u.message}`}>
                  <strong>{u.path}</strong> {u.message}
                </li>
              ))}
            </ul>
          </section>
        ))}
        {errors.map((e) => (
          <p key={e} className="error" role="alert">{e}</p>
        ))}
      </Modal>
    );
  }
  return (
    <Modal
      title={segments.length === 1 ? `Delete “${names[0] ?? ""}”?` : `Delete ${segments.length} segments?`}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="btn" onClick={onClose}>Cancel</button>
          <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void first()}>
            Delete
          </button>
        </>
      }
    >
      {segments.length > 1 && (
        <ul>
          {names.map((n, i) => (
            <li key={segments[i]?.key}>{n}</li>
          ))}
        </ul>
      )}
      <p>Deleted segments cannot be restored.</p>
      {errors.map((e) => (
        <p key={e} className="error" role="alert">{e}</p>
      ))}
    </Modal>
  );
}
