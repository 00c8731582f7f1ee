import { Modal } from "../components/Modal";

/** A generated webhook signing secret, shown this once. */
export function SecretOnce({ title, secret, onClose }: { title: string; secret: string; onClose: () => void }) {
  return (
    <Modal
      title={title}
      onClose={onClose}
      actions={
        <button type="button" className="btn btn-primary" onClick={onClose}>
          I have copied it
        </button>
      }
    >
      <p>Give it to the receiver to verify the signatures of the next deliveries. It is shown only now.</p>
      <pre className="secret-once">{secret}</pre>
    </Modal>
  );
}
