import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { safeUrl } from "../lib/format";
import { href } from "../lib/router";

/** Who uses the segment: segments referencing it, and consumers registered from outside. */
export function UsagePanel({ segmentKey }: { segmentKey: string }) {
  const usage = useQuery({ queryKey: ["segment", segmentKey, "usage"], queryFn: () => api.usage(segmentKey) });
  const u = usage.data;
  return (
    <section className="panel" aria-labelledby="usage-title">
      <h2 id="usage-title">Usage</h2>
      {u && u.segments.length === 0 && u.consumers.length === 0 && <p className="muted">Not used by other segments or consumers.</p>}
      {u && u.segments.length > 0 && (
        <>
          <h3>Referenced by segments</h3>
          <ul>
            {u.segments.map((s) => (
              <li key={s}>
                <a href={href({ page: "segment", key: s })}>{s}</a>
                {u.live_compounds.includes(s) && <span className="badge badge-live">live compound</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      {u && u.consumers.length > 0 && (
        <>
          <h3>Consumers</h3>
          <ul>
            {u.consumers.map((c) => {
              const link = safeUrl(c.link);
              return (
                <li key={c.id}>
                  {c.kind}: {link ? <a href={link} rel="noreferrer noopener" target="_blank">{c.name}</a> : c.name}{" "}
                  <span className="badge badge-plain">{c.role}</span>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
