import { EntityKind } from "../../gen/wegweiser/v1/health_pb";
import { SCORING_MODEL } from "./fixtures";

/** Helpers the fake services share. */

export const RETENTION_DEFAULTS = { snapshotDays: 90, historyDays: 400, notificationDays: 90, webhookDeliveryDays: 30, auditDays: 365 };
export const RETENTION_MIN = { snapshotDays: 7, historyDays: 90, notificationDays: 7, webhookDeliveryDays: 1, auditDays: 90 };
export const RETENTION_MAX = { snapshotDays: 730, historyDays: 1825, notificationDays: 730, webhookDeliveryDays: 365, auditDays: 2555 };

/** page slices a sorted list with numeric offsets as page tokens. */
export function page<T, R>(all: T[], size: number, token: string, wrap: (items: T[], next: string) => R): R {
  const start = token ? Number(token) : 0;
  const end = start + size;
  return wrap(all.slice(start, end), end < all.length ? String(end) : "");
}

export const SEVERITIES = SCORING_MODEL.penalties.map((p) => p.severity);

/** severityRank orders severities as the server lists them, mildest first. */
export function severityRank(s: string) {
  return SEVERITIES.indexOf(s);
}

/** entityKey keys an entity's history ("device:dev-1", "tenant:"). */
export function entityKey(e: { kind: EntityKind; id: string }) {
  return `${EntityKind[e.kind].toLowerCase()}:${e.kind === EntityKind.TENANT ? "" : e.id}`;
}

/** The notification kinds a webhook can subscribe to. */
export const NOTIFICATION_KINDS = ["band_worse", "critical_finding", "regression", "agent_silent", "test"];

/** isNumericThreshold says whether a ListChecks threshold ("< 20") can be overridden. */
export function isNumericThreshold(display: string): boolean {
  return /^(<=|>=|<|>)?\s*-?\d+(\.\d+)?$/.test(display.trim());
}
