/**
 * The typed API client. Types come from web/openapi.json (generated into schema.gen.ts by
 * openapi-typescript; `npm run openapi` refreshes openapi.json from the FastAPI app).
 *
 * Every failure becomes an {@link ApiError} carrying the problem+json body.
 */

import createClient from "openapi-fetch";
import type { Definition } from "../builder/definition";
import type { components, paths } from "./schema.gen";

type S = components["schemas"];
export type SegmentOut = S["SegmentOut"];
export type SegmentDetail = S["SegmentDetail"];
export type ModelOut = S["ModelOut"];
export type EntityOut = S["EntityOut"];
export type AttributeOut = S["AttributeOut"];
export type InteractionOut = S["InteractionOut"];
export type RelationshipOut = S["RelationshipOut"];
export type CountOut = S["CountOut"];
export type PageOut = S["PageOut"];
export type ExplainOut = S["ExplainOut"];
export type HistoryItem = S["HistoryItem"];
export type TrendPoint = S["TrendPoint"];
export type UsageOut = S["UsageOut"];
export type ConsumerOut = S["ConsumerOut"];
export type RunOut = S["RunOut"];
export type TaskOut = S["TaskOut"];
export type RunRequestOut = S["RunRequestOut"];
export type ScheduleOut = S["ScheduleOut"];
export type ScheduleIn = S["ScheduleIn"];
export type StaticOut = S["StaticOut"];
export type QueryOut = S["QueryOut"];
export type QueryIn = S["QueryIn"];
export type SegmentCreate = S["SegmentCreate"];
export type SegmentPatch = S["SegmentPatch"];
export type ProblemItem = S["ProblemItem"];
export type ValueOut = S["ValueOut"];
export type SystemOut = S["SystemOut"];
export type ConversionOut = S["ConversionOut"];
export type ExplainNode = S["ExplainNode"];
export type SortColumn = NonNullable<paths["/api/segments"]["get"]["parameters"]["query"]>["sort"];

export interface Problem {
  status: number;
  title: string;
  detail: string;
  problems: ProblemItem[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly problems: ProblemItem[];

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = "ApiError";
    this.status = problem.status;
    this.title = problem.title;
    this.detail = problem.detail;
    this.problems = problem.problems;
  }
}

export function problemOf(status: number, body: unknown): Problem {
  if (typeof body === "object" && body !== null) {
    const b = body as Partial<Problem>;
    return {
      status,
      title: typeof b.title === "string" ? b.title : `HTTP ${status}`,
      detail: typeof b.detail === "string" ? b.detail : "",
      problems: Array.isArray(b.problems) ? b.problems : [],
    };
  }
  return { status, title: `HTTP ${status}`, detail: typeof body === "string" ? body : "", problems: [] };
}

/** A readable one-line message for any error (at most `max` of its located problems). */
export function messageOf(error: unknown, max = Infinity): string {
  if (error instanceof ApiError) {
    const detail = error.detail || error.title;
    if (error.problems.length === 0) return detail;
    const shown = error.problems.slice(0, max).map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
    const more = error.problems.length - shown.length;
    return `${detail}: ${shown.join("; ")}${more > 0 ? ` and ${more} more` : ""}`;
  }
  return error instanceof Error ? error.message : String(error);
}

const http = createClient<paths>({ baseUrl: "" });

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

async function unwrap<T>(call: Promise<Answer<T>>): Promise<{ data: T; response: Response }> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch (e) {
    throw new ApiError({ status: 0, title: "Network error", detail: messageOf(e), problems: [] });
  }
  if (!answer.response.ok) {
    throw new ApiError(problemOf(answer.response.status, answer.error));
  }
  return { data: answer.data as T, response: answer.response };
}

async function data<T>(call: Promise<Answer<T>>): Promise<T> {
  return (await unwrap(call)).data;
}

export interface SegmentFilters {
  search?: string;
  tags?: string[];
  types?: string[];
  states?: string[];
  sort?: SortColumn;
  desc?: boolean;
}

/** A segment with the ETag to send back when changing its definition. */
export interface Tagged<T> {
  item: T;
  etag: string | null;
}

const key = (k: string) => ({ params: { path: { key: k } } });

