import { createClient } from "@connectrpc/connect";
import { useTransport } from "@connectrpc/connect-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { AIService } from "../../gen/wegweiser/v1/ai_pb";
import { ChatService, type ChatMessage, type Citation, type ToolActivity } from "../../gen/wegweiser/v1/chat_pb";
import { useInvalidate } from "../../lib/queries";

/** LiveTurn is a question and its answer while the answer streams in. */
export interface LiveTurn {
  /** What the user typed (until the server stores the question). */
  asked: string;
  question?: ChatMessage;
  text: string;
  tools: ToolActivity[];
  citations: Citation[];
  /** The stored answer, once complete. */
  answer?: ChatMessage;
  error?: unknown;
  streaming: boolean;
}

/**
 * useSendMessage asks a question and follows the streamed answer: the
 * question, text deltas appended as they come, each tool the answerer ran,
 * each citation and finally the stored answer. The conversation queries
 * refetch when the answer is complete. A new question or unmounting cancels
 * a stream in progress.
 */
export function useSendMessage() {
  const transport = useTransport();
  const invalidate = useInvalidate();
  const [turn, setTurn] = useState<LiveTurn | null>(null);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => () => abort.current?.abort(), []);

  const send = useCallback(
    async (conversationId: string, text: string) => {
      abort.current?.abort();
      const ac = new AbortController();
      abort.current = ac;
      const client = createClient(ChatService, transport);
      let live: LiveTurn = { asked: text, text: "", tools: [], citations: [], streaming: true };
      const update = (next: Partial<LiveTurn>) => {
        live = { ...live, ...next };
        if (!ac.signal.aborted) setTurn(live);
      };
      setTurn(live);
      try {
        for await (const res of client.sendMessage({ conversationId, text }, { signal: ac.signal })) {
          const ev = res.event;
          switch (ev.case) {
            case "question":
              update({ question: ev.value });
              break;
            case "textDelta":
              update({ text: live.text + ev.value });
              break;
            case "tool":
              update({ tools: [...live.tools, ev.value] });
              break;
            case "citation":
              update({ citations: [...live.citations, ev.value] });
              break;
            case "answer":
              update({ answer: ev.value });
              break;
          }
        }
        update({ streaming: false });
      } catch (err) {
        update({ streaming: false, error: err });
      } finally {
        // "Remember: …" teaches a memory: the memory lists refetch too.
        if (!ac.signal.aborted) void invalidate(ChatService, AIService);
      }
    },
    [transport, invalidate],
  );

  const reset = useCallback(() => {
    abort.current?.abort();
    setTurn(null);
  }, []);

  return { turn, send, reset };
}
