import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { api, csvUrl, messageOf } from "../api/client";
import type { Condition, Definition } from "../builder/definition";
import { Badge, StatusBadge } from "../components/Badge";
import { Menu } from "../components/Menu";
import { formatDateTime, formatNumber } from "../lib/format";
import { href, navigate } from "../lib/router";
import { useActiveRuns } from "../runs/useActiveRuns";
import { useSegmentActions } from "../segments/actionsContext";
import { convertItem } from "../segments/conversion";
import { ExplainPanel } from "./ExplainPanel";
import { HistoryTable } from "./HistoryTable";
import { MembersPanel } from "./MembersPanel";
import { StaticMembersPanel } from "./StaticMembersPanel";
import { UsagePanel } from "./UsagePanel";
import { SegmentExports } from "../exports/SegmentExports";

// The chart library is the largest part of the bundle: loaded when a details page opens.
const TrendChart = lazy(() => import("./TrendChart").then((m) => ({ default: m.TrendChart })));

/** One segment: summary, trend, members, history, usage, explain; and its actions. */
export function DetailsPage({ segmentKey }: { segmentKey: string }) {
  const actions = useSegmentActions();
  const activeRuns = useActiveRuns();
  const segment = useQuery({
    queryKey: ["segment", segmentKey, "detail"],
    queryFn: () => api.segment(segmentKey),
    refetchInterval: activeRuns > 0 ? 1500 : 10_000,
  });
  const model = useQuery({ queryKey: ["model"], queryFn: api.model, staleTime: 300_000 });
  const countOps = useQuery({ queryKey: ["count-operators"], queryFn: api.countOperators, staleTime: Infinity });
  const editing = segment.data?.item.pending_revision != null && segment.data.item.live_revision !== null;
  // While an edit is pending, the members (and explain) follow the live revision.
  const live = useQuery({
    queryKey: ["segment", segmentKey, "live", segment.data?.item.live_revision],
    queryFn: () => api.liveSegment(segmentKey),
    enabled: editing,
  });

  if (segment.isError) {
    return (
      <div className="page">
        <p className="error" role="alert">
          Could not load segment {segmentKey}: {messageOf(segment.error)}
        </p>
        <a href={href({ page: "segments" })}>Back to segments</a>
      </div>
    );
  }
  const s = segment.data?.item;
  if (!s || !model.data) {
    return (
      <div className="page">
        <p className="muted">Loading…</p>
      </div>
    );
  }
  const serving = editing && live.data ? live.data : s;
  const raw = serving.definition as { condition?: Condition; timezone?: string };
  const definition: Definition | null = raw.condition
    ? { audience: s.audience, timezone: raw.timezone ?? s.timezone, condition: raw.condition }
    : null;

  return (
    <div className="page details-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <a href={href({ page: "segments" })}>Segments</a> › <span>{s.key}</span>
      </nav>
      <div className="page-head">
        <h1>{s.name}</h1>
        <StatusBadge segment={s} />
        {s.active ? <Badge tone="live">active</Badge> : <Badge>inactive</Badge>}
        <Badge>{s.type}</Badge>
        <Badge>{`${s.audience}s`}</Badge>
        <span className="spacer" />
        <a className="btn" href={href({ page: "edit", key: s.key })}>
          Edit
        </a>
        <button type="button" className="btn" onClick={() => void actions.refresh([s.key])}>
          Refresh
        </button>
        <a className="btn" href={csvUrl(s.key)} download>
          Download CSV
        </a>
        <Menu
          label="More"
          ariaLabel={`More actions for ${s.name}`}
          items={[
            { label: "Duplicate", onSelect: () => actions.duplicate(s) },
            { label: "Rename", onSelect: () => actions.rename(s) },
            { label: "Tag", onSelect: () => actions.tag(s) },
            { label: "Schedule activation…", onSelect: () => actions.schedule(s) },
            ...convertItem(s, actions.convert),
            s.active
              ? { label: "Deactivate", onSelect: () => void actions.setActive([s.key], false) }
              : { label: "Activate", onSelect: () => void actions.setActive([s.key], true) },
            { label: "Delete", danger: true, onSelect: () => actions.remove([s], () => navigate({ page: "segments" })) },
          ]}
        />
      </div>
      {s.description && <p className="description">{s.description}</p>}
      <dl className="summary">
        <div>
          <dt>Members</dt>
          <dd data-testid="members-count">{formatNumber(s.members)}</dd>
        </div>
        <div>
          <dt>Last refreshed</dt>
          <dd>{formatDateTime(s.last_refreshed_at)}</dd>
        </div>
        <div>
          <dt>Members as of</dt>
          <dd>{formatDateTime(s.as_of)}</dd>
        </div>
        <div>
          <dt>Last refresh</dt>
          <dd>
            {s.last_status ?? "—"}
            {s.last_error && (
              <details className="error-detail">
                <summary>error</summary>
                <pre>{s.last_error}</pre>
              </details>
            )}
          </dd>
        </div>
        <div>
          <dt>Time zone</dt>
          <dd>{s.timezone}</dd>
        </div>
        <div>
          <dt>Owner</dt>
          <dd>{s.owner}</dd>
        </div>
        <div>
          <dt>Tags</dt>
          <dd>
            {s.tags.length
              ? s.tags.map((t) => (
                  <span key={t} className="chip chip-small">
                    {t}
                  </span>
                ))
              : "—"}
          </dd>
        </div>
        {(s.activate_at || s.deactivate_at) && (
          <div>
            <dt>Scheduled</dt>
            <dd data-testid="scheduled">
              {s.activate_at && `activate ${formatDateTime(s.activate_at)} `}
              {s.deactivate_at && `deactivate ${formatDateTime(s.deactivate_at)}`}
            </dd>
          </div>
        )}
      </dl>
      {editing && live.data && (
        <p className="sentence" data-testid="live-sentence">
          <span className="muted">Live definition: </span>
          {live.data.sentence}
        </p>
      )}
      {s.sentence && (
        <p className="sentence">
          <span className="muted">{s.pending_revision ? "Pending edit: " : "Definition: "}</span>
          {s.sentence}
        </p>
      )}
      <Suspense fallback={<p className="muted">Loading the trend…</p>}>
        <TrendChart segmentKey={s.key} version={s.current_version} />
      </Suspense>
      {s.type === "static" && countOps.data && <StaticMembersPanel segment={s} model={model.data} countOperators={countOps.data} />}
      <MembersPanel key={s.current_version ?? 0} segmentKey={s.key} audience={s.audience} model={model.data} version={s.current_version} />
      <div className="grid-2">
        <HistoryTable segmentKey={s.key} version={s.current_version} lastRefreshed={s.last_refreshed_at} />
        <div className="stack">
          <UsagePanel segmentKey={s.key} />
          <SegmentExports segmentKey={s.key} type={s.type} />
          <ExplainPanel definition={definition} asOf={s.as_of} />
        </div>
      </div>
    </div>
  );
}
