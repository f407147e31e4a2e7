import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import {
  AuditEventSchema,
  AuditService,
  type AuditEvent,
  type AuditFilter,
} from "../../gen/wegweiser/v1/audit_pb";
import type { FakeBackend } from "../fake-backend";
import { page } from "./shared";

const MAX_EXPORT_ROWS = 100_000;
const HEADER = [
  "time", "action", "actor", "actor_id", "target_kind", "target_id", "target_name",
  "organisation_id", "detail", "source_address", "user_agent", "id",
];

/** FakeAudit is the tenant's audit log, newest first. */
export class FakeAudit {
  events: AuditEvent[] = [];

  /** add records an event (its time defaults to now), newest first. */
  add(init: Partial<Omit<AuditEvent, "$typeName" | "$unknown" | "createTime">> & { time?: Date }): AuditEvent {
    const e = create(AuditEventSchema, {
      id: `audit-${this.events.length + 1}`,
      targetKind: "user",
      ...init,
      createTime: timestampFromDate(init.time ?? new Date()),
    });
    this.events.push(e);
    this.events.sort((a, b) => timestampDate(b.createTime!).getTime() - timestampDate(a.createTime!).getTime());
    return e;
  }
}

function matching(events: AuditEvent[], f: AuditFilter | undefined): AuditEvent[] {
  if (!f) return events;
  if (f.query.length > 100) throw new ConnectError("filter.query: must be valid text of at most 100 characters", Code.InvalidArgument);
  const start = f.startTime ? timestampDate(f.startTime).getTime() : -Infinity;
  const end = f.endTime ? timestampDate(f.endTime).getTime() : Infinity;
  if (start >= end) throw new ConnectError("filter.end_time: must be after filter.start_time", Code.InvalidArgument);
  const q = f.query.toLowerCase();
  return events.filter((e) => {
    const t = timestampDate(e.createTime!).getTime();
    return (
      e.action.startsWith(f.actionPrefix) &&
      (!f.actorId || e.actorId === f.actorId) &&
      (!f.targetId || e.targetId === f.targetId) &&
      t >= start &&
      t < end &&
      (!q || [e.actor, e.targetName, e.detail].some((s) => s.toLowerCase().includes(q)))
    );
  });
}

function cell(s: string) {
  const v = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** auditService serves AuditService over the fake's log (audit.read). */
export function auditService(b: FakeBackend): Partial<ServiceImpl<typeof AuditService>> {
  return {
    listAuditEvents: (req, ctx) => {
      b.enter("ListAuditEvents", req, ctx);
      b.need("audit.read");
      return page(matching(b.auditLog.events, req.filter), req.pageSize || 100, req.pageToken, (events, nextPageToken) => ({
        events,
        nextPageToken,
      }));
    },
    exportAuditEvents: (req, ctx) => {
      b.enter("ExportAuditEvents", req, ctx);
      b.need("audit.read");
      const rows = matching(b.auditLog.events, req.filter);
      if (rows.length > MAX_EXPORT_ROWS) {
        throw new ConnectError(`${rows.length} events match; an export holds at most 100000: narrow the time range`, Code.ResourceExhausted);
      }
      const lines = [HEADER, ...rows.map((e) => [
        timestampDate(e.createTime!).toISOString(), e.action, e.actor, e.actorId, e.targetKind, e.targetId, e.targetName,
        e.organisationId, e.detail, e.sourceAddress, e.userAgent, e.id,
      ])].map((r) => r.map(cell).join(",") + "\r\n");
      return {
        csv: new TextEncoder().encode("\ufeff" + lines.join("")),
        fileName: "audit-2026-12-01.csv",
        rowCount: rows.length,
      };
    },
  };
}
