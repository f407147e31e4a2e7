import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { ConfirmButton } from "../../components/ConfirmButton";
import { TextField } from "../../components/Fields";
import { ErrorMessage, QueryState } from "../../components/Feedback";
import { RelativeTime } from "../../components/RelativeTime";
import { Tabs } from "../../components/Tabs";
import { ChatRole, type ChatMessage, type Conversation } from "../../gen/wegweiser/v1/chat_pb";
import type { Entity } from "../health/labels";
import { AnswerView } from "./Answer";
import { useConversation, useConversationPages, useCreateConversation, useDeleteConversation, useRenameConversation } from "./hooks";
import { chatErrorMessage, kindNoun, MAX_QUESTION } from "./labels";
import { MemoryList, RememberForm } from "./MemoryList";
import { useSendMessage, type LiveTurn } from "./stream";

const panelTabs = [
  { id: "chat", label: "Chat" },
  { id: "conversations", label: "Conversations" },
  { id: "memory", label: "Memory" },
];

/**
 * ChatPanel is the assistant of one entity (device, group, organisation or
 * the tenant): a chat with streamed answers that cite their records, the
 * caller's earlier conversations about the entity, and what the assistant
 * remembers about it.
 */
export default function ChatPanel({ entity, name, onClose }: { entity: Entity; name: string; onClose?: () => void }) {
  const [tab, setTab] = useState("chat");
  const [conversationId, setConversationId] = useState("");
  // The same query as the Conversations tab's list: one request serves both.
  const conversations = useConversationPages(entity);
  const titles = new Map((conversations.data?.pages ?? []).flatMap((p) => p.conversations).map((c) => [c.id, c.title]));
  // A new session (another conversation chosen) starts a fresh thread view.
  const [session, setSession] = useState(0);
  const open = (id: string) => {
    setConversationId(id);
    setSession((s) => s + 1);
    setTab("chat");
  };
  const forget = (id: string) => {
    if (id !== conversationId) return;
    setConversationId("");
    setSession((s) => s + 1);
  };
  return (
    <aside className="chat-panel" aria-label="Assistant">
      <header className="chat-panel-header">
        <h2>Ask about {name}</h2>
        {onClose && (
          <button type="button" className="btn btn-small" onClick={onClose} aria-label="Close assistant">
            ×
          </button>
        )}
      </header>
      <Tabs label="Assistant" tabs={panelTabs} selected={tab} onSelect={setTab}>
        {tab === "chat" ? (
          <ChatThread
            key={session}
            entity={entity}
            conversationId={conversationId}
            onCreated={setConversationId}
            onNew={() => open("")}
          />
        ) : tab === "conversations" ? (
          <ConversationList
            entity={entity}
            current={conversationId}
            onOpen={open}
            onNew={() => open("")}
            onDeleted={forget}
          />
        ) : (
          <div className="stack-small">
            <p className="small muted">
              What the assistant knows about {name} and the levels above it, used in every conversation here.
            </p>
            <RememberForm entity={entity} conversationId={conversationId} />
            <MemoryList entity={entity} conversations={titles} onOpenConversation={open} />
          </div>
        )}
      </Tabs>
    </aside>
  );
}

/** ChatThread is one conversation: its messages, the answer streaming in and the question box. */
function ChatThread({
  entity,
  conversationId,
  onCreated,
  onNew,
}: {
  entity: Entity;
  conversationId: string;
  onCreated: (id: string) => void;
  onNew: () => void;
}) {
  const conversation = useConversation(conversationId);
  const create = useCreateConversation();
  const { turn, send } = useSendMessage();
  const [text, setText] = useState("");
  const end = useRef<HTMLDivElement>(null);
  const stored = conversation.data?.messages ?? [];
  const title = conversation.data?.conversation?.title;

  // The live turn stays until the refetched conversation holds it.
  const liveDone = turn?.answer && stored.some((m) => m.id === turn.answer?.id);
  const live = turn && !liveDone ? turn : null;
  const streaming = turn?.streaming ?? false;
  const tooLong = text.length > MAX_QUESTION;

  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "end" });
  }, [stored.length, live?.text, live?.tools.length]);

  const ask = async () => {
    const q = text.trim();
    if (!q || tooLong || streaming || create.isPending) return;
    let id = conversationId;
    if (!id) {
      try {
        const res = await create.mutateAsync({ scope: entity, title: q.slice(0, 200) });
        id = res.conversation?.id ?? "";
      } catch {
        return; // create.error is shown
      }
      onCreated(id);
    }
    setText("");
    void send(id, q);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void ask();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void ask();
    }
  };

  return (
    <div className="chat-thread">
      <div className="chat-thread-head">
        <span className="muted small">{conversationId ? title || "Conversation" : "New conversation"}</span>
        {conversationId && (
          <button type="button" className="btn btn-small" onClick={onNew}>
            New conversation
          </button>
        )}
      </div>
      <div className="chat-messages" aria-live="polite" aria-label="Messages">
        {conversationId && conversation.isPending && !live && <p className="muted">Loading conversation…</p>}
        <ErrorMessage error={conversation.error} />
        {!conversationId && !live && (
          <p className="muted">
            Ask anything about this {kindNoun(entity.kind)}: what is wrong, what changed, which devices run out of disk
            first. Answers come from this tenant's own data and link to their records.
          </p>
        )}
        {stored.map((m) => (
          <StoredMessage key={m.id} message={m} />
        ))}
        {live && <LiveMessages turn={live} hideQuestion={Boolean(live.question && stored.some((m) => m.id === live.question?.id))} />}
        <div ref={end} />
      </div>
      <form className="chat-input" onSubmit={submit} aria-label="Ask a question">
        <label htmlFor="chat-question" className="sr-only">
          Question
        </label>
        <textarea
          id="chat-question"
          rows={2}
          value={text}
          placeholder={`Ask about this ${kindNoun(entity.kind)}… (Enter to send, Shift+Enter for a new line)`}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          aria-invalid={tooLong || undefined}
          aria-describedby={tooLong ? "chat-question-error" : undefined}
        />
        {tooLong && (
          <small id="chat-question-error" className="field-error">
            A question has at most {MAX_QUESTION.toLocaleString()} characters ({text.length.toLocaleString()} now).
          </small>
        )}
        <ErrorMessage error={create.error} />
        <div className="row">
          <button type="submit" className="btn btn-primary btn-small" disabled={!text.trim() || tooLong || streaming || create.isPending}>
            {streaming ? "Answering…" : "Send"}
          </button>
          <span className="muted small">Start with “Remember:” to teach a fact.</span>
        </div>
      </form>
    </div>
  );
}

