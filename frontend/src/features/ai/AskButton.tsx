import { lazy, Suspense, useState } from "react";
import { Loading } from "../../components/Feedback";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import type { Entity } from "../health/labels";

// The assistant is its own chunk: pages load it when someone asks.
const ChatPanel = lazy(() => import("./ChatPanel"));

/**
 * AskButton opens the assistant for an entity in a side panel (only with
 * ai.use). It goes into a page's actions.
 */
export function AskButton({ entity, name }: { entity: Entity; name: string }) {
  const canUse = useCan(Permission.AIUse);
  const [open, setOpen] = useState(false);
  if (!canUse) return null;
  return (
    <>
      <button
        type="button"
        className="btn btn-primary"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        Ask Wegweiser
      </button>
      {open && (
        <div className="chat-drawer">
          <Suspense fallback={<Loading label="Opening the assistant…" />}>
            <ChatPanel entity={entity} name={name} onClose={() => setOpen(false)} />
          </Suspense>
        </div>
      )}
    </>
  );
}
