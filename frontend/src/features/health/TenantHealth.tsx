import { Code } from "@connectrpc/connect";
import { Link } from "react-router";
import { Empty, QueryState } from "../../components/Feedback";
import { Section, Subsection } from "../../components/Page";
import { errorCode } from "../../lib/errors";
import { useViewer } from "../auth/hooks";
import { HealthPanel } from "./HealthPanel";
import { useHealth, useOrganisationHealth } from "./hooks";
import { TENANT } from "./labels";
import { OrganisationComparison } from "./OrganisationComparison";
import { OrganisationHealthTable } from "./OrganisationHealthTable";

/** WORST_ORGANISATIONS is how many organisations the overview lists. */
export const WORST_ORGANISATIONS = 5;

/**
 * TenantHealth is the overview's health section: the tenant's score with
 * its worst organisations and devices. Users limited to some organisations
 * cannot see the tenant's score; they get their organisations' health.
 */
export function TenantHealth() {
  const viewer = useViewer();
  const scoped = (viewer.user?.organisationIds.length ?? 0) > 0;
  const health = useHealth(scoped ? null : TENANT);
  // The server decides who is scoped; its refusal is the final word.
  const denied = health.isError && errorCode(health.error) === Code.PermissionDenied;

  if (scoped || denied) return <ScopedOrganisations />;
  if (health.isSuccess && !health.data.health?.scored && (health.data.health?.deviceCount ?? 0) === 0) {
    return (
      <Section title="Tenant health">
        <Empty>No health scores yet. Devices get a score once their agent has reported and been analysed.</Empty>
      </Section>
    );
  }
  return (
    <HealthPanel entity={TENANT} what="Tenant" title="Tenant health">
      <WorstOrganisations />
    </HealthPanel>
  );
}

function WorstOrganisations() {
  const list = useOrganisationHealth();
  const all = list.data?.organisations ?? [];
  return (
    <Subsection
      title="Worst organisations"
      actions={
        all.length > WORST_ORGANISATIONS ? (
          <Link className="small" to="/organisations">
            Compare all {all.length}
          </Link>
        ) : undefined
      }
    >
      <QueryState query={list} loading="Loading organisations…">
        {(data) => (
          <>
            <OrganisationComparison organisations={data.organisations} median={data.tenantMedian} />
            <OrganisationHealthTable
              organisations={data.organisations.slice(0, WORST_ORGANISATIONS)}
              label="Worst organisations"
              narrow
            />
          </>
        )}
      </QueryState>
    </Subsection>
  );
}

function ScopedOrganisations() {
  const list = useOrganisationHealth();
  return (
    <Section title="Your organisations' health">
      <p className="muted small">Your access is limited to these organisations, worst first.</p>
      <QueryState query={list} loading="Loading organisations…">
        {(data) => <OrganisationHealthTable organisations={data.organisations} label="Your organisations' health" />}
      </QueryState>
    </Section>
  );
}
