import { ALL_COLUMNS, columnDef, moveColumn, toggleColumn, type ColumnId } from "./columns";

interface Props {
  columns: ColumnId[];
  onChange: (columns: ColumnId[]) => void;
}

/** Choose which columns show, and move them up or down (keyboard friendly, no dragging). */
export function ColumnChooser({ columns, onChange }: Props) {
  const hidden = ALL_COLUMNS.filter((c) => !columns.includes(c));
  return (
    <details className="popover popover-right">
      <summary className="btn">Columns</summary>
      <div className="popover-body column-chooser">
        <p className="muted">Shown, in order</p>
        <ol>
          {columns.map((id, i) => {
            const label = columnDef(id).label;
            return (
              <li key={id}>
                <label className="check">
                  <input
                    type="checkbox"
                    checked
                    disabled={id === "name"}
                    onChange={() => onChange(toggleColumn(columns, id))}
                  />
                  {label}
                </label>
                <span className="order-buttons">
                  <button type="button" className="btn-icon" aria-label={`Move ${label} left`} disabled={i === 0} onClick={() => onChange(moveColumn(columns, id, -1))}>
                    ↑
                  </button>
                  <button type="button" className="btn-icon" aria-label={`Move ${label} right`} disabled={i === columns.length - 1} onClick={() => onChange(moveColumn(columns, id, 1))}>
                    ↓
                  </button>
                </span>
              </li>
            );
          })}
        </ol>
        {hidden.length > 0 && <p className="muted">Hidden</p>}
        <ul>
          {hidden.map((id) => (
            <li key={id}>
              <label className="check">
                <input type="checkbox" checked={false} onChange={() => onChange(toggleColumn(columns, id))} />
                {columnDef(id).label}
              </label>
            </li>
          ))}
        </ul>
        <button type="button" className="btn btn-small" onClick={() => onChange([...ALL_COLUMNS])}>
          Reset columns
        </button>
      </div>
    </details>
  );
}
