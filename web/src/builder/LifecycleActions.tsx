import type { SegmentDetail } from "../api/client";

export type LifecycleAction = "create" | "save" | "go-live" | "publish" | "discard" | "stop";

interface Props {
  detail: SegmentDetail | null;
  isNew: boolean;
  dirty: boolean;
  busy: boolean;
  onAct: (action: LifecycleAction) => void;
}

/** Save, go live, publish or discard a pending edit, stop — as the lifecycle allows. */
export function LifecycleActions({ detail, isNew, dirty, busy, onAct }: Props) {
  const button = (action: LifecycleAction, label: string, opts: { primary?: boolean; danger?: boolean; disabled?: boolean; submit?: boolean } = {}) => (
    <button
      key={action}
      type={opts.submit ? "submit" : "button"}
      className={`btn${opts.primary ? " btn-primary" : ""}${opts.danger ? " btn-danger" : ""}`}
      disabled={busy || opts.disabled}
      onClick={opts.submit ? undefined : () => onAct(action)}
    >
      {label}
    </button>
  );
  let buttons;
  let hint: string;
  if (isNew || !detail) {
    buttons = [button("create", "Save draft", { primary: true, submit: true })];
    hint = "A draft is not refreshed or exported until it goes live.";
  } else if (detail.state !== "live") {
    buttons = [button("save", "Save", { submit: true, disabled: !dirty }), button("go-live", "Go live", { primary: true })];
    hint = "Going live validates the definition, refreshes it and makes it usable.";
  } else {
    const pending = detail.pending_revision !== null;
    buttons = [
      button("save", "Save edit", { submit: true, disabled: !dirty }),
      ...(pending || dirty ? [button("publish", "Publish edit", { primary: true })] : []),
      ...(pending ? [button("discard", "Discard edit")] : []),
      button("stop", "Stop", { danger: true }),
    ];
    hint = "Edits of a live segment are saved as a pending edit; the live revision keeps serving until you publish.";
  }
  return (
    <section className="panel lifecycle" aria-label="Save and lifecycle">
      <div className="button-row">{buttons}</div>
      <p className="muted small">{hint}</p>
      {dirty && !isNew && <p className="small">You have unsaved changes.</p>}
    </section>
  );
}
