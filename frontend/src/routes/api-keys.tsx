import { Page } from "../components/Page";

/** /settings/api-keys: the tenant's API keys (owners, admins) */
export default function Route() {
  return (
    <Page title="API keys">
      <p className="muted">Coming soon.</p>
    </Page>
  );
}
