import { useMemo } from "react";
import { Link } from "react-router";
import { DataTable, type Columns } from "../../components/DataTable";
import { QueryState } from "../../components/Feedback";
import { Section } from "../../components/Page";
import { EntityKind, type CheckSummary } from "../../gen/wegweiser/v1/health_pb";
import { useCheckSummaries } from "./hooks";
import { domainLabel, severityBadge, severityRank, type Entity } from "./labels";

/**
 * devicesWithCheck links to the device list filtered by a failing check in
 * an entity's scope, worst score first.
 */
export function devicesWithCheck(entity: Entity, checkId: string): string {
  const q = new URLSearchParams({ check: checkId, sort: "score" });
  if (entity.kind === EntityKind.ORGANISATION) q.set("org", entity.id);
  if (entity.kind === EntityKind.GROUP) q.set("group", entity.id);
  return `/devices?${q.toString()}`;
}

function plural(n: number, one: string, many: string) {
  return `${n} ${n === 1 ? one : many}`;
}

function columnsFor(entity: Entity): Columns<CheckSummary> {
  return [
    {
      id: "check",
      header: "Check",
      accessorFn: (c) => c.title || c.checkId,
      cell: ({ row: { original: c } }) => (
        <>
          <span className="wrap-anywhere">{c.title || c.checkId}</span>
          <div className="muted small">{domainLabel(c.domain)}</div>
        </>
      ),
      enableHiding: false,
    },
    {
      id: "severity",
      header: "Severity",
      accessorFn: (c) => -severityRank(c.severity),
      cell: ({ row: { original: c } }) => <span className={`badge badge-severity ${severityBadge(c.severity)}`}>{c.severity}</span>,
    },
    {
      id: "devices",
      header: "Devices",
      accessorFn: (c) => c.devicesFailing + c.devicesWarning,
      meta: { className: "num" },
      cell: ({ row: { original: c } }) => {
        const n = c.devicesFailing + c.devicesWarning;
        const parts = [
          c.devicesFailing > 0 ? `${c.devicesFailing} failing` : "",
          c.devicesWarning > 0 ? `${c.devicesWarning} warning` : "",
        ].filter(Boolean);
        return (
          <Link to={devicesWithCheck(entity, c.checkId)} className="by-check-link">
            {plural(n, "device", "devices")} →<span className="sr-only"> with {c.title || c.checkId}</span>
            <div className="muted small">{parts.join(", ")}</div>
          </Link>
        );
      },
    },
    {
      id: "impact",
      header: "Points lost",
      accessorFn: (c) => c.impact,
      meta: { className: "num", label: "Points lost" },
    },
  ];
}

const tenantColumns = columnsFor({ kind: EntityKind.TENANT, id: "" });

/**
 * ByCheck is the fleet "by check" view of a tenant, organisation or group:
 * each failing or warning check once, with how many devices it affects and a
 * link to the device list filtered by it, highest impact first.
 */
export function ByCheck({ entity, title = "By check" }: { entity: Entity; title?: string }) {
  const summaries = useCheckSummaries(entity);
  const { kind, id } = entity;
  // Cell renderers are components to the table: the same columns on every render, or rows mount anew.
  const columns = useMemo(() => (kind === EntityKind.TENANT ? tenantColumns : columnsFor({ kind, id })), [kind, id]);
  return (
    <Section
      title={title}
      actions={<span className="muted small">Each check once, by the points it costs; open one for its devices.</span>}
    >
      <QueryState query={summaries} loading="Loading checks…">
        {(data) => (
          <DataTable
            label={`${title}: checks failing or warning`}
            data={data.checks}
            columns={columns}
            getRowId={(c) => c.checkId}
            compact
            className="by-check"
            empty="No failing or warning checks on these devices."
          />
        )}
      </QueryState>
    </Section>
  );
}
