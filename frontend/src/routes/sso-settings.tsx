import { Page } from "../components/Page";

/** /settings/sso: the tenant's OpenID Connect single sign-on (owners) */
export default function Route() {
  return (
    <Page title="Single sign-on">
      <p className="muted">Coming soon.</p>
    </Page>
  );
}
