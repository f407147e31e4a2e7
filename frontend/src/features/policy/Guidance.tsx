import { useState, type FormEvent } from "react";
import { TextArea } from "../../components/Fields";
import { Empty, ErrorMessage, Notice } from "../../components/Feedback";
import { useSetGuidance } from "./hooks";
import type { Scope } from "./labels";

/** GUIDANCE_MAX is the server's limit for guidance text. */
const GUIDANCE_MAX = 4000;

/**
 * Guidance shows a level's free-text guidance for the AI narrative and, with
 * policy.manage, edits it. Guidance is untrusted text: shown as text only.
 */
export function Guidance({ scope, text, canManage }: { scope: Scope; text: string; canManage: boolean }) {
  const save = useSetGuidance();
  const [draft, setDraft] = useState(text);
  const [saved, setSaved] = useState<"" | "saved" | "removed">("");

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved("");
    const value = draft.trim();
    save.mutate({ scope, text: value }, { onSuccess: () => setSaved(value ? "saved" : "removed") });
  };

  return (
    <div className="stack-small">
      <p className="muted small">
        Free text the AI takes into account when it writes the narrative around a score, e.g. “The kiosk PCs hold no
        user data; do not recommend disk encryption for them.” It never changes a score: to change how a check counts,
        add an override.
      </p>
      {canManage ? (
        <form className="form" onSubmit={submit} aria-label="Guidance">
          <TextArea
            label="Guidance for the AI narrative"
            rows={5}
            maxLength={GUIDANCE_MAX}
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              setSaved("");
            }}
            hint={`At most ${GUIDANCE_MAX} characters. Save an empty text to remove it.`}
          />
          <ErrorMessage error={save.error} />
          {saved && <Notice>{saved === "saved" ? "Guidance saved." : "Guidance removed."}</Notice>}
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={save.isPending || draft.trim() === text.trim()}>
              {save.isPending ? "Saving…" : "Save guidance"}
            </button>
          </div>
        </form>
      ) : text ? (
        <p className="guidance-text">{text}</p>
      ) : (
        <Empty>No guidance at this level.</Empty>
      )}
    </div>
  );
}
