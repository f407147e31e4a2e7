import { useState } from "react";
import { Empty, ErrorMessage, QueryState } from "../../components/Feedback";
import { Subsection } from "../../components/Page";
import type { DomainScore, Finding } from "../../gen/wegweiser/v1/health_pb";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { EffectivePolicy } from "../policy/EffectivePolicy";
import { FindingList } from "./FindingList";
import { HealthTrend } from "./HealthTrend";
import { useFindings, useHealth, useScoringModel } from "./hooks";
import { bandOf, bandTone, deviceEntity, DOMAINS, domainLabel, domainWeight, STATUSES } from "./labels";
import { RecomputeButton } from "./RecomputeButton";
import { WhatChanged } from "./WhatChanged";

const costs = (f: Finding) => !f.suppressed && (f.status === "fail" || f.status === "warn") && f.penalty > 0;

/**
 * DeviceHealth is the Health tab of a device (its score, band and top
 * reasons lead the page, see DeviceTriage): the nine domain scores, the findings behind every lost point (with evidence and
 * what to do), the score history and what changed last.
 */
export function DeviceHealth({ deviceId }: { deviceId: string }) {
  const entity = deviceEntity(deviceId);
  const health = useHealth(entity);
  const [showAll, setShowAll] = useState(false);
  const [domain, setDomain] = useState("");
  const findings = useFindings(entity, { includePassed: showAll });
  const canWrite = useCan(Permission.DeviceWrite);
  const canReadPolicy = useCan(Permission.PolicyRead);
  const h = health.data?.health;
  const all = findings.data?.findings ?? [];

  return (
    <div className="device-health">
      <div className="device-health-head">
        <ErrorMessage error={health.error} />
        {canWrite && <RecomputeButton entity={entity} label="Re-analyse now" />}
      </div>

      {h && (
        <Subsection title="Domains">
          <p className="muted small">
            Each domain starts at 100 and loses the points of its failing and warning findings. The device score
            starts at 100 too and loses the points of every finding, so problems in different domains add up. Select
            a domain to see only its findings.
          </p>
          <DomainGrid domains={h.domains} findings={all} selected={domain} onSelect={setDomain} />
        </Subsection>
      )}

      <Subsection title="Findings">
        <div className="row">
          <label className="checkbox">
            <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} />
            Show passed and unknown checks
          </label>
          {domain && (
            <span className="tag">
              Only {domainLabel(domain)}
              <button type="button" className="tag-remove" aria-label="Show all domains" onClick={() => setDomain("")}>
                ×
              </button>
            </span>
          )}
        </div>
        <QueryState query={findings} loading="Loading findings…">
          {(data) => (
            <FindingGroups findings={data.findings.filter((f) => !domain || f.domain === domain)} showAll={showAll} />
          )}
        </QueryState>
      </Subsection>

      <div className="grid-2">
        <Subsection title="History">
          <HealthTrend entity={entity} what="Device" />
        </Subsection>
        <Subsection title="What changed">
          {health.isSuccess && <WhatChanged deviceId={deviceId} analysed={Boolean(h?.computeTime)} />}
        </Subsection>
      </div>

      {canReadPolicy && (
        <Subsection title="Policy in effect">
          <EffectivePolicy deviceId={deviceId} />
        </Subsection>
      )}
    </div>
  );
}

function FindingGroups({ findings, showAll }: { findings: Finding[]; showAll: boolean }) {
  const groups = STATUSES.filter((s) => showAll || s.id === "fail" || s.id === "warn").map((s) => ({
    ...s,
    items: findings.filter((f) => f.status === s.id),
  }));
  const bad = groups.filter((g) => g.id === "fail" || g.id === "warn").reduce((n, g) => n + g.items.length, 0);
  const costing = findings.filter(costs);
  const lost = costing.reduce((n, f) => n + f.penalty, 0);
  const suppressed = findings.filter((f) => f.suppressed).length;
  return (
    <>
      {bad === 0 ? (
        <Empty>No failing or warning checks.</Empty>
      ) : (
        <p className="muted small">
          {costing.length} {costing.length === 1 ? "finding costs" : "findings cost"} {lost} points in their domains
          {suppressed > 0 && <> ({suppressed} suppressed by policy, at no cost)</>}.
        </p>
      )}
      {groups
        .filter((g) => g.items.length > 0)
        .map((g) => (
          <section key={g.id} className="finding-group" aria-labelledby={`findings-${g.id}`}>
            <h4 id={`findings-${g.id}`}>
              {g.heading} <span className="count">{g.items.length}</span>
            </h4>
            <FindingList findings={g.items} />
          </section>
        ))}
    </>
  );
}

function DomainGrid({
  domains,
  findings,
  selected,
  onSelect,
}: {
  domains: DomainScore[];
  findings: Finding[];
  selected: string;
  onSelect: (domain: string) => void;
}) {
  const model = useScoringModel().data;
  return (
    <ul className="domain-grid" aria-label="Domain scores">
      {DOMAINS.map((d) => {
        const weight = domainWeight(model, d.id);
        const ds = domains.find((x) => x.domain === d.id);
        const scored = ds?.scored ?? false;
        const costing = findings.filter((f) => f.domain === d.id && costs(f));
        const lost = costing.reduce((n, f) => n + f.penalty, 0);
        const tone = scored && ds ? bandTone(bandOf(model?.bands, ds.score)) : "unscored";
        return (
          <li key={d.id}>
            <button
              type="button"
              className={`domain-tile tone-${tone}`}
              aria-pressed={selected === d.id}
              onClick={() => onSelect(selected === d.id ? "" : d.id)}
            >
              <span className="domain-name">{d.label}</span>
              <span className="domain-score">{scored && ds ? ds.score : "no data"}</span>
              <span className="domain-detail">
                {!scored
                  ? "only unknown checks"
                  : lost > 0
                    ? `−${lost} from ${costing.length} ${costing.length === 1 ? "finding" : "findings"}`
                    : "no points lost"}
                {weight !== undefined && <>{" · "}weight {weight} %</>}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
