import { useState, type FormEvent } from "react";
import { ConfirmButton } from "../../components/ConfirmButton";
import { TextArea } from "../../components/Fields";
import { ErrorMessage, Notice, QueryState } from "../../components/Feedback";
import { RelativeTime } from "../../components/RelativeTime";
import { splitFieldError } from "../../lib/errors";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import type { Entity } from "../health/labels";
import { useCreateMemory, useDeleteMemory, useMemories } from "./hooks";
import { kindNoun } from "./labels";

/**
 * MemoryList shows the facts the assistant uses for an entity: those taught
 * about it and about the entities above it, with who taught them, when and
 * in which conversation (a link when it is one of the caller's own: conversations
 * are private). Technicians and above can delete them.
 */
export function MemoryList({
  entity,
  conversations,
  onOpenConversation,
}: {
  entity: Entity;
  /** Titles of the caller's conversations by id: a memory taught in one of them links to it. */
  conversations?: Map<string, string>;
  /** Opens the conversation a memory was taught in. */
  onOpenConversation?: (id: string) => void;
}) {
  const memories = useMemories(entity);
  const del = useDeleteMemory();
  const canWrite = useCan(Permission.AIWrite);
  return (
    <div className="stack-small">
      <QueryState
        query={memories}
        loading="Loading memories…"
        isEmpty={(d) => d.memories.length === 0}
        empty={`Nothing taught yet about this ${kindNoun(entity.kind)} or above it.`}
      >
        {(data) => (
          <ul className="memory-list" aria-label="Memories">
            {data.memories.map((m) => (
              <li key={m.id} className="memory">
                <p className="memory-text">{m.text}</p>
                <p className="small muted">
                  About {m.scopeName || kindNoun(m.scope?.kind ?? entity.kind)} · taught by {m.createdByName || m.createdBy || "someone"}{" "}
                  <RelativeTime value={m.createTime} />
                  {m.conversationId &&
                    (onOpenConversation && conversations?.has(m.conversationId) ? (
                      <>
                        {" · in "}
                        <button type="button" className="link-button" onClick={() => onOpenConversation(m.conversationId)}>
                          “{conversations.get(m.conversationId) || "a conversation"}”
                        </button>
                      </>
                    ) : (
                      " · in a conversation"
                    ))}
                </p>
                {canWrite && (
                  <ConfirmButton
                    small
                    label="Delete"
                    srLabel={`memory “${m.text.slice(0, 40)}”`}
                    confirmLabel="Forget it"
                    question="The assistant will no longer use this fact."
                    pending={del.isPending}
                    onConfirm={() => del.mutate({ id: m.id })}
                  />
                )}
              </li>
            ))}
          </ul>
        )}
      </QueryState>
      <ErrorMessage error={del.error} />
    </div>
  );
}

/**
 * RememberForm teaches the assistant a fact about an entity (technicians and
 * above), optionally from a conversation.
 */
export function RememberForm({ entity, conversationId = "" }: { entity: Entity; conversationId?: string }) {
  const create = useCreateMemory();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [saved, setSaved] = useState(false);
  const canWrite = useCan(Permission.AIWrite);
  if (!canWrite) return null;
  const { byField, rest } = splitFieldError(create.error, { text: "text" });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    create.mutate(
      { scope: entity, text: text.trim(), conversationId },
      {
        onSuccess: () => {
          setText("");
          setSaved(true);
          setOpen(false);
        },
      },
    );
  };

  if (!open) {
    return (
      <div className="remember">
        <button
          type="button"
          className="btn btn-small"
          onClick={() => {
            create.reset();
            setSaved(false);
            setOpen(true);
          }}
        >
          Remember a fact
        </button>
        {saved && <Notice>Remembered.</Notice>}
      </div>
    );
  }
  return (
    <form className="form form-boxed remember" onSubmit={submit} aria-label="Remember a fact">
      <TextArea
        label={`A fact about this ${kindNoun(entity.kind)}`}
        maxLength={1000}
        required
        value={text}
        error={byField.text}
        onChange={(e) => setText(e.target.value)}
        hint={
          <>
            E.g. “SRV-01 is the domain controller; event 1014 there is expected.” Typing “Remember: …” in the chat
            works too.
          </>
        }
      />
      <ErrorMessage error={rest} />
      <div className="row">
        <button type="submit" className="btn btn-primary btn-small" disabled={create.isPending || !text.trim()}>
          {create.isPending ? "Saving…" : "Remember"}
        </button>
        <button type="button" className="btn btn-small" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