function QuestionBubble({ text }: { text: string }) {
  return (
    <div className="chat-question">
      <span className="sr-only">You asked: </span>
      {text}
    </div>
  );
}

function StoredMessage({ message: m }: { message: ChatMessage }) {
  if (m.role === ChatRole.USER) return <QuestionBubble text={m.text} />;
  return (
    <AnswerView
      text={m.text}
      citations={m.citations}
      tools={m.tools}
      usage={m.usage}
      messageId={m.id}
      feedback={m.feedback}
    />
  );
}

function LiveMessages({ turn, hideQuestion }: { turn: LiveTurn; hideQuestion: boolean }) {
  const answer = turn.answer;
  return (
    <>
      {!hideQuestion && <QuestionBubble text={turn.question?.text ?? turn.asked} />}
      {turn.error ? (
        <div className="alert alert-error" role="alert">
          {chatErrorMessage(turn.error)}
        </div>
      ) : answer ? (
        <AnswerView
          text={answer.text}
          citations={answer.citations}
          tools={answer.tools}
          usage={answer.usage}
          messageId={answer.id}
          feedback={answer.feedback}
        />
      ) : (
        <AnswerView text={turn.text} citations={turn.citations} tools={turn.tools} streaming={turn.streaming} />
      )}
    </>
  );
}

/** ConversationList lists the caller's conversations about the entity, to open, rename or delete. */
function ConversationList({
  entity,
  current,
  onOpen,
  onNew,
  onDeleted,
}: {
  entity: Entity;
  current: string;
  onOpen: (id: string) => void;
  onNew: () => void;
  onDeleted: (id: string) => void;
}) {
  const conversations = useConversationPages(entity);
  return (
    <div className="stack-small">
      <div className="row">
        <button type="button" className="btn btn-primary btn-small" onClick={onNew}>
          New conversation
        </button>
      </div>
      <QueryState
        query={conversations}
        loading="Loading conversations…"
        isEmpty={(d) => d.pages.every((p) => p.conversations.length === 0)}
        empty={`No conversations about this ${kindNoun(entity.kind)} yet.`}
      >
        {(data) => (
          <>
            <ul className="conversation-list" aria-label="Conversations">
              {data.pages
                .flatMap((p) => p.conversations)
                .map((c) => (
                  <ConversationRow key={c.id} conversation={c} current={c.id === current} onOpen={onOpen} onDeleted={onDeleted} />
                ))}
            </ul>
            {conversations.hasNextPage && (
              <button
                type="button"
                className="btn btn-small"
                disabled={conversations.isFetchingNextPage}
                onClick={() => void conversations.fetchNextPage()}
              >
                {conversations.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            )}
          </>
        )}
      </QueryState>
    </div>
  );
}

function ConversationRow({
  conversation: c,
  current,
  onOpen,
  onDeleted,
}: {
  conversation: Conversation;
  current: boolean;
  onOpen: (id: string) => void;
  onDeleted: (id: string) => void;
}) {
  const rename = useRenameConversation();
  const del = useDeleteConversation();
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(c.title);
  const save = (e: FormEvent) => {
    e.preventDefault();
    rename.mutate({ id: c.id, title: title.trim() }, { onSuccess: () => setEditing(false) });
  };
  return (
    <li className={`conversation${current ? " conversation-current" : ""}`}>
      {editing ? (
        <form className="inline-form" onSubmit={save} aria-label={`Rename “${c.title}”`}>
          <TextField label="Title" maxLength={200} required value={title} onChange={(e) => setTitle(e.target.value)} />
          <button type="submit" className="btn btn-small btn-primary" disabled={rename.isPending || !title.trim()}>
            Save
          </button>
          <button type="button" className="btn btn-small" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <>
          <button type="button" className="link-button conversation-title" onClick={() => onOpen(c.id)}>
            {c.title || "Untitled conversation"}
          </button>
          <span className="small muted">
            {c.messageCount} messages · <RelativeTime value={c.updateTime ?? c.createTime} />
          </span>
          <span className="row">
            <button
              type="button"
              className="btn btn-small"
              onClick={() => {
                rename.reset();
                setTitle(c.title);
                setEditing(true);
              }}
            >
              Rename<span className="sr-only"> “{c.title}”</span>
            </button>
            <ConfirmButton
              small
              label="Delete"
              srLabel={`conversation “${c.title}”`}
              confirmLabel="Delete conversation"
              question="Delete this conversation and its messages? Facts taught in it stay remembered."
              pending={del.isPending}
              onConfirm={() => del.mutate({ id: c.id }, { onSuccess: () => onDeleted(c.id) })}
            />
          </span>
        </>
      )}
      <ErrorMessage error={rename.error ?? del.error} />
    </li>
  );
}
