import { Page } from "../components/Page";

/** /audit: the tenant's audit log (owners, admins) */
export default function Route() {
  return (
    <Page title="Audit log">
      <p className="muted">Coming soon.</p>
    </Page>
  );
}