export const api = {
  model: () => data(http.GET("/api/model")),
  countOperators: () => data(http.GET("/api/model/count-operators")),
  /** The most frequent values of a text attribute starting with `prefix`. */
  values: (owner: string, attribute: string, prefix: string, limit = 12, signal?: AbortSignal) =>
    data(
      http.GET("/api/model/{entity}/attributes/{attribute}/values", {
        params: { path: { entity: owner, attribute }, query: { prefix, limit } },
        signal,
      }),
    ),
  system: () => data(http.GET("/api/system")),

  /** Every segment matching the filters (follows the cursor through all pages). */
  async segments(filters: SegmentFilters = {}): Promise<SegmentOut[]> {
    const out: SegmentOut[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await data(
        http.GET("/api/segments", {
          params: {
            query: {
              search: filters.search || undefined,
              tag: filters.tags?.length ? filters.tags : undefined,
              type: filters.types?.length ? filters.types : undefined,
              state: filters.states?.length ? filters.states : undefined,
              sort: filters.sort ?? "name",
              desc: filters.desc ?? false,
              cursor,
              limit: 1000,
            },
          },
        }),
      );
      out.push(...page.items);
      if (!page.next_cursor) return out;
      cursor = page.next_cursor;
    }
  },

  async segment(k: string): Promise<Tagged<SegmentDetail>> {
    const { data: item, response } = await unwrap(http.GET("/api/segments/{key}", key(k)));
    return { item, etag: response.headers.get("etag") };
  },

  /** The revision a live segment serves (while an edit is pending, it differs from the latest). */
  liveSegment: (k: string) =>
    data(http.GET("/api/segments/{key}", { params: { path: { key: k }, query: { revision: "live" } } })),

  async create(body: SegmentCreate): Promise<Tagged<SegmentDetail>> {
    const { data: item, response } = await unwrap(http.POST("/api/segments", { body }));
    return { item, etag: response.headers.get("etag") };
  },

  async patch(k: string, body: SegmentPatch): Promise<Tagged<SegmentDetail>> {
    const { data: item, response } = await unwrap(http.PATCH("/api/segments/{key}", { ...key(k), body }));
    return { item, etag: response.headers.get("etag") };
  },

  async putDefinition(k: string, definition: Definition, etag: string | null): Promise<Tagged<SegmentDetail>> {
    const { data: item, response } = await unwrap(
      http.PUT("/api/segments/{key}/definition", {
        params: { path: { key: k }, header: { "if-match": etag } },
        body: { ...definition, condition: definition.condition as unknown as Record<string, unknown> },
      }),
    );
    return { item, etag: response.headers.get("etag") };
  },

  duplicate: (k: string, newKey: string, name?: string) =>
    data(http.POST("/api/segments/{key}/duplicate", { ...key(k), body: { key: newKey, name: name ?? null } })),

  remove: (k: string, confirm = false) =>
    data(http.DELETE("/api/segments/{key}", { params: { path: { key: k }, query: { confirm } } })),

  goLive: (k: string) => data(http.POST("/api/segments/{key}/go-live", key(k))),
  saveEdit: (k: string) => data(http.POST("/api/segments/{key}/save", key(k))),
  discardEdit: (k: string) => data(http.POST("/api/segments/{key}/discard", key(k))),
  stop: (k: string, confirm = false) =>
    data(http.POST("/api/segments/{key}/stop", { params: { path: { key: k }, query: { confirm } } })),
  activate: (k: string, at?: string) =>
    data(http.POST("/api/segments/{key}/activate", { ...key(k), body: at ? { at } : null })),
  deactivate: (k: string, at?: string) =>
    data(http.POST("/api/segments/{key}/deactivate", { ...key(k), body: at ? { at } : null })),
  cancelScheduled: (k: string, change: "activation" | "deactivation") =>
    data(http.DELETE("/api/segments/{key}/scheduled/{change}", { params: { path: { key: k, change } } })),
  usage: (k: string) => data(http.GET("/api/segments/{key}/usage", key(k))),
  makeStatic: (k: string) => data(http.POST("/api/segments/{key}/make-static", key(k))),
  makeDynamic: (k: string) => data(http.POST("/api/segments/{key}/make-dynamic", { ...key(k), body: null })),

  members: (k: string, fields: string[], cursor: string | null, limit = 100) =>
    data(
      http.GET("/api/segments/{key}/members", {
        params: { path: { key: k }, query: { field: fields, cursor: cursor ?? undefined, limit } },
      }),
    ),
  history: (k: string) => data(http.GET("/api/segments/{key}/history", key(k))),
  trend: (k: string, since?: string) =>
    data(http.GET("/api/segments/{key}/trend", { params: { path: { key: k }, query: { since } } })),

  /** Every hand-picked member of a static segment (follows the cursor through all pages). */
  async staticMembers(k: string): Promise<StaticOut> {
    const members: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await data(
        http.GET("/api/segments/{key}/static-members", { params: { path: { key: k }, query: { cursor, limit: 10_000 } } }),
      );
      members.push(...page.members);
      if (!page.next_cursor) return { members, count: page.count, next_cursor: null };
      cursor = page.next_cursor;
    }
  },
  addStatic: (k: string, ids: string[]) =>
    data(http.POST("/api/segments/{key}/static-members", { ...key(k), body: { ids } })),
  removeStatic: (k: string, ids: string[]) =>
    data(http.POST("/api/segments/{key}/static-members/remove", { ...key(k), body: { ids } })),
  staticQuery: (k: string, body: QueryIn) =>
    data(http.POST("/api/segments/{key}/static-members/query", { ...key(k), body })),

  count: (definition: Definition, signal?: AbortSignal) =>
    data(http.POST("/api/evaluate/count", { body: asBody(definition), signal })),
  preview: (definition: Definition, fields: string[], limit = 100) =>
    data(http.POST("/api/evaluate/preview", { body: { ...asBody(definition), fields, limit, offset: 0 } })),
  explain: (definition: Definition, profile: string, asOf?: string | null) =>
    data(http.POST("/api/evaluate/explain", { body: { ...asBody(definition), profile, as_of: asOf ?? null } })),

  runs: (limit = 30) => data(http.GET("/api/runs", { params: { query: { limit } } })),
  refresh: (segments: string[]) => data(http.POST("/api/runs", { body: { segments, all: false } })),
  cancelRun: (id: number) =>
    data(http.POST("/api/runs/{run_id}/cancel", { params: { path: { run_id: id } } })),

  schedule: () => data(http.GET("/api/schedule")),
  putSchedule: (body: ScheduleIn) => data(http.PUT("/api/schedule", { body })),
};

function asBody(definition: Definition) {
  return {
    audience: definition.audience,
    timezone: definition.timezone,
    condition: definition.condition as unknown as Record<string, unknown>,
  };
}

export function csvUrl(segmentKey: string, fields: string[] = []): string {
  const query = fields.map((f) => `field=${encodeURIComponent(f)}`).join("&");
  return `/api/segments/${encodeURIComponent(segmentKey)}/members.csv${query ? `?${query}` : ""}`;
}
