import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, messageOf } from "../api/client";
import { ListInput } from "../components/ListInput";
import { Modal } from "../components/Modal";
import { useNotify } from "../components/Notices";
import type { SegmentRef } from "./actionsContext";

export function TagsDialog({ segment, onClose }: { segment: SegmentRef; onClose: () => void }) {
  const [tags, setTags] = useState<string[]>(segment.tags);
  const [error, setError] = useState<string | null>(null);
  const notify = useNotify();
  const client = useQueryClient();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.patch(segment.key, { tags });
      await client.invalidateQueries({ queryKey: ["segments"] });
      await client.invalidateQueries({ queryKey: ["segment", segment.key] });
      notify("success", `Tags of ${segment.name} saved.`);
      onClose();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <Modal title={`Tags of “${segment.name}”`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} className="form">
        <ListInput label="Tags" values={tags} onChange={(v) => setTags(v.map(String))} placeholder="tag, then Enter" />
        {error && <p className="error" role="alert">{error}</p>}
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary">Save tags</button>
        </div>
      </form>
    </Modal>
  );
}
