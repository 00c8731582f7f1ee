import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, messageOf } from "../api/client";
import { Modal } from "../components/Modal";
import { useNotify } from "../components/Notices";
import type { SegmentRef } from "./actionsContext";

export function RenameDialog({ segment, onClose }: { segment: SegmentRef; onClose: () => void }) {
  const [name, setName] = useState(segment.name);
  const [error, setError] = useState<string | null>(null);
  const notify = useNotify();
  const client = useQueryClient();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.patch(segment.key, { name: name.trim() });
      await client.invalidateQueries({ queryKey: ["segments"] });
      await client.invalidateQueries({ queryKey: ["segment", segment.key] });
      notify("success", `Renamed to ${name.trim()}.`);
      onClose();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <Modal title={`Rename “${segment.name}”`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} className="form">
        <label>
          Name
          <input value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} />
        </label>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary">Rename</button>
        </div>
      </form>
    </Modal>
  );
}
