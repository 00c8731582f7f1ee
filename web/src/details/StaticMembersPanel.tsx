import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { api, messageOf, type ModelOut, type QueryOut, type SegmentOut } from "../api/client";
import { ConditionEditor } from "../builder/ConditionEditor";
import { fromCondition, toCondition, type BGroup } from "../builder/convert";
import { BuilderEnvContext, type BuilderEnv } from "../builder/env";
import { fieldsFor } from "../builder/fields";
import { useNotify } from "../components/Notices";
import { splitIds } from "../lib/format";
import { useSegmentActions } from "../segments/actionsContext";

interface Props {
  segment: SegmentOut;
  model: ModelOut;
  countOperators: string[];
}

/** A static segment's hand-picked members: add and remove by id, or by query. */
export function StaticMembersPanel({ segment, model, countOperators }: Props) {
  const key = segment.key;
  const notify = useNotify();
  const client = useQueryClient();
  const actions = useSegmentActions();
  const members = useQuery({ queryKey: ["segment", key, "static"], queryFn: () => api.staticMembers(key) });
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [ids, setIds] = useState("");
  const [query, setQuery] = useState<BGroup>(() => fromCondition(null));
  const [found, setFound] = useState<QueryOut | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const converted = useMemo(() => toCondition(query), [query]);
  const env = useMemo<BuilderEnv>(
    () => ({ model, countOperators, problems: new Map(), segments: [] }),
    [model, countOperators],
  );

  const changed = async (text: string) => {
    await client.invalidateQueries({ queryKey: ["segment", key] });
    await client.invalidateQueries({ queryKey: ["segments"] });
    notify("success", `${text} Refresh the segment to store its new members.`);
  };

  const run = async (what: () => Promise<unknown>) => {
    setError(null);
    try {
      await what();
    } catch (e) {
      setError(messageOf(e));
    }
  };

  const addIds = () =>
    run(async () => {
      const list = splitIds(ids);
      if (!list.length) return;
      await api.addStatic(key, list);
      setIds("");
      await changed(`Added ${list.length} id(s).`);
    });

  const removePicked = () =>
    run(async () => {
      await api.removeStatic(key, [...picked]);
      setPicked(new Set());
      await changed(`Removed ${picked.size} member(s).`);
    });

  const byQuery = (action: "preview" | "add" | "remove", selected?: string[]) =>
    run(async () => {
      if (!converted.condition) return;
      const answer = await api.staticQuery(key, {
        action,
        condition: converted.condition as unknown as Record<string, unknown>,
        timezone: segment.timezone,
        select: selected ?? null,
        limit: 1000,
      });
      if (action === "preview") {
        setFound(answer);
        setChosen(new Set());
      } else {
        setFound(null);
        await changed(`${action === "add" ? "Added" : "Removed"} ${answer.changed} member(s).`);
      }
    });

  const list = members.data?.members ?? [];
  return (
    <section className="panel" aria-labelledby="static-title">
      <div className="panel-head">
        <h2 id="static-title">Hand-picked members ({members.data?.count ?? "…"})</h2>
        <button type="button" className="btn btn-small" onClick={() => void actions.refresh([key])}>
          Refresh stored members
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="static-grid">
        <div>
          <div className="scroll-y static-list">
            <ul className="plain" aria-label="Members">
              {list.map((id) => (
                <li key={id}>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={picked.has(id)}
                      onChange={() => {
                        const next = new Set(picked);
                        if (next.has(id)) next.delete(id);
                        else next.add(id);
                        setPicked(next);
                      }}
                    />
                    {id}
                  </label>
                </li>
              ))}
            </ul>
          </div>
          <button type="button" className="btn btn-small" disabled={picked.size === 0} onClick={() => void removePicked()}>
            Remove selected ({picked.size})
          </button>
        </div>
        <div>
          <label>
            Add by id (separated by commas, spaces or lines)
            <textarea rows={3} value={ids} onChange={(e) => setIds(e.target.value)} />
          </label>
          <button type="button" className="btn btn-small" onClick={() => void addIds()}>
            Add
          </button>
        </div>
      </div>
      <h3>Add or remove by query</h3>
      <BuilderEnvContext.Provider value={env}>
        <ConditionEditor fields={fieldsFor(model, segment.audience)} query={query} onChange={setQuery} label="Query for members" />
      </BuilderEnvContext.Provider>
      <div className="button-row">
        <button type="button" className="btn btn-small" disabled={!converted.condition} onClick={() => void byQuery("preview")}>
          Preview matches
        </button>
      </div>
      {found && (
        <div className="query-results" data-testid="query-results">
          <p>
            {found.count} match{found.count === 1 ? "" : "es"}, {found.already_members} already member
            {found.already_members === 1 ? "" : "s"}.
            {found.keys.length < found.count ? ` Showing the first ${found.keys.length}.` : ""}
          </p>
          <div className="scroll-y static-list">
            <ul className="plain" aria-label="Matches">
              {found.keys.map((id) => (
                <li key={id}>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={chosen.has(id)}
                      onChange={() => {
                        const next = new Set(chosen);
                        if (next.has(id)) next.delete(id);
                        else next.add(id);
                        setChosen(next);
                      }}
                    />
                    {id}
                    {list.includes(id) && <span className="badge badge-plain">member</span>}
                  </label>
                </li>
              ))}
            </ul>
          </div>
          <div className="button-row">
            <button type="button" className="btn btn-small btn-primary" onClick={() => void byQuery("add")}>
              Add all {found.count}
            </button>
            <button type="button" className="btn btn-small" disabled={!chosen.size} onClick={() => void byQuery("add", [...chosen])}>
              Add selected ({chosen.size})
            </button>
            <button type="button" className="btn btn-small" onClick={() => void byQuery("remove")}>
              Remove all {found.count}
            </button>
            <button type="button" className="btn btn-small" disabled={!chosen.size} onClick={() => void byQuery("remove", [...chosen])}>
              Remove selected ({chosen.size})
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
