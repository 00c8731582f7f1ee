import type { ExplainNode } from "../api/client";
import { formatValue } from "../lib/format";

/** Every condition with ✔ or ✘ and the values it saw. */
export function ExplainTree({ node }: { node: ExplainNode }) {
  const values = Object.entries(node.values);
  return (
    <li className={node.result ? "explain-yes" : "explain-no"}>
      <span className="explain-mark" aria-hidden="true">
        {node.result ? "✔" : "✘"}
      </span>
      <span className="visually-hidden">{node.result ? "true: " : "false: "}</span>
      <span className="explain-text">{node.text}</span>
      {values.length > 0 && (
        <span className="explain-values">
          {values.map(([k, v]) => (
            <span key={k} className="chip chip-small">
              {k}: {formatValue(v)}
            </span>
          ))}
        </span>
      )}
      {node.children.length > 0 && (
        <ul>
          {node.children.map((c) => (
            <ExplainTree key={c.path} node={c} />
          ))}
        </ul>
      )}
    </li>
  );
}
