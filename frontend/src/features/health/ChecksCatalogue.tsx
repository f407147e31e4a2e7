import { useEffect, useState } from "react";
import { useLocation } from "react-router";
import { SelectField, TextField } from "../../components/Fields";
import { DataTable, type Columns } from "../../components/DataTable";
import { QueryState } from "../../components/Feedback";
import { Page, Section } from "../../components/Page";
import type { CheckInfo, GetScoringModelResponse } from "../../gen/wegweiser/v1/health_pb";
import { useChecks, useScoringModel } from "./hooks";
import { DOMAINS, domainLabel, domainWeight, severityBadge, severityRank } from "./labels";

/** ChecksCatalogue lists every check by domain: thresholds, unit, severity and where they come from. */
export function ChecksCatalogue() {
  const checks = useChecks();
  const model = useScoringModel().data;
  const { hash } = useLocation();
  const target = decodeURIComponent(hash.replace(/^#/, ""));
  const [domain, setDomain] = useState("");
  const [query, setQuery] = useState("");
  const q = query.trim().toLowerCase();

  const all = checks.data?.checks ?? [];
  const matching = all.filter(
    (c) =>
      (!domain || c.domain === domain) &&
      (!q || c.id.toLowerCase().includes(q) || c.title.toLowerCase().includes(q) || c.source.toLowerCase().includes(q)),
  );
  // Known domains in the analyzer's order, then any the SPA does not know yet.
  const order = [...DOMAINS.map((d) => d.id), ...new Set(all.map((c) => c.domain))].filter((d, i, a) => a.indexOf(d) === i);
  const byDomain = order.map((d) => ({ domain: d, checks: matching.filter((c) => c.domain === d) })).filter((g) => g.checks.length > 0);

  // A link from a finding (/checks#check-<id>) scrolls to its check once the list is there.
  useEffect(() => {
    if (target && checks.isSuccess) document.getElementById(target)?.scrollIntoView?.({ block: "center" });
  }, [target, checks.isSuccess]);

  return (
    <Page
      title="Checks"
      subtitle="What Wegweiser checks on every device, the thresholds it applies and where they come from."
    >
      <Section title="Filter">
        <div className="filters" role="search" aria-label="Check filters">
          <TextField
            label="Search checks"
            type="search"
            placeholder="Id, title or source contains…"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
          <SelectField label="Domain" value={domain} onChange={(e) => setDomain(e.target.value)}>
            <option value="">All domains</option>
            {order.map((d) => (
              <option key={d} value={d}>
                {domainLabel(d)}
              </option>
            ))}
          </SelectField>
        </div>
        {model && <ScoringRules model={model} />}
      </Section>
      <QueryState query={checks} loading="Loading checks…" isEmpty={() => byDomain.length === 0} empty="No check matches.">
        {() =>
          byDomain.map((g) => (
            <Section
              key={g.domain}
              title={domainTitle(g.domain, domainWeight(model, g.domain), model?.domains.find((d) => d.domain === g.domain)?.factorPercent)}
            >
              <CheckTable checks={g.checks} target={target} label={`${domainLabel(g.domain)} checks`} />
            </Section>
          ))
        }
      </QueryState>
    </Page>
  );
}

/** domainTitle heads a domain's checks with its weight and factor from the server ("Storage · weight 20 % · factor 115 %"). */
function domainTitle(domain: string, weight: number | undefined, factor?: number): string {
  if (weight === undefined) return domainLabel(domain);
  return `${domainLabel(domain)} · weight ${weight} %${factor ? ` · factor ${factor} %` : ""}`;
}

/** ScoringRules says what findings cost and how scores are computed and held down, in the server's numbers and words. */
function ScoringRules({ model }: { model: GetScoringModelResponse }) {
  const costing = model.penalties.filter((p) => p.fail > 0);
  const costs = costing.map((p) => `${p.fail} (${p.severity})`);
  const list = costs.length > 1 ? `${costs.slice(0, -1).join(", ")} or ${costs.at(-1)}` : (costs[0] ?? "");
  return (
    <p className="muted small">
      A failure costs {list} points; a warning {costing.map((p) => `${p.warn} (${p.severity})`).join(", ")}. Each
      domain scales these by its factor shown below. {model.deviceRule} A device with a high finding scores at most{" "}
      {model.deviceCapHigh}, with a critical one at most {model.deviceCapCritical}. {model.rollupRule}{" "}
      {model.needsAttentionRule}
    </p>
  );
}

const checkColumns: Columns<CheckInfo> = [
  {
    id: "check",
    header: "Check",
    accessorFn: (c) => c.title,
    cell: ({ row: { original: c } }) => (
      <>
        {c.title}
        <div className="mono muted">{c.id}</div>
      </>
    ),
  },
  {
    id: "severity",
    header: "Severity",
    accessorFn: (c) => severityRank(c.severity),
    cell: ({ row: { original: c } }) => <span className={`badge ${severityBadge(c.severity)}`}>{c.severity}</span>,
  },
  { id: "warn", header: "Warn", enableSorting: false, cell: ({ row: { original: c } }) => c.warn || <span className="muted">—</span> },
  { id: "fail", header: "Fail", enableSorting: false, cell: ({ row: { original: c } }) => c.fail || <span className="muted">—</span> },
  { id: "unit", header: "Unit", enableSorting: false, cell: ({ row: { original: c } }) => c.unit || <span className="muted">—</span> },
  {
    id: "source",
    header: "Source",
    enableSorting: false,
    meta: { className: "small" },
    cell: ({ row: { original: c } }) => c.source,
  },
];

function CheckTable({ checks, target, label }: { checks: CheckInfo[]; target: string; label: string }) {
  return (
    <DataTable
      label={label}
      data={checks}
      columns={checkColumns}
      getRowId={(c) => c.id}
      rowProps={(c) => ({ id: `check-${c.id}`, className: target === `check-${c.id}` ? "row-target" : undefined })}
    />
  );
}
