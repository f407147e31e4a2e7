import { Page } from "../components/Page";
import { WebhooksPage } from "../features/alerts/WebhooksPage";
import { useCan } from "../features/auth/hooks";
import { Permission } from "../features/auth/permissions";

/** /webhooks (only with alert.manage) */
export default function WebhooksRoute() {
  const canManage = useCan(Permission.AlertManage);
  if (!canManage) {
    return (
      <Page title="Webhooks">
        <div className="alert alert-error" role="alert">
          You are not allowed to manage webhooks. Ask an owner or admin.
        </div>
      </Page>
    );
  }
  return <WebhooksPage />;
}
