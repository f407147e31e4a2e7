import { Code } from "@connectrpc/connect";
import { AICallOutcome, AISource, Effort } from "../../gen/wegweiser/v1/ai_pb";
import { RecordKind, type Citation } from "../../gen/wegweiser/v1/chat_pb";
import { EntityKind } from "../../gen/wegweiser/v1/health_pb";
import { describeError, errorCode } from "../../lib/errors";
import type { Entity } from "../health/labels";

/** entityHref is the page of a device, group, organisation or the tenant. */
export function entityHref(e: Entity | undefined): string | null {
  if (!e) return null;
  switch (e.kind) {
    case EntityKind.DEVICE:
      return e.id ? `/devices/${encodeURIComponent(e.id)}` : null;
    case EntityKind.GROUP:
      return e.id ? `/groups/${encodeURIComponent(e.id)}` : null;
    case EntityKind.ORGANISATION:
      return e.id ? `/organisations/${encodeURIComponent(e.id)}` : null;
    case EntityKind.TENANT:
      return "/";
    default:
      return null;
  }
}

/**
 * citationHref is the page a citation opens: the entity's page, or for a
 * record of a device the tab that shows it (findings on the health tab,
 * event logs, software); a check opens the catalogue at that check.
 */
export function citationHref(c: Citation): string | null {
  const device = c.entity?.kind === EntityKind.DEVICE && c.entity.id ? `/devices/${encodeURIComponent(c.entity.id)}` : null;
  switch (c.kind) {
    case RecordKind.DEVICE:
      return entityHref({ kind: EntityKind.DEVICE, id: c.id || c.entity?.id || "" });
    case RecordKind.GROUP:
      return entityHref({ kind: EntityKind.GROUP, id: c.id || c.entity?.id || "" });
    case RecordKind.ORGANISATION:
      return entityHref({ kind: EntityKind.ORGANISATION, id: c.id || c.entity?.id || "" });
    case RecordKind.TENANT:
      return "/";
    case RecordKind.FINDING:
      return device ? `${device}?tab=health` : entityHref(c.entity);
    case RecordKind.EVENT_LOG:
      return device ? `${device}?tab=events` : entityHref(c.entity);
    case RecordKind.SOFTWARE:
      return device ? `${device}?tab=software` : entityHref(c.entity);
    case RecordKind.CHECK:
      return c.id ? `/checks#check-${encodeURIComponent(c.id)}` : "/checks";
    case RecordKind.HISTORY:
    case RecordKind.MEMORY:
      return entityHref(c.entity);
    default:
      return null;
  }
}

/** kindNoun names an entity kind in sentences ("this device"). */
export function kindNoun(kind: EntityKind): string {
  switch (kind) {
    case EntityKind.DEVICE:
      return "device";
    case EntityKind.GROUP:
      return "group";
    case EntityKind.ORGANISATION:
      return "organisation";
    default:
      return "tenant";
  }
}

/** effortLabel names an effort estimate. */
export function effortLabel(e: Effort): string {
  switch (e) {
    case Effort.MINUTES:
      return "Minutes";
    case Effort.HOURS:
      return "Hours";
    case Effort.PROJECT:
      return "Project";
    default:
      return "Not estimated";
  }
}

/** sourceLabel says plainly where the model settings in effect come from. */
export function sourceLabel(s: AISource): string {
  switch (s) {
    case AISource.AI_SOURCE_TENANT:
      return "This tenant's endpoint";
    case AISource.AI_SOURCE_OPERATOR:
      return "The operator's default endpoint";
    case AISource.AI_SOURCE_BUILTIN:
      return "Built-in answerer (no language model configured)";
    default:
      return "Unknown";
  }
}

/** outcomeLabel names how a model call ended. */
export function outcomeLabel(o: AICallOutcome): string {
  switch (o) {
    case AICallOutcome.AI_CALL_OUTCOME_OK:
      return "OK";
    case AICallOutcome.AI_CALL_OUTCOME_ERROR:
      return "Error";
    case AICallOutcome.AI_CALL_OUTCOME_TIMEOUT:
      return "Timed out";
    case AICallOutcome.AI_CALL_OUTCOME_BUDGET:
      return "Budget spent";
    default:
      return "Unknown";
  }
}

/** BUILTIN_ANSWER labels answers of the built-in answerer. */
export const BUILTIN_ANSWER = "Built-in answerer: answered from Wegweiser's data, no language model configured";

/**
 * chatErrorMessage explains why a question got no answer, by its Connect
 * code first (the server's message follows).
 */
export function chatErrorMessage(err: unknown): string {
  const detail = describeError(err);
  switch (errorCode(err)) {
    case Code.ResourceExhausted:
      return `The monthly AI budget is spent. ${detail}`;
    case Code.Unavailable:
      return `The AI endpoint did not answer. ${detail}`;
    case Code.FailedPrecondition:
      return `The AI settings do not work. ${detail}`;
    case Code.DeadlineExceeded:
      return `The AI endpoint took too long to answer. ${detail}`;
    default:
      return detail;
  }
}

/** MAX_QUESTION is the longest question the server takes (characters). */
export const MAX_QUESTION = 4000;
