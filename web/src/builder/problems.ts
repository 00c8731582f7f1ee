import type { ProblemItem } from "../api/client";
import { elementForPath, type PathMap } from "./convert";

export interface Located {
  /** Messages by builder element id. */
  byId: Map<string, string[]>;
  /** Problems not about the condition (name, key, audience...), or about no known element. */
  general: ProblemItem[];
}

/** Attach each validation problem to the rule or group its path points into. */
export function locateProblems(problems: ProblemItem[], paths: PathMap): Located {
  const byId = new Map<string, string[]>();
  const general: ProblemItem[] = [];
  for (const p of problems) {
    const path = p.path.replace(/^request body[:.]?\s*/, "");
    const id = path.startsWith("condition") ? elementForPath(paths, path) : undefined;
    if (id === undefined) {
      general.push(p);
      continue;
    }
    const list = byId.get(id) ?? [];
    if (!list.includes(p.message)) list.push(p.message);
    byId.set(id, list);
  }
  return { byId, general };
}

export const NO_PROBLEMS: Located = { byId: new Map(), general: [] };
