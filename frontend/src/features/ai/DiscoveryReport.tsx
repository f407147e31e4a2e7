import { createColumnHelper } from "@tanstack/react-table";
import { Link } from "react-router";
import { DataTable } from "../../components/DataTable";
import { QueryState } from "../../components/Feedback";
import { Page, Section } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import type { Risk } from "../../gen/wegweiser/v1/ai_pb";
import { BandDistribution, HealthSummary } from "../health/HealthSummary";
import { severityBadge, severityRank } from "../health/labels";
import { ScoreBadge } from "../health/ScoreBadge";
import { useDiscoveryReport } from "./hooks";
import { effortLabel } from "./labels";
import { NarrativeBody } from "./NarrativeCard";

const col = createColumnHelper<Risk>();

const columns = [
  col.accessor("title", {
    header: "Risk",
    cell: (c) => (
      <>
        <Link to={`/checks#check-${encodeURIComponent(c.row.original.checkId)}`}>{c.getValue() || c.row.original.checkId}</Link>
        <div className="small muted">{c.row.original.domain}</div>
        {c.row.original.recommendation && (
          <p className="small risk-recommendation">
            <strong>What to do:</strong> {c.row.original.recommendation}
          </p>
        )}
      </>
    ),
    meta: { className: "col-risk" },
  }),
  col.accessor((r) => severityRank(r.severity), {
    id: "severity",
    header: "Severity",
    cell: (c) => <span className={`badge ${severityBadge(c.row.original.severity)}`}>{c.row.original.severity}</span>,
  }),
  col.accessor("failDevices", { header: "Failing", meta: { className: "num" } }),
  col.accessor("warnDevices", { header: "Warning", meta: { className: "num" } }),
  col.accessor("effort", { header: "Effort", cell: (c) => effortLabel(c.getValue()) }),
  col.accessor("evidence", {
    header: "Evidence",
    enableSorting: false,
    meta: { className: "col-evidence" },
    cell: (c) =>
      c.getValue().length ? (
        <ul className="plain-list small">
          {c.getValue().map((e, i) => (
            <li key={i}>{e}</li>
          ))}
        </ul>
      ) : (
        <span className="muted">—</span>
      ),
  }),
  col.accessor("devices", {
    header: "Devices",
    enableSorting: false,
    meta: { className: "col-devices" },
    cell: (c) => (
      <ul className="plain-list small">
        {c.getValue().map((d) => (
          <li key={d.deviceId}>
            <Link to={`/devices/${encodeURIComponent(d.deviceId)}?tab=health`}>{d.hostname || d.deviceId}</Link>{" "}
            <ScoreBadge score={d.score} band={d.band} />
          </li>
        ))}
      </ul>
    ),
  }),
];

/**
 * DiscoveryReport is the onboarding report of an organisation: its health,
 * the top risks across its devices with effort and evidence, and its
 * narrative. It prints cleanly (navigation and assistant hidden).
 */
export function DiscoveryReport({ organisationId }: { organisationId: string }) {
  const report = useDiscoveryReport(organisationId);
  const r = report.data?.report;
  return (
    <Page
      title={r ? `Discovery report: ${r.organisationName}` : "Discovery report"}
      subtitle={
        r && (
          <>
            Put together <RelativeTime value={r.generateTime} never="just now" />
          </>
        )
      }
      breadcrumb={
        <>
          <Link to="/organisations">Organisations</Link>
          <span aria-hidden="true"> / </span>
          <Link to={`/organisations/${encodeURIComponent(organisationId)}`}>{r?.organisationName || "Organisation"}</Link>
          <span aria-hidden="true"> / </span>
        </>
      }
      actions={
        <button type="button" className="btn no-print" onClick={() => window.print()}>
          Print
        </button>
      }
    >
      <QueryState query={report} loading="Putting the report together…">
        {(data) => {
          const rep = data.report;
          if (!rep) return null;
          return (
            <div className="discovery-report">
              <Section title="Health summary">
                {rep.health ? (
                  <div className="stack-small">
                    <HealthSummary health={rep.health} what="Organisation" />
                    <BandDistribution health={rep.health} />
                  </div>
                ) : (
                  <p className="muted">No health data yet.</p>
                )}
                {rep.unscoredDevices > 0 && (
                  <p className="small muted">
                    {rep.unscoredDevices} devices have no score yet (not reported or not enough data).
                  </p>
                )}
              </Section>
              <Section title="Top risks">
                <DataTable
                  label="Top risks"
                  data={rep.risks}
                  columns={columns}
                  getRowId={(risk) => risk.checkId}
                  empty="No failing or warning checks across this organisation's devices."
                />
              </Section>
              <Section title="Narrative">
                {rep.narrative ? (
                  <NarrativeBody narrative={rep.narrative} />
                ) : (
                  <p className="muted">A narrative is being written.</p>
                )}
              </Section>
            </div>
          );
        }}
      </QueryState>
    </Page>
  );
}
