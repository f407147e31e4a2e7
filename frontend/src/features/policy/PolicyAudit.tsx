import { createContext, use } from "react";
import { DataTable, type Columns } from "../../components/DataTable";
import { QueryState } from "../../components/Feedback";
import { Section } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import { PolicyLevel, type PolicyAuditEvent } from "../../gen/wegweiser/v1/policy_pb";
import { AUDIT_PAGE_SIZE, usePolicyAudit } from "./hooks";
import { auditActionLabel, describeAuditDetail } from "./labels";
import { ScopeLink, useScopeNames } from "./ScopeName";

/** ScopeNames hands the level names to the cells (the columns stay the same objects). */
const ScopeNames = createContext<ReturnType<typeof useScopeNames>>(() => "");

function ScopeCell({ event: e }: { event: PolicyAuditEvent }) {
  const names = use(ScopeNames);
  if (!e.scope) return <span className="muted">—</span>;
  const scope = { level: e.scope.level ?? PolicyLevel.UNSPECIFIED, id: e.scope.id ?? "" };
  return <ScopeLink scope={scope} name={names(scope)} />;
}

const auditColumns: Columns<PolicyAuditEvent> = [
  {
    id: "when",
    header: "When",
    accessorFn: (e) => Number(e.time?.seconds ?? 0n),
    cell: ({ row: { original: e } }) => <RelativeTime value={e.time} never="—" />,
  },
  { id: "who", header: "Who", accessorFn: (e) => e.actor },
  {
    id: "change",
    header: "Change",
    accessorFn: (e) => auditActionLabel(e.action),
    cell: ({ row: { original: e } }) => (
      <>
        {auditActionLabel(e.action)}
        {e.checkId && <div className="mono muted">{e.checkId}</div>}
      </>
    ),
  },
  { id: "level", header: "Level", cell: ({ row: { original: e } }) => <ScopeCell event={e} /> },
  {
    id: "reason",
    header: "Reason",
    meta: { className: "reason" },
    cell: ({ row: { original: e } }) => e.reason || <span className="muted">—</span>,
  },
  {
    id: "details",
    header: "Details",
    meta: { className: "reason" },
    cell: ({ row: { original: e } }) => describeAuditDetail(e.action, e.detail),
  },
];

/** PolicyAudit lists the latest policy changes at every level: who, when, where, what and why. */
export function PolicyAudit() {
  const audit = usePolicyAudit();
  const names = useScopeNames();
  return (
    <Section
      title="Audit log"
      actions={<span className="muted small">The latest {AUDIT_PAGE_SIZE} changes at every level, newest first.</span>}
    >
      <ScopeNames value={names}>
        <QueryState query={audit} loading="Loading the audit log…">
          {(data) => (
            <DataTable
              label="Policy changes"
              data={data.events}
              columns={auditColumns}
              compact
              empty="No policy changes yet."
            />
          )}
        </QueryState>
      </ScopeNames>
    </Section>
  );
}
