import { useQuery } from "@tanstack/react-query";
import { api, messageOf, type SegmentDetail } from "../api/client";
import type { Condition } from "./definition";
import { SegmentForm, type Initial } from "./SegmentForm";
import { TEMPLATES } from "./templates";

interface Props {
  segmentKey?: string;
  template?: string;
}

function initialOf(detail: SegmentDetail | null, etag: string | null, template?: string): Initial {
  if (detail) {
    const definition = detail.definition as { condition?: Condition; timezone?: string };
    return {
      detail,
      etag,
      condition: definition.condition ?? null,
      meta: {
        key: detail.key,
        name: detail.name,
        description: detail.description,
        audience: detail.audience,
        timezone: definition.timezone ?? detail.timezone,
        type: detail.type,
        tags: detail.tags,
      },
    };
  }
  const t = TEMPLATES.find((x) => x.id === template);
  return {
    detail: null,
    etag: null,
    condition: t?.condition ?? null,
    meta: {
      key: "",
      name: "",
      description: "",
      audience: t?.audience ?? "contact",
      timezone: "UTC",
      type: "dynamic",
      tags: [],
    },
  };
}

/** The segment builder: a new segment, or an existing one with its lifecycle. */
export function BuilderPage({ segmentKey, template }: Props) {
  const model = useQuery({ queryKey: ["model"], queryFn: api.model, staleTime: 300_000 });
  const countOps = useQuery({ queryKey: ["count-operators"], queryFn: api.countOperators, staleTime: Infinity });
  const segments = useQuery({ queryKey: ["segments", "all"], queryFn: () => api.segments() });
  const loaded = useQuery({
    queryKey: ["segment", segmentKey, "edit"],
    queryFn: () => api.segment(segmentKey as string),
    enabled: segmentKey !== undefined,
    staleTime: Infinity,
    gcTime: 0,
  });

  const failed = model.error ?? countOps.error ?? (segmentKey ? loaded.error : null);
  if (failed) {
    return (
      <div className="page">
        <p className="error" role="alert">
          Could not load the builder: {messageOf(failed)}
        </p>
      </div>
    );
  }
  if (!model.data || !countOps.data || (segmentKey && !loaded.data)) {
    return (
      <div className="page">
        <p className="muted">Loading…</p>
      </div>
    );
  }
  const initial = initialOf(loaded.data?.item ?? null, loaded.data?.etag ?? null, template);
  return (
    <SegmentForm
      key={`${segmentKey ?? "new"}|${loaded.dataUpdatedAt}`}
      initial={initial}
      model={model.data}
      allSegments={segments.data ?? []}
      countOperators={countOps.data}
      onReload={() => void loaded.refetch()}
    />
  );
}
