import { createContext, useContext } from "react";
import type { ModelOut, SegmentOut } from "../api/client";

/** What every part of the builder needs: the model, other segments, the problems found. */
export interface BuilderEnv {
  model: ModelOut;
  /** Segments that a segment block may pick (same audience, not the one being edited). */
  segments: Pick<SegmentOut, "key" | "name" | "state">[];
  countOperators: string[];
  /** Validation messages by builder element id. */
  problems: Map<string, string[]>;
}

export const BuilderEnvContext = createContext<BuilderEnv | null>(null);

export function useBuilderEnv(): BuilderEnv {
  const env = useContext(BuilderEnvContext);
  if (!env) throw new Error("the builder needs a BuilderEnvContext");
  return env;
}

let n = 0;
/** Ids for rules and groups the builder makes itself (unique in this page). */
export const newId = (): string => `n${(++n).toString(36)}`;
