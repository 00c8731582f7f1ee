import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { api, type RunOut } from "../api/client";

export const isActive = (run: RunOut): boolean => run.status === "queued" || run.status === "running";

/** How many runs are queued or running (polled); when some finish, segment data is reloaded. */
export function useActiveRuns(): number {
  const client = useQueryClient();
  const runs = useQuery({ queryKey: ["runs"], queryFn: () => api.runs(30), refetchInterval: 3000 });
  const active = (runs.data ?? []).filter(isActive).length;
  const before = useRef(active);
  useEffect(() => {
    if (active < before.current) {
      void client.invalidateQueries({ queryKey: ["segment"] });
      void client.invalidateQueries({ queryKey: ["segments"] });
    }
    before.current = active;
  }, [active, client]);
  return active;
}
