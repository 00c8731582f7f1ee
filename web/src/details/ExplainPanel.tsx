import { useState, type FormEvent } from "react";
import { api, messageOf, type ExplainOut } from "../api/client";
import type { Definition } from "../builder/definition";
import { formatDateTime } from "../lib/format";
import { ExplainTree } from "./ExplainTree";

interface Props {
  definition: Definition | null;
  /** Evaluate as of the current version's time, so the answer matches the stored members. */
  asOf: string | null;
}

/** Why one profile is or is not a member: the definition's tree with each verdict. */
export function ExplainPanel({ definition, asOf }: Props) {
  const [profile, setProfile] = useState("");
  const [answer, setAnswer] = useState<ExplainOut | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!definition || !profile.trim()) return;
    setError(null);
    try {
      setAnswer(await api.explain(definition, profile.trim(), asOf));
    } catch (err) {
      setAnswer(null);
      setError(messageOf(err));
    }
  };
  return (
    <section className="panel" aria-labelledby="explain-title">
      <h2 id="explain-title">Explain a profile</h2>
      {!definition ? (
        <p className="muted">Static segments have no definition to explain.</p>
      ) : (
        <form className="inline-form" onSubmit={(e) => void submit(e)}>
          <label className="inline">
            Profile id
            <input value={profile} onChange={(e) => setProfile(e.target.value)} placeholder="e.g. C0000026" />
          </label>
          <button type="submit" className="btn btn-small">
            Explain
          </button>
        </form>
      )}
      {asOf && definition && <p className="muted small">Evaluated as of {formatDateTime(asOf)}, the time of the current version.</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {answer && (
        <div data-testid="explain-result">
          <p>
            <strong>{String(answer.profile)}</strong> {answer.member ? "is a member." : "is not a member."}
          </p>
          <ul className="explain-tree">
            <ExplainTree node={answer.tree} />
          </ul>
        </div>
      )}
    </section>
  );
}
