import { csvUrl, type SegmentOut } from "../api/client";
import { Menu } from "../components/Menu";
import { href, navigate } from "../lib/router";
import { useSegmentActions } from "./actionsContext";
import { convertItem } from "./conversion";

/** The actions of one segment, as a menu. */
export function RowActions({ segment }: { segment: SegmentOut }) {
  const actions = useSegmentActions();
  return (
    <Menu
      label="Actions"
      ariaLabel={`Actions for ${segment.name}`}
      items={[
        { label: "View", onSelect: () => navigate({ page: "segment", key: segment.key }) },
        {
          label: "Download CSV",
          href: csvUrl(segment.key),
          download: true,
          disabled: segment.current_version === null,
        },
        { label: "Edit", href: href({ page: "edit", key: segment.key }) },
        { label: "Duplicate", onSelect: () => actions.duplicate(segment) },
        { label: "Refresh", onSelect: () => void actions.refresh([segment.key]) },
        segment.active
          ? { label: "Deactivate", onSelect: () => void actions.setActive([segment.key], false) }
          : { label: "Activate", onSelect: () => void actions.setActive([segment.key], true) },
        { label: "Schedule activation…", onSelect: () => actions.schedule(segment) },
        ...convertItem(segment, actions.convert),
        { label: "Rename", onSelect: () => actions.rename(segment) },
        { label: "Tag", onSelect: () => actions.tag(segment) },
        { label: "Delete", danger: true, onSelect: () => actions.remove([segment]) },
      ]}
    />
  );
}

