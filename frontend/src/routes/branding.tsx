import { Page } from "../components/Page";

/** /settings/branding: the tenant's name, logo and accent colour (owners) */
export default function Route() {
  return (
    <Page title="Branding">
      <p className="muted">Coming soon.</p>
    </Page>
  );
}
