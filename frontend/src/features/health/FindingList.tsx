import { createContext, use, useId, useState } from "react";
import { Link } from "react-router";
import { DataTable, type Columns } from "../../components/DataTable";
import type { Evidence, Finding } from "../../gen/wegweiser/v1/health_pb";
import { inventoryTabOf } from "../inventory/evidence";
import { domainLabel, severityBadge, statusLabel } from "./labels";

/**
 * FindingList lists findings; each expands to its detail, evidence and
 * recommendation. All text comes from checks on agent data: React text only.
 */
export function FindingList({ findings, showDevice = false, label }: { findings: Finding[]; showDevice?: boolean; label?: string }) {
  return (
    <ul className="finding-list" aria-label={label}>
      {findings.map((f) => (
        <FindingItem key={`${f.deviceId}\u0000${f.checkId}\u0000${f.subject}`} finding={f} showDevice={showDevice} />
      ))}
    </ul>
  );
}

/** EvidenceContext is the device whose finding's evidence is shown (its inventory tabs are linked). */
const EvidenceContext = createContext("");

function EvidenceSource({ source }: { source: string }) {
  const deviceId = use(EvidenceContext);
  const tab = inventoryTabOf(source);
  if (!tab || !deviceId) return <>{source}</>;
  return (
    <Link to={`/devices/${deviceId}?tab=${tab.tab}`} title={`Open the ${tab.label} tab`} state={{ scrollToInventory: true }}>
      {source}
    </Link>
  );
}

const evidenceColumns: Columns<Evidence> = [
  { id: "label", header: "Measured", enableSorting: false, accessorFn: (e) => e.label },
  { id: "value", header: "Value", enableSorting: false, accessorFn: (e) => e.value },
  {
    id: "source",
    header: "Source",
    enableSorting: false,
    meta: { className: "mono" },
    cell: ({ row: { original: e } }) => <EvidenceSource source={e.source} />,
  },
];

function statusBadge(status: string): string {
  switch (status) {
    case "fail":
      return "badge-danger";
    case "warn":
      return "badge-warn";
    case "pass":
      return "badge-ok";
    default:
      return "badge-muted";
  }
}

/** Penalty says what a finding costs: "−12 pts", nothing for pass and unknown. */
function Penalty({ finding: f }: { finding: Finding }) {
  if (f.suppressed) return <span className="finding-penalty muted">0 pts</span>;
  if (f.penalty <= 0) return null;
  return <span className="finding-penalty">−{f.penalty} pts</span>;
}

function FindingItem({ finding: f, showDevice }: { finding: Finding; showDevice: boolean }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <li className={`finding finding-${f.status}${f.suppressed ? " finding-suppressed" : ""}`}>
      <div className="finding-head">
        <button
          type="button"
          className="finding-toggle"
          aria-expanded={open}
          aria-controls={open ? id : undefined}
          onClick={() => setOpen(!open)}
        >
          <span className={`badge ${statusBadge(f.status)}`}>{statusLabel(f.status)}</span>
          <span className="finding-title">{f.title || f.checkId}</span>
          <span className="finding-meta">
            {domainLabel(f.domain)} · {f.severity}
          </span>
          <Penalty finding={f} />
        </button>
        {showDevice && f.deviceId && (
          <Link className="finding-device" to={`/devices/${f.deviceId}`}>
            {f.hostname || f.deviceId}
          </Link>
        )}
      </div>
      {f.suppressed && (
        <p className="finding-suppress-note">
          <span className="badge badge-muted">Suppressed</span> {f.suppressReason || "by policy"} · costs no points
        </p>
      )}
      {open && (
        <div id={id} className="finding-body">
          {f.detail && <p>{f.detail}</p>}
          {f.evidence.length > 0 ? (
            <EvidenceContext value={f.deviceId}>
              <DataTable label="Evidence" data={f.evidence} columns={evidenceColumns} compact className="evidence" />
            </EvidenceContext>
          ) : (
            <p className="muted small">No evidence recorded.</p>
          )}
          {f.recommendation && (
            <div className="finding-recommendation">
              <h4>What to do</h4>
              <p>{f.recommendation}</p>
            </div>
          )}
          <p className="muted small">
            <span className={`badge ${severityBadge(f.severity)}`}>{f.severity}</span> Check{" "}
            <Link to={`/checks#check-${f.checkId}`} className="mono">
              {f.checkId}
            </Link>
            {f.subject && <> · {f.subject}</>}
            {f.penalty > 0 && !f.suppressed && <> · costs {f.penalty} points in the {domainLabel(f.domain).toLowerCase()} domain</>}
          </p>
        </div>
      )}
    </li>
  );
}
