/** Which type change a segment allows, as a menu item: make static / make dynamic. */

import type { SegmentOut } from "../api/client";
import type { MenuItem } from "../components/Menu";

/** Dynamic (and compound) segments can be made static, static ones dynamic; others neither. */
export function conversionOf(segment: Pick<SegmentOut, "type">): "static" | "dynamic" | null {
  if (segment.type === "dynamic" || segment.type === "compound") return "static";
  if (segment.type === "static") return "dynamic";
  return null;
}

/** "Make static" / "Make dynamic" where the type allows it (not while an edit is pending). */
export function convertItem<S extends Pick<SegmentOut, "type" | "pending_revision">>(
  segment: S,
  convert: (s: S) => void,
): MenuItem[] {
  const target = conversionOf(segment);
  if (target === null) return [];
  return [
    {
      label: target === "static" ? "Make static" : "Make dynamic",
      disabled: segment.pending_revision !== null,
      onSelect: () => convert(segment),
    },
  ];
}
