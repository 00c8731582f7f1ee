import { useState, type ReactNode } from "react";
import { messageOf } from "../api/client";
import { Modal } from "../components/Modal";
import type { FormResult } from "./forms";

/** Submitting a form: checked here first (problems by field), then sent; the answer or the
 * API's error. */
// eslint-disable-next-line react-refresh/only-export-components
export function useSubmit<B, R>(check: () => FormResult<B>, send: (body: B) => Promise<R>, done: (answer: R) => void) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const result = check();
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    setFailure(null);
    setBusy(true);
    try {
      done(await send(result.body));
    } catch (e) {
      setFailure(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const problem = (field: string) => errors[field] && <span className="field-problem">{errors[field]}</span>;
  return { errors, setErrors, failure, busy, submit, problem };
}

interface FormDialogProps {
  title: string;
  label: string;
  submitLabel: string;
  busyLabel: string;
  busy: boolean;
  failure: string | null;
  onSubmit: () => Promise<void>;
  onClose: () => void;
  children: ReactNode;
}

/** A form in a dialog: Cancel and a submit button, and the API's error when sending failed. */
export function FormDialog({ title, label, submitLabel, busyLabel, busy, failure, onSubmit, onClose, children }: FormDialogProps) {
  return (
    <Modal
      title={title}
      onClose={onClose}
      wide
      actions={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void onSubmit()}>
            {busy ? busyLabel : submitLabel}
          </button>
        </>
      }
    >
      <form className="form" onSubmit={(e) => e.preventDefault()} aria-label={label}>
        {children}
        {failure && (
          <p className="error-text" role="alert">
            {failure}
          </p>
        )}
      </form>
    </Modal>
  );
}
