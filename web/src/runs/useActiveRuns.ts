import { useQuery } from "@tanstack/react-query";
import { api, type RunOut } from "../api/client";

export const isActive = (run: RunOut): boolean => run.status === "queued" || run.status === "running";

/** How many runs are queued or running (polled for the header's indicator). */
export function useActiveRuns(): number {
  const runs = useQuery({ queryKey: ["runs"], queryFn: () => api.runs(30), refetchInterval: 3000 });
  return (runs.data ?? []).filter(isActive).length;
}
