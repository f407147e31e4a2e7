import { SSOSettingsPage } from "../features/sso/SSOSettings";

/** /settings/sso: the tenant's OpenID Connect single sign-on (owners) */
export default function Route() {
  return <SSOSettingsPage />;
}
