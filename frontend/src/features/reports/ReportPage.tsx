import { Code } from "@connectrpc/connect";
import { useRef, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorMessage, Notice, QueryState } from "../../components/Feedback";
import { SelectField, TextArea } from "../../components/Fields";
import { Page, Section } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import { ReportFormat, type ReportSchedule } from "../../gen/wegweiser/v1/report_pb";
import { downloadFile } from "../../lib/download";
import { errorCode } from "../../lib/errors";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { useOrganisation } from "../organisations/hooks";
import {
  useCreateReportSchedule,
  useDeleteReportSchedule,
  useRenderReport,
  useReportPreview,
  useReportSchedules,
  useSendReport,
} from "./hooks";

/** The periods a report can cover, in days. */
export const PERIODS = [
  { days: 7, label: "Last 7 days" },
  { days: 30, label: "Last 30 days" },
  { days: 90, label: "Last 90 days" },
  { days: 180, label: "Last 6 months" },
  { days: 365, label: "Last 12 months" },
];

/** splitRecipients turns a typed list (commas, spaces or lines) into addresses. */
export function splitRecipients(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const formatLabel = (f: ReportFormat) => (f === ReportFormat.PDF ? "PDF" : "HTML");

/**
 * ReportPage is an organisation's printable health report: a preview of the
 * server's HTML in a sandboxed frame for a chosen period, PDF download and
 * print; with report.manage also sending it now and monthly schedules.
 */
export function ReportPage({ organisationId }: { organisationId: string }) {
  const org = useOrganisation(organisationId);
  const canManage = useCan(Permission.ReportManage);
  const [days, setDays] = useState(30);
  const preview = useReportPreview(organisationId, days);
  const pdf = useRenderReport();
  const frame = useRef<HTMLIFrameElement>(null);
  const name = org.data?.organisation?.name ?? "Organisation";
  const pdfUnavailable = pdf.isError && errorCode(pdf.error) === Code.Unavailable;

  const downloadPDF = () =>
    pdf.mutate(
      { organisationId, periodDays: days, format: ReportFormat.PDF },
      { onSuccess: (res) => downloadFile(res.fileName, res.content, res.contentType) },
    );
  const downloadHTML = () => {
    const res = preview.data;
    if (res) downloadFile(res.fileName, res.content, res.contentType);
  };
  const html = preview.data ? new TextDecoder().decode(preview.data.content) : "";

  return (
    <Page
      title={`Health report: ${name}`}
      subtitle="The report to review with your customer: score and trend, top risks, what changed and what to do."
      breadcrumb={
        <>
          <Link to="/organisations">Organisations</Link>
          <span aria-hidden="true"> / </span>
          <Link to={`/organisations/${encodeURIComponent(organisationId)}`}>{name}</Link>
          <span aria-hidden="true"> / </span>
        </>
      }
      actions={
        <>
          <button type="button" className="btn btn-primary" onClick={downloadPDF} disabled={pdf.isPending || !preview.data}>
            {pdf.isPending ? "Preparing PDF…" : "Download PDF"}
          </button>
          <button type="button" className="btn" onClick={downloadHTML} disabled={!preview.data}>
            Download HTML
          </button>
          <button
            type="button"
            className="btn"
            disabled={!preview.data}
            onClick={() => frame.current?.contentWindow?.print()}
          >
            Print
          </button>
        </>
      }
    >
      {pdfUnavailable ? (
        <Notice>
          PDF is not available on this server ({pdf.error?.rawMessage}). Use <strong>Print</strong> and choose “Save as PDF”,
          or download the HTML.
        </Notice>
      ) : (
        <ErrorMessage error={pdf.error} />
      )}
      <Section
        title="Preview"
        actions={
          <SelectField label="Period" value={String(days)} onChange={(e) => setDays(Number(e.target.value))}>
            {PERIODS.map((p) => (
              <option key={p.days} value={p.days}>
                {p.label}
              </option>
            ))}
          </SelectField>
        }
      >
        <QueryState query={preview} loading="Putting the report together…">
          {() => (
            <iframe
              ref={frame}
              className="report-preview"
              title="Report preview"
              // No scripts: the report has none, and the frame may not run any.
              sandbox="allow-same-origin allow-modals"
              srcDoc={html}
            />
          )}
        </QueryState>
      </Section>
      {canManage && <SendNow organisationId={organisationId} days={days} />}
      {canManage && <Schedules organisationId={organisationId} />}
    </Page>
  );
}

function FormatSelect({ value, onChange }: { value: ReportFormat; onChange: (f: ReportFormat) => void }) {
  return (
    <SelectField label="Format" value={String(value)} onChange={(e) => onChange(Number(e.target.value) as ReportFormat)}>
      <option value={ReportFormat.UNSPECIFIED}>PDF if the server can print, else HTML</option>
      <option value={ReportFormat.PDF}>PDF</option>
      <option value={ReportFormat.HTML}>HTML</option>
    </SelectField>
  );
}

/** SendNow mails the report for the chosen period to a list of addresses. */
function SendNow({ organisationId, days }: { organisationId: string; days: number }) {
  const send = useSendReport();
  const [to, setTo] = useState("");
  const [format, setFormat] = useState(ReportFormat.UNSPECIFIED);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate({ organisationId, recipients: splitRecipients(to), format, periodDays: days });
  };
  return (
    <Section title="Send now">
      <form className="form" aria-label="Send now" onSubmit={submit}>
        <TextArea
          label="Recipients"
          hint="Up to 20 email addresses, separated by commas or lines."
          rows={2}
          required
          value={to}
          onChange={(e) => {
            send.reset();
            setTo(e.target.value);
          }}
        />
        <FormatSelect value={format} onChange={setFormat} />
        <ErrorMessage error={send.error} />
        {send.isSuccess && <Notice>The report was sent.</Notice>}
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={send.isPending}>
            {send.isPending ? "Sending…" : "Send report"}
          </button>
        </div>
      </form>
    </Section>
  );
}

