import type { SegmentOut } from "../api/client";
import { useSegmentActions } from "./actionsContext";

/** Actions on the selected segments. */
export function BulkBar({ selected, onClear }: { selected: SegmentOut[]; onClear: () => void }) {
  const actions = useSegmentActions();
  if (selected.length === 0) return null;
  const keys = selected.map((s) => s.key);
  return (
    <div className="bulk-bar" role="region" aria-label="Bulk actions">
      <span>{selected.length} selected</span>
      <button type="button" className="btn btn-small" onClick={() => void actions.refresh(keys)}>
        Refresh
      </button>
      <button type="button" className="btn btn-small" onClick={() => void actions.setActive(keys, true)}>
        Activate
      </button>
      <button type="button" className="btn btn-small" onClick={() => void actions.setActive(keys, false)}>
        Deactivate
      </button>
      <button type="button" className="btn btn-small btn-danger" onClick={() => actions.remove(selected, onClear)}>
        Delete
      </button>
      <button type="button" className="btn-link" onClick={onClear}>
        Clear selection
      </button>
    </div>
  );
}
