/**
 * What the builder offers to pick, from the data model (GET /api/model): the attributes of an
 * entity and of the entities its many-to-one relationships reach (dotted paths such as
 * `account.industry`), its one-to-many relationships (related blocks), its interactions
 * (behavior blocks) and, for an audience, other segments.
 */

import type { AttributeOut, EntityOut, InteractionOut, ModelOut } from "../api/client";
import { sourceOf, type ValueSource } from "../lib/suggestions";
import { BEHAVIOR, RAW, RELATED, SEGMENT } from "./convert";

export type FieldKind = "attribute" | "behavior" | "related" | "segment" | "raw";

export interface FieldInfo {
  /** The builder's field name: an attribute path or a block marker. */
  name: string;
  label: string;
  kind: FieldKind;
  /** The option group it is listed under. */
  group: string;
  /** attribute: its type and valid operators. */
  type?: string;
  operators?: string[];
  pii?: boolean;
  /** attribute: where its value suggestions come from (text attributes that are not pii). */
  source?: ValueSource;
  /** related: the entity of the related records; behavior: the interaction. */
  target?: string;
}

export interface FieldOptions {
  /** Offer segment blocks (the entity is the audience being built). */
  segments?: boolean;
  /** Only segment blocks (compound segments combine other segments). */
  segmentsOnly?: boolean;
  /** How many many-to-one hops to follow (account.owner.region is 2). */
  depth?: number;
}

export function entityOf(model: ModelOut, name: string): EntityOut | undefined {
  return model.entities.find((e) => e.name === name);
}

export function interactionOf(model: ModelOut, name: string): InteractionOut | undefined {
  return model.interactions.find((i) => i.name === name);
}

function attributeField(attr: AttributeOut, owner: string, path: string, label: string, group: string): FieldInfo {
  return {
    source: sourceOf(owner, attr),
    name: path,
    label,
    kind: "attribute",
    group,
    type: attr.type,
    operators: attr.operators,
    pii: attr.pii,
  };
}

/** Attribute fields of `entity` and of the entities reached by many-to-one paths. */
export function attributeFields(model: ModelOut, entity: string, depth = 2): FieldInfo[] {
  const out: FieldInfo[] = [];
  const walk = (name: string, prefix: string, labelPrefix: string, seen: Set<string>, hops: number) => {
    const e = entityOf(model, name);
    if (!e) return;
    const group = labelPrefix ? labelPrefix : e.label;
    for (const attr of e.attributes) {
      out.push(
        attributeField(attr, e.name, prefix + attr.name, labelPrefix ? `${labelPrefix} › ${attr.label}` : attr.label, group),
      );
    }
    if (hops >= depth) return;
    for (const rel of e.relationships) {
      if (rel.type !== "many_to_one" || seen.has(rel.target)) continue;
      walk(
        rel.target,
        `${prefix}${rel.name}.`,
        labelPrefix ? `${labelPrefix} › ${rel.label}` : rel.label,
        new Set([...seen, rel.target]),
        hops + 1,
      );
    }
  };
  walk(entity, "", "", new Set([entity]), 0);
  return out;
}

/** Every field the builder offers for conditions over `entity`. */
export function fieldsFor(model: ModelOut, entity: string, options: FieldOptions = {}): FieldInfo[] {
  const e = entityOf(model, entity);
  if (!e) return [];
  const segmentField: FieldInfo = {
    name: SEGMENT,
    label: `In segment…`,
    kind: "segment",
    group: "Segments",
  };
  if (options.segmentsOnly) return [segmentField];
  const out = attributeFields(model, entity, options.depth ?? 2);
  for (const name of e.interactions) {
    const i = interactionOf(model, name);
    out.push({
      name: BEHAVIOR + name,
      label: `${i?.label ?? name} (behavior)`,
      kind: "behavior",
      group: "Behavior (interactions)",
      target: name,
    });
  }
  for (const rel of e.relationships) {
    if (rel.type !== "one_to_many") continue;
    const target = entityOf(model, rel.target);
    out.push({
      name: RELATED + rel.name,
      label: `${rel.label} (${target?.label ?? rel.target} records)`,
      kind: "related",
      group: "Related records",
      target: rel.target,
    });
  }
  if (options.segments) out.push(segmentField);
  return out;
}

/** Fields for filtering the interactions of a behavior block (the interaction's attributes). */
export function interactionFields(model: ModelOut, interaction: string): FieldInfo[] {
  const i = interactionOf(model, interaction);
  if (!i) return [];
  return i.attributes.map((a) => attributeField(a, i.name, a.name, a.label, i.label));
}

export const RAW_FIELD: FieldInfo = {
  name: RAW,
  label: "Condition (not editable here)",
  kind: "raw",
  group: "Other",
};

/** The attribute a dotted path of `entity` reaches. */
export function attributeAt(model: ModelOut, entity: string, path: string): AttributeOut | undefined {
  const parts = path.split(".");
  let current = entityOf(model, entity);
  for (const rel of parts.slice(0, -1)) {
    const found = current?.relationships.find((r) => r.name === rel && r.type === "many_to_one");
    current = found ? entityOf(model, found.target) : undefined;
  }
  return current?.attributes.find((a) => a.name === parts[parts.length - 1]);
}

export interface OptionGroup<T> {
  label: string;
  options: T[];
}

/** Fields grouped for a select with option groups, in first-seen group order. */
export function grouped<T extends { group: string }>(items: T[]): OptionGroup<T>[] {
  const groups: OptionGroup<T>[] = [];
  for (const item of items) {
    let g = groups.find((x) => x.label === item.group);
    if (!g) {
      g = { label: item.group, options: [] };
      groups.push(g);
    }
    g.options.push(item);
  }
  return groups;
}

/** The builder's react-querybuilder fields carry their {@link FieldInfo} as `info`. */
export function infoOf(fieldData: unknown): FieldInfo | undefined {
  return (fieldData as { info?: FieldInfo } | undefined)?.info;
}
