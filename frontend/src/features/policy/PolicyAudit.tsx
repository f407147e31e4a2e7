import { Empty, ErrorMessage, Loading } from "../../components/Feedback";
import { Section } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import { PolicyLevel } from "../../gen/wegweiser/v1/policy_pb";
import { AUDIT_PAGE_SIZE, usePolicyAudit } from "./hooks";
import { auditActionLabel, describeAuditDetail } from "./labels";
import { ScopeLink, useScopeNames } from "./ScopeName";

/** PolicyAudit lists the latest policy changes at every level: who, when, where, what and why. */
export function PolicyAudit() {
  const audit = usePolicyAudit();
  const names = useScopeNames();
  const events = audit.data?.events ?? [];
  return (
    <Section
      title="Audit log"
      actions={<span className="muted small">The latest {AUDIT_PAGE_SIZE} changes at every level, newest first.</span>}
    >
      {audit.isPending && <Loading label="Loading the audit log…" />}
      <ErrorMessage error={audit.error} />
      {audit.isSuccess && events.length === 0 && <Empty>No policy changes yet.</Empty>}
      {events.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact" aria-label="Policy changes">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Change</th>
                <th scope="col">Level</th>
                <th scope="col">Reason</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e, i) => {
                const scope = { level: e.scope?.level ?? PolicyLevel.UNSPECIFIED, id: e.scope?.id ?? "" };
                return (
                  <tr key={i}>
                    <td>
                      <RelativeTime value={e.time} never="—" />
                    </td>
                    <td>{e.actor}</td>
                    <td>
                      {auditActionLabel(e.action)}
                      {e.checkId && <div className="mono muted">{e.checkId}</div>}
                    </td>
                    <td>{e.scope ? <ScopeLink scope={scope} name={names(scope)} /> : <span className="muted">—</span>}</td>
                    <td className="reason">{e.reason || <span className="muted">—</span>}</td>
                    <td className="reason">{describeAuditDetail(e.action, e.detail)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
