/**
 * The export routes of the API: destinations, exports, their runs and rejects, mirrors.
 * Failures become the shared {@link ApiError} (problem+json).
 */

import createClient from "openapi-fetch";
import { ApiError, messageOf, problemOf } from "../api/client";
import type { components, paths } from "../api/schema.gen";

type S = components["schemas"];
export type DestinationSummary = S["DestinationSummary"];
export type DestinationDetail = S["DestinationDetail"];
export type DestinationIn = S["DestinationIn"];
export type DestinationAdded = S["DestinationAdded"];
export type DestinationPatch = S["DestinationPatch"];
export type DestinationEdited = S["DestinationEdited"];
export type ExportSummary = S["ExportSummary"];
export type ExportDetail = S["ExportDetail"];
export type ExportIn = S["ExportIn"];
export type ExportRun = S["ExportRunOut"];
export type LastRun = S["LastRunOut"];
export type Reject = S["RejectOut"];
export type Mirror = S["MirrorOut"];

const http = createClient<paths>({ baseUrl: "" });

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

async function data<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch (e) {
    throw new ApiError({ status: 0, title: "Network error", detail: messageOf(e), problems: [] });
  }
  if (!answer.response.ok) throw new ApiError(problemOf(answer.response.status, answer.error));
  return answer.data as T;
}

const key = (k: string) => ({ params: { path: { key: k } } });

export const exportsApi = {
  destinations: () => data(http.GET("/api/destinations")),
  destination: (k: string) => data(http.GET("/api/destinations/{key}", key(k))),
  addDestination: (body: DestinationIn) => data(http.POST("/api/destinations", { body })),
  editDestination: (k: string, body: DestinationPatch) => data(http.PATCH("/api/destinations/{key}", { ...key(k), body })),
  testDestination: (k: string) => data(http.POST("/api/destinations/{key}/test", key(k))),
  removeDestination: (k: string) => data(http.DELETE("/api/destinations/{key}", key(k))),
  exports: (query: { destination?: string; segment?: string } = {}) =>
    data(http.GET("/api/exports", { params: { query } })),
  exportDetail: (k: string) => data(http.GET("/api/exports/{key}", key(k))),
  createExport: (body: ExportIn) => data(http.POST("/api/exports", { body })),
  deleteExport: (k: string) => data(http.DELETE("/api/exports/{key}", key(k))),
  runExport: (k: string, snapshot = false) =>
    data(http.POST("/api/exports/{key}/run", { ...key(k), body: { snapshot, wait: false } })),
  runAll: () => data(http.POST("/api/exports/run", { body: { snapshot: false, wait: false } })),
  runs: (k: string, limit = 20) =>
    data(http.GET("/api/exports/{key}/runs", { params: { path: { key: k }, query: { limit } } })),
  rejects: (k: string) => data(http.GET("/api/exports/{key}/rejects", key(k))),
  segmentExports: (k: string) => data(http.GET("/api/segments/{key}/exports", key(k))),
  mirror: (k: string) => data(http.GET("/api/external-segments/{key}", key(k))),
};
