import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, messageOf } from "../api/client";
import { Modal } from "../components/Modal";
import { useNotify } from "../components/Notices";
import { formatDateTime } from "../lib/format";
import { isoToLocal, localToIso, scheduleProblem } from "../lib/schedule";
import type { SegmentRef } from "./actionsContext";

/** Schedule a segment's activation or deactivation at a later time. */
export function ScheduleDialog({ segment, onClose }: { segment: SegmentRef; onClose: () => void }) {
  const [change, setChange] = useState<"activate" | "deactivate">(segment.active ? "deactivate" : "activate");
  const [when, setWhen] = useState(() => isoToLocal(new Date(Date.now() + 24 * 3600 * 1000)));
  const [error, setError] = useState<string | null>(null);
  const notify = useNotify();
  const client = useQueryClient();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = scheduleProblem(when, new Date());
    const at = localToIso(when);
    if (problem || !at) {
      setError(problem);
      return;
    }
    try {
      await (change === "activate" ? api.activate(segment.key, at) : api.deactivate(segment.key, at));
      await client.invalidateQueries({ queryKey: ["segments"] });
      await client.invalidateQueries({ queryKey: ["segment", segment.key] });
      await client.invalidateQueries({ queryKey: ["system"] });
      notify("success", `${segment.name} will be ${change}d on ${formatDateTime(at)}.`);
      onClose();
    } catch (err) {
      setError(messageOf(err, 3));
    }
  };

  return (
    <Modal title={`Schedule “${segment.name}”`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} className="form" noValidate>
        <fieldset className="radio-row">
          <legend>Change</legend>
          <label>
            <input type="radio" name="change" checked={change === "activate"} onChange={() => setChange("activate")} /> Activate
          </label>
          <label>
            <input type="radio" name="change" checked={change === "deactivate"} onChange={() => setChange("deactivate")} /> Deactivate
          </label>
        </fieldset>
        <label>
          At (your time zone)
          <input type="datetime-local" value={when} required onChange={(e) => setWhen(e.target.value)} />
        </label>
        <p className="muted small">
          {segment.activate_at && `Activation already scheduled for ${formatDateTime(segment.activate_at)}. `}
          {segment.deactivate_at && `Deactivation already scheduled for ${formatDateTime(segment.deactivate_at)}. `}A new time
          replaces the scheduled one; an activation past the quota waits until a slot is free.
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary">
            Schedule
          </button>
        </div>
      </form>
    </Modal>
  );
}
