/** Value suggestions for text attributes: what to ask the API for, and what to show. */

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { useDebounced } from "./useDebounced";

/** Where suggestions come from: an attribute of an entity or interaction. */
export interface ValueSource {
  owner: string;
  attribute: string;
}

export interface Suggestion {
  value: string;
  count: number;
}

/** Types whose attributes have suggestions (the API refuses the others). */
export const SUGGESTED_TYPES = ["string", "list"];

/** The source of an attribute's suggestions; none for other types and personal data. */
export function sourceOf(owner: string, attribute: { name: string; type: string; pii: boolean }): ValueSource | undefined {
  return SUGGESTED_TYPES.includes(attribute.type) && !attribute.pii ? { owner, attribute: attribute.name } : undefined;
}

/**
 * The suggestions that fit what is typed now: answers arrive for an earlier (debounced)
 * prefix, so they are narrowed to the current one; a value typed exactly is left out
 * unless others share its prefix.
 */
export function matching(found: Suggestion[], typed: string, max = 12): Suggestion[] {
  const needle = typed.toLowerCase();
  const fit = found.filter((s) => s.value.toLowerCase().startsWith(needle));
  if (fit.length === 1 && fit[0]?.value === typed) return [];
  return fit.slice(0, max);
}

/** Suggestions for `typed`, asked for 200 ms after typing stops, only while `wanted`
 * (the input has the focus): a page of conditions does not ask for every attribute. */
export function useSuggestions(source: ValueSource, typed: string, wanted: boolean): Suggestion[] {
  const prefix = useDebounced(typed, 200);
  const answer = useQuery({
    queryKey: ["values", source.owner, source.attribute, prefix],
    queryFn: ({ signal }) => api.values(source.owner, source.attribute, prefix, 12, signal),
    enabled: wanted,
    staleTime: 60_000,
    placeholderData: keepPreviousData,
    retry: false,
  });
  return matching(answer.data?.values ?? [], typed);
}
