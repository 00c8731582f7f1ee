import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, messageOf } from "../api/client";
import { Modal } from "../components/Modal";
import { useNotify } from "../components/Notices";
import { navigate } from "../lib/router";
import type { SegmentRef } from "./actionsContext";

/** A draft copy under a new key; then edit it right away, or stay. */
export function DuplicateDialog({ segment, onClose }: { segment: SegmentRef; onClose: () => void }) {
  const [key, setKey] = useState(`${segment.key}-copy`);
  const [name, setName] = useState(`Copy of ${segment.name}`);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const notify = useNotify();
  const client = useQueryClient();

  const run = async (thenEdit: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const copy = await api.duplicate(segment.key, key.trim(), name.trim() || undefined);
      await client.invalidateQueries({ queryKey: ["segments"] });
      notify("success", `Duplicated as ${copy.name} (draft).`);
      onClose();
      if (thenEdit) navigate({ page: "edit", key: copy.key });
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(false);
  };

  return (
    <Modal title={`Duplicate “${segment.name}”`} onClose={onClose}>
      <form onSubmit={submit} className="form">
        <label>
          New key
          <input value={key} required maxLength={100} onChange={(e) => setKey(e.target.value)} />
        </label>
        <label>
          Name
          <input value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        </label>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>Cancel</button>
          <button type="button" className="btn" disabled={busy} onClick={() => void run(true)}>
            Duplicate and edit
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>Duplicate</button>
        </div>
      </form>
    </Modal>
  );
}
