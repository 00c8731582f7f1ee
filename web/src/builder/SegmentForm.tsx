import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import { api, ApiError, messageOf, type ModelOut, type ProblemItem, type SegmentDetail, type SegmentOut } from "../api/client";
import { StatusBadge } from "../components/Badge";
import { Modal } from "../components/Modal";
import { useNotify } from "../components/Notices";
import { slugify } from "../lib/format";
import { href, navigate } from "../lib/router";
import { ConditionEditor } from "./ConditionEditor";
import { fromCondition, toCondition, type BGroup } from "./convert";
import type { Condition, Definition } from "./definition";
import { BuilderEnvContext, type BuilderEnv } from "./env";
import { entityOf, fieldsFor } from "./fields";
import { LifecycleActions, type LifecycleAction } from "./LifecycleActions";
import { LiveCountPanel } from "./LiveCountPanel";
import { MetaFields, type Meta } from "./MetaFields";
import { locateProblems, NO_PROBLEMS, type Located } from "./problems";
import { TemplatePicker } from "./TemplatePicker";
import { templatesFor } from "./templates";
import { UsageBanner } from "./UsageBanner";
import { useLiveCount } from "./useLiveCount";

export interface Initial {
  detail: SegmentDetail | null;
  etag: string | null;
  condition: Condition | null;
  meta: Meta;
}

interface Props {
  initial: Initial;
  model: ModelOut;
  allSegments: SegmentOut[];
  countOperators: string[];
  onReload: () => void;
}

const definitionJson = (meta: Meta, condition: Condition | null) =>
  JSON.stringify({ timezone: meta.timezone, condition });

const settingsJson = (meta: Meta) =>
  JSON.stringify({ name: meta.name, description: meta.description, tags: meta.tags });

