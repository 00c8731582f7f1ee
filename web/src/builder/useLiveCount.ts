import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, ApiError, type CountOut } from "../api/client";
import { useDebounced } from "../lib/useDebounced";
import type { PathMap } from "./convert";
import type { Definition } from "./definition";
import { locateProblems, NO_PROBLEMS, type Located } from "./problems";

export interface LiveCount {
  result: CountOut | undefined;
  /** The definition changed and its count is not in yet. */
  stale: boolean;
  fetching: boolean;
  problems: Located;
  error: string | null;
}

/**
 * The exact size of the definition being edited: POST /api/evaluate/count, debounced, the
 * latest answer kept while the next is computed; validation problems located at their rules.
 */
export function useLiveCount(definition: Definition | null, paths: PathMap, enabled: boolean): LiveCount {
  const json = definition ? JSON.stringify(definition) : "";
  const settled = useDebounced(json, 400);
  const query = useQuery({
    queryKey: ["count", settled],
    queryFn: ({ signal }) => api.count(JSON.parse(settled) as Definition, signal),
    enabled: enabled && settled !== "",
    retry: false,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
  const error = query.error;
  const invalid = error instanceof ApiError && error.status === 422;
  const current = settled === json;
  return {
    result: query.isError ? undefined : query.data,
    stale: !current || query.isPlaceholderData,
    fetching: query.isFetching,
    problems: invalid && current ? locateProblems(error.problems, paths) : NO_PROBLEMS,
    error: error && !invalid ? error.message : null,
  };
}
