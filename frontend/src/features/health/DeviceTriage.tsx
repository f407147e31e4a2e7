import { Link } from "react-router";
import { QueryState } from "../../components/Feedback";
import type { Finding } from "../../gen/wegweiser/v1/health_pb";
import { inventoryTabOf, type InventoryTab } from "../inventory/evidence";
import { HealthSummary } from "./HealthSummary";
import { useFindings, useHealth } from "./hooks";
import { deviceEntity, domainLabel, severityBadge } from "./labels";

/** TOP_REASONS is how many findings lead the device page. */
export const TOP_REASONS = 3;

const costs = (f: Finding) => !f.suppressed && (f.status === "fail" || f.status === "warn") && f.penalty > 0;

/** topReasons are the findings that cost a device the most points, worst first. */
export function topReasons(findings: Finding[], n = TOP_REASONS): Finding[] {
  return findings
    .filter(costs)
    .map((f, i) => ({ f, i }))
    // The server lists failures first, by severity; among those, the costliest lead.
    .sort((a, b) => b.f.penalty - a.f.penalty || a.i - b.i)
    .slice(0, n)
    .map(({ f }) => f);
}

/** evidenceTabs are the inventory tabs a finding's evidence came from, each once. */
function evidenceTabs(f: Finding): InventoryTab[] {
  const out: InventoryTab[] = [];
  for (const e of f.evidence) {
    const t = inventoryTabOf(e.source);
    if (t && !out.some((x) => x.tab === t.tab)) out.push(t);
  }
  return out;
}

/**
 * DeviceTriage leads the device page: the score with its band and cap, and
 * the few findings that cost the most, each with what was found, what to do
 * and a link to the inventory tab its evidence came from.
 */
export function DeviceTriage({ deviceId }: { deviceId: string }) {
  const entity = deviceEntity(deviceId);
  const health = useHealth(entity);
  const findings = useFindings(entity);
  const all = findings.data?.findings ?? [];
  const costing = all.filter(costs);
  const top = topReasons(all);

  return (
    <section className="card triage" aria-labelledby="triage-heading">
      <header className="card-header">
        <h2 id="triage-heading">Score and top reasons</h2>
      </header>
      <div className="triage-body">
        <QueryState query={health} loading="Loading health…">
          {(data) => data.health && <HealthSummary health={data.health} what="Device" device />}
        </QueryState>
        <div className="top-reasons">
          <QueryState
            query={findings}
            loading="Loading findings…"
            isEmpty={() => top.length === 0}
            empty="Nothing costs this device points: no failing or warning checks."
          >
            {() => (
              <>
                <ol className="reason-list" aria-label="Top reasons">
                  {top.map((f) => (
                    <Reason key={`${f.checkId}\u0000${f.subject}`} finding={f} />
                  ))}
                </ol>
                {costing.length > top.length && (
                  <p className="small">
                    <Link to="?tab=health" replace>
                      All {costing.length} findings that cost points, by domain →
                    </Link>
                  </p>
                )}
              </>
            )}
          </QueryState>
        </div>
      </div>
    </section>
  );
}

function Reason({ finding: f }: { finding: Finding }) {
  const tabs = evidenceTabs(f);
  return (
    <li className={`reason reason-${f.status}`}>
      <p className="reason-head">
        <span className={`badge ${severityBadge(f.severity)}`}>{f.severity}</span>{" "}
        <strong className="reason-title">{f.title || f.checkId}</strong>
        <span className="reason-cost">
          {domainLabel(f.domain)} · −{f.penalty} pts
        </span>
      </p>
      {f.detail && <p className="reason-detail">{f.detail}</p>}
      {f.recommendation && (
        <p className="reason-todo">
          <strong>What to do:</strong> {f.recommendation}
        </p>
      )}
      {tabs.length > 0 && (
        <p className="reason-evidence small">
          Evidence:{" "}
          {tabs.map((t, i) => (
            <span key={t.tab}>
              {i > 0 && ", "}
              <Link to={`?tab=${t.tab}`} replace state={{ scrollToInventory: true }}>
                {t.label} tab
              </Link>
            </span>
          ))}
        </p>
      )}
    </li>
  );
}