/** Edit a segment's settings and definition, with its exact size live, and take it live. */
export function SegmentForm({ initial, model, allSegments, countOperators, onReload }: Props) {
  const isNew = initial.detail === null;
  const [meta, setMeta] = useState<Meta>(initial.meta);
  const [keyTouched, setKeyTouched] = useState(!isNew);
  const [query, setQuery] = useState<BGroup>(() => fromCondition(initial.condition));
  const [baseline, setBaseline] = useState(() => ({
    definition: definitionJson(initial.meta, initial.condition),
    settings: settingsJson(initial.meta),
  }));
  const [etag, setEtag] = useState(initial.etag);
  const [detail, setDetail] = useState(initial.detail);
  const [saveProblems, setSaveProblems] = useState<Located>(NO_PROBLEMS);
  const [outdated, setOutdated] = useState(false);
  const [busy, setBusy] = useState(false);
  const [stopUsage, setStopUsage] = useState<ProblemItem[] | null>(null);
  const notify = useNotify();
  const client = useQueryClient();

  const isStatic = meta.type === "static";
  const converted = useMemo(() => toCondition(query), [query]);
  const definition: Definition | null = converted.condition
    ? { audience: meta.audience, timezone: meta.timezone, condition: converted.condition }
    : null;
  const live = useLiveCount(definition, converted.paths, !isStatic);
  const shownProblems = saveProblems.byId.size + saveProblems.general.length > 0 ? saveProblems : live.problems;

  const definitionChanged = !isStatic && definitionJson(meta, converted.condition) !== baseline.definition;
  const settingsChanged = settingsJson(meta) !== baseline.settings;
  const dirty = definitionChanged || settingsChanged;

  const fields = useMemo(
    () => fieldsFor(model, meta.audience, { segments: true, segmentsOnly: meta.type === "compound" }),
    [model, meta.audience, meta.type],
  );
  const env = useMemo<BuilderEnv>(
    () => ({
      model,
      countOperators,
      problems: shownProblems.byId,
      segments: allSegments.filter((s) => s.audience === meta.audience && s.key !== meta.key),
    }),
    [model, countOperators, shownProblems.byId, allSegments, meta.audience, meta.key],
  );
  const audienceLabel = `${(entityOf(model, meta.audience)?.label ?? meta.audience).toLowerCase()}s`;
  const settingProblems = new Map(shownProblems.general.map((p) => [p.path.split(".")[0] ?? p.path, p.message]));

  const changeMeta = (next: Meta) => {
    const patch = { ...next };
    if (isNew && next.name !== meta.name && !keyTouched) patch.key = slugify(next.name);
    if (isNew && next.key !== meta.key) setKeyTouched(true);
    if (next.audience !== meta.audience) setQuery(fromCondition(null));
    setMeta(patch);
    setSaveProblems(NO_PROBLEMS);
  };
  const changeQuery = (q: BGroup) => {
    setQuery(q);
    setSaveProblems(NO_PROBLEMS);
  };

  const failed = (e: unknown, what: string) => {
    if (e instanceof ApiError && e.status === 412) {
      setOutdated(true);
      return;
    }
    if (e instanceof ApiError && e.status === 422 && e.problems.length) {
      setSaveProblems(locateProblems(e.problems, converted.paths));
      notify("error", `${what}: the segment has problems (shown where they are).`);
      return;
    }
    notify("error", `${what}: ${messageOf(e)}`);
  };

  const refreshCaches = async (key: string) => {
    await client.invalidateQueries({ queryKey: ["segments"] });
    await client.invalidateQueries({ queryKey: ["segment", key] });
  };

  const create = async () => {
    const created = await api.create({
      key: meta.key.trim(),
      name: meta.name.trim() || null,
      description: meta.description,
      type: meta.type as "dynamic" | "static" | "compound",
      audience: meta.audience,
      timezone: meta.timezone,
      tags: meta.tags,
      condition: isStatic ? null : (converted.condition as unknown as Record<string, unknown> | null),
    });
    await refreshCaches(created.item.key);
    notify("success", `Saved ${created.item.name} as a draft.`);
    navigate(isStatic ? { page: "segment", key: created.item.key } : { page: "edit", key: created.item.key });
  };

  /** Save what changed; true when everything was saved. */
  const save = async (): Promise<boolean> => {
    if (!detail) return false;
    let tag = etag;
    let latest = detail;
    if (definitionChanged && definition) {
      const put = await api.putDefinition(detail.key, definition, tag);
      tag = put.etag;
      latest = put.item;
    }
    if (settingsChanged) {
      const patched = await api.patch(detail.key, { name: meta.name.trim(), description: meta.description, tags: meta.tags });
      tag = patched.etag;
      latest = patched.item;
    }
    setEtag(tag);
    setDetail(latest);
    setBaseline({ definition: definitionJson(meta, converted.condition), settings: settingsJson(meta) });
    await refreshCaches(detail.key);
    return true;
  };

  const act = async (action: LifecycleAction) => {
    setBusy(true);
    const key = detail?.key ?? meta.key;
    try {
      if (action === "create") {
        await create();
        return;
      }
      if (dirty && action !== "discard" && action !== "stop") await save();
      if (action === "save") {
        notify("success", detail?.state === "live" ? "Saved as a pending edit; the live revision keeps serving until you publish it." : "Saved.");
      } else if (action === "go-live" || action === "publish") {
        const answer = action === "go-live" ? await api.goLive(key) : await api.saveEdit(key);
        await refreshCaches(key);
        notify(
          "success",
          `${action === "go-live" ? "Live" : "Edit published"}${answer.run ? `: refresh run #${answer.run.id} started` : ""}.`,
          { href: href({ page: "runs" }), label: "See runs" },
        );
        navigate({ page: "segment", key });
      } else if (action === "discard") {
        await api.discardEdit(key);
        await refreshCaches(key);
        notify("success", "Pending edit discarded.");
        onReload();
      } else if (action === "stop") {
        await stop(false);
      }
    } catch (e) {
      if (action === "stop" && e instanceof ApiError && e.status === 409) setStopUsage(e.problems);
      else failed(e, "Could not save");
    } finally {
      setBusy(false);
    }
  };

  const stop = async (confirm: boolean) => {
    const key = detail?.key ?? meta.key;
    await api.stop(key, confirm);
    await refreshCaches(key);
    notify("success", "Stopped: the segment is a draft again.");
    setStopUsage(null);
    onReload();
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act(isNew ? "create" : "save");
  };

  const templates = isNew ? templatesFor(model) : [];
  const empty = converted.condition === null;

  return (
    <BuilderEnvContext.Provider value={env}>
      <form className="page builder-page" onSubmit={submit} noValidate>
        <div className="page-head">
          <h1>{isNew ? "New segment" : `Edit ${detail?.name ?? ""}`}</h1>
          {detail && <StatusBadge segment={detail} />}
          {detail && (
            <a className="btn" href={href({ page: "segment", key: detail.key })}>
              View details
            </a>
          )}
        </div>
        {outdated && (
          <div className="banner banner-error" role="alert">
            This segment was changed by someone else since you opened it, so your changes were not saved.{" "}
            <button type="button" className="btn btn-small" onClick={onReload}>
              Reload the latest version
            </button>{" "}
            (your unsaved changes will be lost).
          </div>
        )}
        {detail && <UsageBanner segmentKey={detail.key} />}
        {detail?.pending_revision != null && (
          <div className="banner">
            Live revision {detail.live_revision} keeps serving; you are editing pending revision {detail.pending_revision}. Publish it
            to swap it in, or discard it.
          </div>
        )}
        <MetaFields meta={meta} onChange={changeMeta} isNew={isNew} audiences={model.audiences} problems={settingProblems} />
        {shownProblems.general
          .filter((p) => !["name", "key", "timezone"].includes(p.path.split(".")[0] ?? ""))
          .map((p) => (
            <p key={`${p.path}|${p.message}`} className="error" role="alert">
              {p.path ? `${p.path}: ` : ""}
              {p.message}
            </p>
          ))}
        <div className="builder-layout">
          <div className="builder-main">
            {templates.length > 0 && (
              <TemplatePicker
                templates={templates}
                open={empty}
                onPick={(t) => {
                  setMeta({ ...meta, audience: t.audience, name: meta.name || t.name, key: keyTouched ? meta.key : slugify(meta.name || t.name) });
                  setQuery(fromCondition(t.condition));
                }}
              />
            )}
            {isStatic ? (
              <p className="panel muted">
                A static segment has hand-picked members. Save it, then add members by id or by query on its page.
              </p>
            ) : (
              <section className="panel" aria-labelledby="definition-title">
                <h2 id="definition-title">Definition</h2>
                <p className="muted small">
                  Combine blocks with <em>or</em>, <em>and also</em>, <em>but not</em> — read left to right, <em>or</em> first.
                </p>
                <ConditionEditor fields={fields} query={query} onChange={changeQuery} label="Segment definition" />
              </section>
            )}
          </div>
          <aside className="builder-side">
            {!isStatic && <LiveCountPanel live={live} audienceLabel={audienceLabel} empty={empty} />}
            <LifecycleActions detail={detail} isNew={isNew} dirty={dirty} busy={busy} onAct={(a) => void act(a)} />
          </aside>
        </div>
      </form>
      {stopUsage && (
        <Modal
          title="Stop a segment in use?"
          onClose={() => setStopUsage(null)}
          actions={
            <>
              <button type="button" className="btn" onClick={() => setStopUsage(null)}>
                Keep it live
              </button>
              <button type="button" className="btn btn-danger" onClick={() => void stop(true).catch((e: unknown) => failed(e, "Could not stop"))}>
                Stop anyway
              </button>
            </>
          }
        >
          <p>Live compound segments use it; they will fail to refresh while it is a draft.</p>
          <ul>
            {stopUsage.map((p) => (
              <li key={`${p.path}|${p.message}`}>
                <strong>{p.path}</strong> {p.message}
              </li>
            ))}
          </ul>
        </Modal>
      )}
    </BuilderEnvContext.Provider>
  );
}
