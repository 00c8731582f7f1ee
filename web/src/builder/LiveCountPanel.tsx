import { formatDateTime, formatNumber, formatSeconds } from "../lib/format";
import type { LiveCount } from "./useLiveCount";

interface Props {
  live: LiveCount;
  audienceLabel: string;
  empty: boolean;
}

/** The exact size of the definition as it is edited, and the sentence it reads as. */
export function LiveCountPanel({ live, audienceLabel, empty }: Props) {
  const r = live.result;
  const busy = live.stale || live.fetching;
  return (
    <section className="panel live-count" aria-labelledby="live-count-title" aria-busy={busy}>
      <h2 id="live-count-title">Exact size</h2>
      {empty ? (
        <p className="muted">Add a condition to see how many {audienceLabel} match.</p>
      ) : (
        <>
          <p className="count-figure">
            <span data-testid="live-count" data-count={r && !live.stale ? r.count : undefined} className={busy ? "dim" : undefined}>
              {r ? formatNumber(r.count) : "…"}
            </span>{" "}
            <span className="muted">{audienceLabel}</span>
          </p>
          <p className="muted small" aria-live="polite">
            {busy ? "Counting…" : r ? `Counted in ${formatSeconds(r.seconds)} as of ${formatDateTime(r.as_of)}` : ""}
          </p>
          {live.error && (
            <p className="error" role="alert">
              {live.error}
            </p>
          )}
          {live.problems.byId.size + live.problems.general.length > 0 && !busy && (
            <p className="error">The definition has problems; they are shown at the conditions concerned.</p>
          )}
          {r && (
            <p className="sentence" data-testid="sentence">
              {r.sentence}
            </p>
          )}
        </>
      )}
    </section>
  );
}
