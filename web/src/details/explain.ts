/** One node of POST /api/evaluate/explain's tree (the API types it as a free object). */
export interface ExplainNode {
  path: string;
  type: string;
  text: string;
  result: boolean;
  values: Record<string, unknown>;
  children: ExplainNode[];
}

export function isExplainNode(value: unknown): value is ExplainNode {
  return typeof value === "object" && value !== null && "result" in value && "text" in value;
}
