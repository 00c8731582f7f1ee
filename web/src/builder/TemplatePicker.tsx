import type { Template } from "./templates";

interface Props {
  templates: Template[];
  onPick: (t: Template) => void;
  open: boolean;
}

/** Ready-made definitions to start from. */
export function TemplatePicker({ templates, onPick, open }: Props) {
  if (templates.length === 0) return null;
  return (
    <details className="templates panel" open={open}>
      <summary>Start from a template</summary>
      <ul className="template-list">
        {templates.map((t) => (
          <li key={t.id}>
            <button type="button" className="template" onClick={() => onPick(t)}>
              <strong>{t.name}</strong>
              <span className="muted small">
                {t.description} ({t.audience}s)
              </span>
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}
