import { useState } from "react";
import { Link } from "react-router";
import { ErrorMessage } from "../../components/Feedback";
import { Feedback, type Citation, type ToolActivity, type Usage } from "../../gen/wegweiser/v1/chat_pb";
import { useSubmitFeedback } from "./hooks";
import { BUILTIN_ANSWER, citationHref } from "./labels";
import { Markdown } from "./Markdown";

/** CitationChip is a numbered chip that opens the cited record. */
export function CitationChip({ citation }: { citation: Citation }) {
  const href = citationHref(citation);
  const label = citation.label || `Record ${citation.number}`;
  if (!href) {
    return (
      <span className="citation-chip citation-chip-plain" title={label}>
        {citation.number}
      </span>
    );
  }
  return (
    <Link className="citation-chip" to={href} title={label} aria-label={`Citation ${citation.number}: ${label}`}>
      {citation.number}
    </Link>
  );
}

/** toolTitle says in words what a tool did: "search_devices" → "Searched devices". */
export function toolTitle(name: string): string {
  const words = name.split(/[_\s]+/).filter(Boolean);
  const [verb = "", ...rest] = words;
  const object = rest.join(" ");
  const past: Record<string, string> = {
    search: "Searched",
    get: "Read",
    list: "Listed",
    read: "Read",
    compare: "Compared",
    explain: "Explained",
    find: "Found",
  };
  if (past[verb]) return object ? `${past[verb]} ${object}` : (past[verb] ?? verb);
  const all = words.join(" ");
  return all.charAt(0).toUpperCase() + all.slice(1);
}

/** ToolLines lists the tools an answer ran, one line each ("Searched devices: 12 devices"). */
export function ToolLines({ tools }: { tools: ToolActivity[] }) {
  if (tools.length === 0) return null;
  return (
    <ul className="chat-tools" aria-label="Tools used">
      {tools.map((t, i) => (
        <li key={i} className={t.failed ? "chat-tool-failed" : undefined} title={t.summary || undefined}>
          {toolTitle(t.name)}: {t.failed ? `failed${t.result ? ` (${t.result})` : ""}` : t.result || "done"}
        </li>
      ))}
    </ul>
  );
}

/** UsageLabel says who answered: the built-in answerer or the model. */
export function UsageLabel({ usage }: { usage: Usage | undefined }) {
  if (!usage) return null;
  if (usage.builtin) return <span className="chat-usage">{BUILTIN_ANSWER}</span>;
  const tokens = Number(usage.promptTokens + usage.completionTokens);
  return (
    <span className="chat-usage">
      Answered by {usage.model || "the model"}
      {tokens > 0 ? ` · ${tokens.toLocaleString()} tokens` : ""}
    </span>
  );
}

/**
 * AnswerView shows one answer of the assistant: the tools it ran, its text
 * (safe Markdown with [n] chips), the records it cites, who answered and,
 * once stored, feedback buttons.
 */
export function AnswerView({
  text,
  citations,
  tools,
  usage,
  messageId,
  feedback,
  streaming = false,
}: {
  text: string;
  citations: Citation[];
  tools: ToolActivity[];
  usage?: Usage;
  messageId?: string;
  feedback?: Feedback;
  streaming?: boolean;
}) {
  const byNumber = new Map(citations.map((c) => [c.number, c]));
  return (
    <div className="chat-answer" aria-busy={streaming || undefined}>
      <ToolLines tools={tools} />
      {text ? (
        <Markdown
          text={text}
          cite={(n, key) => {
            const c = byNumber.get(n);
            return c ? <CitationChip key={key} citation={c} /> : null;
          }}
        />
      ) : (
        streaming && <p className="muted">Thinking…</p>
      )}
      {citations.length > 0 && (
        <ol className="citation-list" aria-label="Sources">
          {citations.map((c) => (
            <li key={c.number}>
              <CitationChip citation={c} /> <span>{c.label}</span>
            </li>
          ))}
        </ol>
      )}
      <div className="chat-answer-foot">
        <UsageLabel usage={usage} />
        {messageId && !streaming && <FeedbackButtons messageId={messageId} initial={feedback ?? Feedback.UNSPECIFIED} />}
      </div>
    </div>
  );
}

/** FeedbackButtons rate an answer as helpful or wrong; a second click clears the rating. */
export function FeedbackButtons({ messageId, initial }: { messageId: string; initial: Feedback }) {
  const submit = useSubmitFeedback();
  // What the caller chose here wins over a copy of the message fetched before it.
  const [chosen, setChosen] = useState<Feedback | null>(null);
  const rating = chosen ?? initial;
  const rate = (f: Feedback) => {
    const next = rating === f ? Feedback.UNSPECIFIED : f;
    submit.mutate({ messageId, feedback: next }, { onSuccess: () => setChosen(next) });
  };
  return (
    <span className="chat-feedback" role="group" aria-label="Rate this answer">
      <button
        type="button"
        className="btn btn-small"
        aria-pressed={rating === Feedback.HELPFUL}
        disabled={submit.isPending}
        onClick={() => rate(Feedback.HELPFUL)}
      >
        Helpful
      </button>
      <button
        type="button"
        className="btn btn-small"
        aria-pressed={rating === Feedback.WRONG}
        disabled={submit.isPending}
        onClick={() => rate(Feedback.WRONG)}
      >
        Wrong
      </button>
      <ErrorMessage error={submit.error} />
    </span>
  );
}
