import { Page } from "../components/Page";
import { useCan } from "../features/auth/hooks";
import { Permission } from "../features/auth/permissions";
import { APIKeysPage } from "../features/apikeys/APIKeysPage";

/** /settings/api-keys: the tenant's API keys (owners, admins) */
export default function Route() {
  if (!useCan(Permission.APIKeyManage)) {
    return (
      <Page title="API keys">
        <div className="alert alert-error" role="alert">
          Only owners and admins manage API keys.
        </div>
      </Page>
    );
  }
  return <APIKeysPage />;
}
