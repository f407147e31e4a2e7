import { TenantOverview } from "../features/tenant/TenantOverview";

/** / */
export default function OverviewRoute() {
  return <TenantOverview />;
}
