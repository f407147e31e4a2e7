import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { ReportFormat, ReportScheduleSchema, ReportService, type ReportSchedule } from "../../gen/wegweiser/v1/report_pb";
import type { FakeBackend } from "../fake-backend";

/** A report mailed by the fake backend. */
export interface SentReport {
  organisationId: string;
  recipients: string[];
  format: ReportFormat;
  periodDays: number;
}

/**
 * FakeReports is the fake backend's report state. The fake renders a small
 * page of its own (the real page is the server's, tested in Go): the
 * organisation's name, escaped, and the period.
 */
export class FakeReports {
  schedules: ReportSchedule[] = [];
  sent: SentReport[] = [];
  /** Whether the server "has Chromium": PDF is unavailable without. */
  canPrint = true;
  private seq = 0;

  /** addSchedule seeds a schedule. */
  addSchedule(
    init: MessageInitShape<typeof ReportScheduleSchema> & { organisationId: string; recipients: string[] },
  ): ReportSchedule {
    const s = create(ReportScheduleSchema, {
      id: `schedule-${++this.seq}`,
      dayOfMonth: 1,
      format: ReportFormat.HTML,
      createTime: timestampFromDate(new Date()),
      nextSendTime: timestampFromDate(new Date(Date.now() + 7 * 86_400_000)),
      ...init,
    });
    this.schedules.push(s);
    return s;
  }
}

const EMAIL = /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/;

/** recipients checks a recipient list like the server (report.Recipients). */
function recipients(list: string[]): string[] {
  if (list.length === 0) throw new ConnectError("recipients: must name at least one email address", Code.InvalidArgument);
  if (list.length > 20) throw new ConnectError("recipients: must name at most 20 email addresses", Code.InvalidArgument);
  const out: string[] = [];
  list.forEach((raw, i) => {
    const a = raw.trim().toLowerCase();
    if (!EMAIL.test(a)) throw new ConnectError(`recipients[${i}]: is not a valid email address`, Code.InvalidArgument);
    if (!out.includes(a)) out.push(a);
  });
  return out;
}

function period(days: number): number {
  if (days === 0) return 30;
  if (days < 7 || days > 365) throw new ConnectError("period_days: must be between 7 and 365 days", Code.InvalidArgument);
  return days;
}

const escape = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&#34;").replace(/'/g, "&#39;");

/** reportService answers ReportService for the fake backend b. */
export function reportService(b: FakeBackend): Partial<ServiceImpl<typeof ReportService>> {
  const r = b.reports;
  // The organisation as the caller may see it (scoped callers: theirs only).
  const visible = (id: string) => {
    if (!id) throw new ConnectError("organisation_id: is required", Code.InvalidArgument);
    const o = b.org(id);
    if (b.me.organisationIds.length > 0 && !b.me.organisationIds.includes(id)) {
      throw new ConnectError("organisation not found", Code.NotFound);
    }
    return o;
  };
  const unavailable = () =>
    new ConnectError(
      "PDF is not available: the server has no Chromium configured (WEGWEISER_CHROMIUM); use HTML and print it from the browser",
      Code.Unavailable,
    );
  return {
    renderReport: (req, ctx) => {
      b.enter("RenderReport", req, ctx);
      b.need("report.read");
      const o = visible(req.organisationId);
      const days = period(req.periodDays);
      const slug = o.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "organisation";
      if (req.format === ReportFormat.PDF) {
        if (!r.canPrint) throw unavailable();
        return { fileName: `${slug}-health.pdf`, contentType: "application/pdf", content: new TextEncoder().encode("%PDF-1.7 fake") };
      }
      const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Health report</title></head><body><h1>Health report: ${escape(o.name)}</h1><p>Last ${days} days</p></body></html>`;
      return { fileName: `${slug}-health.html`, contentType: "text/html; charset=utf-8", content: new TextEncoder().encode(html) };
    },
    sendReport: (req, ctx) => {
      b.enter("SendReport", req, ctx);
      b.need("report.manage");
      visible(req.organisationId);
      const to = recipients(req.recipients);
      const days = period(req.periodDays);
      if (req.format === ReportFormat.PDF && !r.canPrint) throw unavailable();
      r.sent.push({ organisationId: req.organisationId, recipients: to, format: req.format, periodDays: days });
      return {};
    },
    createReportSchedule: (req, ctx) => {
      b.enter("CreateReportSchedule", req, ctx);
      b.need("report.manage");
      visible(req.organisationId);
      const to = recipients(req.recipients);
      const day = req.dayOfMonth || 1;
      if (day < 1 || day > 28) {
        throw new ConnectError("day_of_month: must be between 1 and 28 (every month has those days)", Code.InvalidArgument);
      }
      let format = req.format;
      if (format === ReportFormat.UNSPECIFIED) format = r.canPrint ? ReportFormat.PDF : ReportFormat.HTML;
      if (format === ReportFormat.PDF && !r.canPrint) throw unavailable();
      const now = new Date();
      let next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), day, 6));
      if (next <= now) next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, day, 6));
      const schedule = r.addSchedule({
        organisationId: req.organisationId,
        recipients: to,
        dayOfMonth: day,
        format,
        nextSendTime: timestampFromDate(next),
      });
      return { schedule };
    },
    listReportSchedules: (req, ctx) => {
      b.enter("ListReportSchedules", req, ctx);
      b.need("report.manage");
      if (req.organisationId) visible(req.organisationId);
      return { schedules: r.schedules.filter((s) => !req.organisationId || s.organisationId === req.organisationId) };
    },
    deleteReportSchedule: (req, ctx) => {
      b.enter("DeleteReportSchedule", req, ctx);
      b.need("report.manage");
      if (!r.schedules.some((s) => s.id === req.id)) throw new ConnectError("report schedule not found", Code.NotFound);
      r.schedules = r.schedules.filter((s) => s.id !== req.id);
      return {};
    },
  };
}
