/**
 * The logic of the destination and export forms: each type's settings, turning what was typed
 * into a request body (or the problems, by field), and the field mapping.
 */

import type { DestinationIn, DestinationPatch, ExportIn } from "./api";

export type DestinationType = DestinationIn["type"];

export interface SettingSpec {
  name: string;
  label: string;
  kind: "text" | "number" | "choice";
  /** Stored encrypted and never shown back: the input is write-only. */
  secret?: boolean;
  required?: boolean;
  choices?: string[];
  placeholder?: string;
  help?: string;
}

export const DESTINATION_TYPES: Record<DestinationType, { label: string; settings: SettingSpec[] }> = {
  file: {
    label: "File (CSV or Parquet in a folder)",
    settings: [
      { name: "path", label: "Folder", kind: "text", required: true, placeholder: "exports/crm", help: "relative to the workspace, or an fsspec URL" },
      { name: "format", label: "Format", kind: "choice", choices: ["csv", "parquet"] },
    ],
  },
  database: {
    label: "Database table",
    settings: [
      { name: "url", label: "Database URL", kind: "text", secret: true, required: true, placeholder: "postgresql+psycopg://user:password@host/db" },
      { name: "table", label: "Table", kind: "text", placeholder: "segmint_{segment}" },
      { name: "mode", label: "Mode", kind: "choice", choices: ["replace", "diff"] },
      { name: "schema_name", label: "Schema", kind: "text" },
      { name: "batch_rows", label: "Rows per batch", kind: "number" },
    ],
  },
  webhook: {
    label: "Webhook (signed JSON batches)",
    settings: [
      { name: "url", label: "URL", kind: "text", required: true, placeholder: "https://crm.example.com/hooks/segments" },
      { name: "secret", label: "Signing secret", kind: "text", secret: true, placeholder: "whsec_…", help: "left empty, one is generated and shown once" },
      { name: "batch_size", label: "Rows per batch", kind: "number" },
      { name: "max_bytes", label: "Bytes per batch", kind: "number" },
    ],
  },
  segmint: {
    label: "Another Segmint (mirror)",
    settings: [
      { name: "url", label: "Segmint URL", kind: "text", required: true, placeholder: "https://marketing.example.com" },
      { name: "token", label: "API token", kind: "text", secret: true },
      { name: "audience", label: "Audience there", kind: "text" },
      { name: "key_prefix", label: "Key prefix there", kind: "text" },
    ],
  },
};

export const KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,99}$/;

export interface DestinationForm {
  key: string;
  name: string;
  type: DestinationType;
  idField: string;
  settings: Record<string, string>;
}

export type FormResult<T> = { ok: true; body: T } | { ok: false; errors: Record<string, string> };

function checkKey(key: string, errors: Record<string, string>): void {
  if (!key.trim()) errors.key = "required";
  else if (!KEY_PATTERN.test(key.trim())) errors.key = "lower-case letters, digits, - and _, starting with a letter or digit";
}

