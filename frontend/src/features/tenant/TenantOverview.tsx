import { Link } from "react-router";
import { QueryState } from "../../components/Feedback";
import { Page } from "../../components/Page";
import { useCan, useViewer } from "../auth/hooks";
import { brandName } from "../branding/brand";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { Permission } from "../auth/permissions";
import { AskButton } from "../ai/AskButton";
import { NarrativeCard } from "../ai/NarrativeCard";
import { ByCheck } from "../health/ByCheck";
import { TENANT } from "../health/labels";
import { TenantHealth } from "../health/TenantHealth";
import { ChecklistCard } from "../onboarding/ChecklistCard";
import { TourButton } from "../onboarding/Tour";
import { useTenantOverview } from "./hooks";

/** TenantOverview is the landing page: the tenant, how healthy it is and how much it holds. */
export function TenantOverview() {
  const overview = useTenantOverview();
  const viewer = useViewer();
  const canManageUsers = useCan(Permission.UserManage);
  const canReadUsers = useCan(Permission.UserRead);
  const canSeeUsers = canManageUsers || canReadUsers;
  const canReadDevices = useCan(Permission.DeviceRead);
  const name = viewer.user?.displayName || viewer.user?.email || "there";

  return (
    <Page
      title="Overview"
      subtitle={`Signed in as ${name}.`}
      actions={
        <>
          <TourButton tourId="overview" />
          {!viewer.user?.organisationIds.length && <AskButton entity={TENANT} name={viewer.tenant?.name || "your tenant"} />}
        </>
      }
    >
      <QueryState query={overview}>{(data) => <h2 className="tenant-title">{brandName(data.tenant)}</h2>}</QueryState>
      {viewer.user?.role === Role.CUSTOMER && (
        <p className="muted portal-intro">
          Customer portal: a read-only view of your organisations&apos; health, devices and reports, kept by{" "}
          {brandName(viewer.tenant)}.
        </p>
      )}
      {viewer.user?.role !== Role.CUSTOMER && <ChecklistCard />}
      {canReadDevices && (
        <div data-tour="tenant-health">
          <TenantHealth />
        </div>
      )}
      {canReadDevices && !viewer.user?.organisationIds.length && <NarrativeCard entity={TENANT} />}
      {canReadDevices && <ByCheck entity={TENANT} title="By check" />}
      {overview.data && (
        <>
          <ul className="stats" aria-label="Tenant totals" data-tour="totals">
            <li className="stat">
              <Link to="/organisations" aria-label={`Organisations: ${overview.data.organisationCount}`}>
                <span className="stat-value">{overview.data.organisationCount}</span>
                <span className="stat-label">Organisations</span>
              </Link>
            </li>
            <li className="stat">
              <Link to="/organisations" aria-label={`Groups: ${overview.data.groupCount}`}>
                <span className="stat-value">{overview.data.groupCount}</span>
                <span className="stat-label">Groups</span>
              </Link>
            </li>
            <li className="stat">
              <Link to="/devices" aria-label={`Devices: ${overview.data.deviceCount}`}>
                <span className="stat-value">{overview.data.deviceCount}</span>
                <span className="stat-label">Devices</span>
              </Link>
            </li>
          </ul>

          <section className="card" aria-labelledby="shortcuts">
            <header className="card-header">
              <h2 id="shortcuts">Shortcuts</h2>
            </header>
            <ul className="link-list">
              <li>
                <Link to="/organisations">Browse organisations and their groups</Link>
              </li>
              <li>
                <Link to="/devices?sort=score">Devices by score, worst first</Link>
              </li>
              <li>
                <Link to="/devices?attention=1&sort=score">Devices that need attention</Link>
              </li>
              <li>
                <Link to="/devices?sort=last_seen&dir=desc">Devices by last report</Link>
              </li>
              {canSeeUsers && (
                <li>
                  <Link to="/users">Manage users and invitations</Link>
                </li>
              )}
            </ul>
          </section>
        </>
      )}
    </Page>
  );
}