/** Schedules lists and edits the organisation's monthly report mails. */
function Schedules({ organisationId }: { organisationId: string }) {
  const list = useReportSchedules(organisationId, true);
  const create = useCreateReportSchedule();
  const remove = useDeleteReportSchedule();
  const [to, setTo] = useState("");
  const [day, setDay] = useState(1);
  const [format, setFormat] = useState(ReportFormat.UNSPECIFIED);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { organisationId, recipients: splitRecipients(to), dayOfMonth: day, format },
      { onSuccess: () => setTo("") },
    );
  };
  return (
    <Section title="Monthly reports">
      <QueryState query={list}>
        {(data) =>
          data.schedules.length === 0 ? (
            <p className="muted">No monthly report yet.</p>
          ) : (
            <table className="table" aria-label="Monthly reports">
              <thead>
                <tr>
                  <th>Recipients</th>
                  <th>Day</th>
                  <th>Format</th>
                  <th>Next</th>
                  <th>Last sent</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.schedules.map((s: ReportSchedule) => (
                  <tr key={s.id}>
                    <td>{s.recipients.join(", ")}</td>
                    <td className="num">{s.dayOfMonth}</td>
                    <td>{formatLabel(s.format)}</td>
                    <td>
                      <RelativeTime value={s.nextSendTime} />
                    </td>
                    <td>
                      <RelativeTime value={s.lastSentTime} />
                      {s.lastError && <div className="small report-error">{s.lastError}</div>}
                    </td>
                    <td>
                      <ConfirmButton
                        small
                        label="Delete"
                        srLabel={`schedule to ${s.recipients.join(", ")}`}
                        confirmLabel="Delete schedule"
                        question="Stop sending this report every month?"
                        pending={remove.isPending}
                        onConfirm={() => remove.mutate({ id: s.id })}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryState>
      <form className="form" aria-label="New monthly report" onSubmit={submit}>
        <TextArea
          label="Recipients"
          hint="Up to 20 email addresses. The report covers the last 30 days and goes out at 06:00 UTC."
          rows={2}
          required
          value={to}
          onChange={(e) => setTo(e.target.value)}
        />
        <SelectField label="Day of the month" value={String(day)} onChange={(e) => setDay(Number(e.target.value))}>
          {Array.from({ length: 28 }, (_, i) => i + 1).map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </SelectField>
        <FormatSelect value={format} onChange={setFormat} />
        <ErrorMessage error={create.error} />
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? "Adding…" : "Add monthly report"}
          </button>
        </div>
      </form>
    </Section>
  );
}
