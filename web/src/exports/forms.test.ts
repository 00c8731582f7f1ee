import { describe, expect, it } from "vitest";
import { DESTINATION_TYPES, destinationBody, destinationPatch, duration, exportBody, parseMapping, refetchEvery } from "./forms";

const form = (over: Partial<Parameters<typeof destinationBody>[0]> = {}) => ({
  key: "crm-hook",
  name: "",
  type: "webhook" as const,
  idField: "",
  settings: { url: "https://crm.example.com/hook" },
  ...over,
});

describe("destinationBody", () => {
  it("builds the request with typed settings and leaves empty ones out", () => {
    const result = destinationBody(form({ name: " CRM ", settings: { url: " https://x.example/h ", batch_size: "200", secret: "" } }));
    expect(result).toEqual({
      ok: true,
      body: { key: "crm-hook", name: "CRM", type: "webhook", settings: { url: "https://x.example/h", batch_size: 200 }, id_field: "" },
    });
  });

  it("names every problem by its field", () => {
    const result = destinationBody(form({ key: "Bad Key", settings: { url: "", batch_size: "1.5" } }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(Object.keys(result.errors).sort()).toEqual(["key", "settings.batch_size", "settings.url"]);
    }
  });

  it("refuses a choice that is not offered", () => {
    const result = destinationBody(form({ type: "file", settings: { path: "out", format: "xml" } }));
    expect(result).toEqual({ ok: false, errors: { "settings.format": "one of csv, parquet" } });
  });

  it("marks the secret settings of every type write-only", () => {
    const secrets = Object.fromEntries(
      Object.entries(DESTINATION_TYPES).map(([t, spec]) => [t, spec.settings.filter((s) => s.secret).map((s) => s.name)]),
    );
    expect(secrets).toEqual({ file: [], database: ["url"], webhook: ["secret"], segmint: ["token"] });
  });
});

describe("parseMapping and exportBody", () => {
  it("reads name=path and bare paths", () => {
    expect(parseMapping("email\ntier = loyalty.tier,\n")).toEqual({ ok: true, body: { email: "email", tier: "loyalty.tier" } });
    expect(parseMapping("orders.total")).toEqual({ ok: true, body: { orders_total: "orders.total" } });
  });

  it("refuses reserved, malformed and repeated names", () => {
    const result = parseMapping("id=email\n9x=y\na=b\na=c\nz=");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors)).toEqual(["fields.1", "fields.2", "fields.4", "fields.5"]);
  });

  it("needs a destination and a segment", () => {
    const result = exportBody({ key: "to-crm", name: "", destination: "", segments: [], mapping: "" });
    expect(result).toEqual({ ok: false, errors: { destination: "choose a destination", segments: "choose at least one segment" } });
    expect(exportBody({ key: "to-crm", name: "", destination: "hook", segments: ["vips"], mapping: "email" })).toEqual({
      ok: true,
      body: { key: "to-crm", name: null, destination: "hook", segments: ["vips"], fields: { email: "email" } },
    });
  });

  it("formats durations", () => {
    expect([duration(null), duration(0.25), duration(42), duration(125)]).toEqual(["—", "0.3s", "42s", "2m 5s"]);
  });
});

describe("refetchEvery", () => {
  it("polls fast only while a run is under way", () => {
    expect(refetchEvery(undefined)).toBe(5000);
    expect(refetchEvery([{ last_run: null }, { last_run: { status: "succeeded" } }])).toBe(5000);
    expect(refetchEvery([{ last_run: { status: "failed" } }, { last_run: { status: "running" } }])).toBe(1000);
    expect(refetchEvery([{ last_run: { status: "queued" } }])).toBe(1000);
  });
});

describe("destinationPatch", () => {
  const stored = { name: "Hook", id_field: "", settings: { url: "https://a.example/h", batch_size: 500, secret: "********" } };
  const edit = (over: Partial<Parameters<typeof destinationPatch>[2]> = {}) => ({
    name: "Hook",
    idField: "",
    settings: { url: "https://a.example/h", batch_size: "500", max_bytes: "", secret: "" },
    newSecret: false,
    ...over,
  });

  it("sends only what changed; an empty secret keeps the stored one", () => {
    expect(destinationPatch("webhook", stored, edit())).toEqual({ ok: true, body: { settings: {}, unset: [], new_secret: false } });
    const changed = destinationPatch("webhook", stored, edit({ name: "CRM", idField: "email", settings: { url: "https://b.example/h", batch_size: "", secret: "whsec_new" } }));
    expect(changed).toEqual({
      ok: true,
      body: { name: "CRM", id_field: "email", settings: { url: "https://b.example/h", secret: "whsec_new" }, unset: ["batch_size"], new_secret: false },
    });
  });

  it("asks for a generated secret, or refuses a typed one with it", () => {
    expect(destinationPatch("webhook", stored, edit({ newSecret: true }))).toMatchObject({ ok: true, body: { new_secret: true } });
    expect(destinationPatch("webhook", stored, edit({ newSecret: true, settings: { url: "https://a.example/h", secret: "whsec_x" } }))).toEqual({
      ok: false,
      errors: { "settings.secret": "type a secret or generate one, not both" },
    });
  });

  it("keeps required settings", () => {
    expect(destinationPatch("webhook", stored, edit({ settings: { url: " " } }))).toEqual({ ok: false, errors: { "settings.url": "required" } });
  });
});