/** The body of POST /api/destinations, or the problems by field (`key`, `settings.url`...). */
export function destinationBody(form: DestinationForm): FormResult<DestinationIn> {
  const errors: Record<string, string> = {};
  checkKey(form.key, errors);
  const settings: Record<string, string | number> = {};
  for (const spec of DESTINATION_TYPES[form.type].settings) {
    const raw = (form.settings[spec.name] ?? "").trim();
    if (!raw) {
      if (spec.required) errors[`settings.${spec.name}`] = "required";
      continue;
    }
    if (spec.kind === "number") {
      const value = Number(raw);
      if (!Number.isInteger(value) || value < 1) errors[`settings.${spec.name}`] = "a whole number of at least 1";
      else settings[spec.name] = value;
    } else if (spec.kind === "choice" && spec.choices && !spec.choices.includes(raw)) {
      errors[`settings.${spec.name}`] = `one of ${spec.choices.join(", ")}`;
    } else {
      settings[spec.name] = raw;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    body: { key: form.key.trim(), name: form.name.trim() || null, type: form.type, settings, id_field: form.idField.trim() },
  };
}

/** `name=path` lines (or `path`, named after it with dots as underscores) -> {name: path}. */
export function parseMapping(text: string): FormResult<Record<string, string>> {
  const found: Record<string, string> = {};
  const errors: Record<string, string> = {};
  text.split(/\n|,/).forEach((line, index) => {
    const item = line.trim();
    if (!item) return;
    const [name, path] = item.includes("=")
      ? [item.slice(0, item.indexOf("=")).trim(), item.slice(item.indexOf("=") + 1).trim()]
      : [item.replaceAll(".", "_"), item];
    const where = `fields.${index + 1}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name) || name === "id" || name === "segment") {
      errors[where] = `${item}: the output name must be a letter or _ then letters, digits and _ (not id or segment)`;
    } else if (!path) errors[where] = `${item}: no source field`;
    else if (name in found) errors[where] = `${item}: ${name} is mapped twice`;
    else found[name] = path;
  });
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, body: found };
}

export interface ExportForm {
  key: string;
  name: string;
  destination: string;
  segments: string[];
  mapping: string;
}

/** The body of POST /api/exports, or the problems by field. */
export function exportBody(form: ExportForm): FormResult<ExportIn> {
  const errors: Record<string, string> = {};
  checkKey(form.key, errors);
  if (!form.destination) errors.destination = "choose a destination";
  if (form.segments.length === 0) errors.segments = "choose at least one segment";
  const mapping = parseMapping(form.mapping);
  if (!mapping.ok) Object.assign(errors, mapping.errors);
  if (Object.keys(errors).length > 0 || !mapping.ok) return { ok: false, errors };
  return {
    ok: true,
    body: { key: form.key.trim(), name: form.name.trim() || null, destination: form.destination, segments: form.segments, fields: mapping.body },
  };
}

/** "1.2s", "3m 4s": how long a run took. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  return `${Math.floor(seconds / 60)}m ${Math.round(seconds % 60)}s`;
}

/** How often to re-read a list of exports or destinations: every second while one of their
 * last runs is queued or running, else every 5 seconds. */
export function refetchEvery(items: { last_run?: { status: string } | null }[] | undefined): number {
  return (items ?? []).some((x) => x.last_run?.status === "queued" || x.last_run?.status === "running") ? 1000 : 5000;
}

export interface DestinationEdit {
  name: string;
  idField: string;
  /** Non-secret settings as typed (prefilled with the stored values); secret ones empty
   * unless a new value is typed (they are never shown back). */
  settings: Record<string, string>;
  newSecret: boolean;
}

/** The body of PATCH /api/destinations/KEY: only what changed; a cleared optional setting is
 * unset (back to its default), a secret typed replaces the old one. */
export function destinationPatch(
  type: DestinationType,
  stored: { name: string; id_field: string; settings: Record<string, unknown> },
  form: DestinationEdit,
): FormResult<DestinationPatch> {
  const errors: Record<string, string> = {};
  const settings: Record<string, string | number> = {};
  const unset: string[] = [];
  for (const spec of DESTINATION_TYPES[type].settings) {
    const raw = (form.settings[spec.name] ?? "").trim();
    const where = `settings.${spec.name}`;
    if (spec.secret) {
      if (raw && form.newSecret && spec.name === "secret") errors[where] = "type a secret or generate one, not both";
      else if (raw) settings[spec.name] = raw;
      continue;
    }
    const before = stored.settings[spec.name];
    if (!raw) {
      if (spec.required) errors[where] = "required";
      else if (before !== undefined && before !== null) unset.push(spec.name);
      continue;
    }
    if (spec.kind === "number") {
      const value = Number(raw);
      if (!Number.isInteger(value) || value < 1) errors[where] = "a whole number of at least 1";
      else if (value !== before) settings[spec.name] = value;
    } else if (spec.kind === "choice" && spec.choices && !spec.choices.includes(raw)) {
      errors[where] = `one of ${spec.choices.join(", ")}`;
    } else if (raw !== before) {
      settings[spec.name] = raw;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const body: DestinationPatch = { settings, unset, new_secret: form.newSecret };
  if (form.name.trim() && form.name.trim() !== stored.name) body.name = form.name.trim();
  if (form.idField.trim() !== stored.id_field) body.id_field = form.idField.trim();
  return { ok: true, body };
}
