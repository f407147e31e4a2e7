import { Page } from "../components/Page";
import { Factors } from "../features/security/Factors";
import { Sessions } from "../features/security/Sessions";

/** /settings/security: the caller's passkeys, authenticator app, recovery codes and sessions. */
export default function SecurityRoute() {
  return (
    <Page title="Account security" subtitle="How you sign in, and where you are signed in.">
      <Factors />
      <Sessions />
    </Page>
  );
}
