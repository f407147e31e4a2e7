import { Page } from "../components/Page";
import { AISettingsPage } from "../features/ai/AISettings";
import { useCan } from "../features/auth/hooks";
import { Permission } from "../features/auth/permissions";

/** /settings/ai (only with ai.manage: owners) */
export default function AISettingsRoute() {
  const canManage = useCan(Permission.AIManage);
  if (!canManage) {
    return (
      <Page title="AI assistant">
        <div className="alert alert-error" role="alert">
          Only owners can change the AI assistant's settings.
        </div>
      </Page>
    );
  }
  return <AISettingsPage />;
}
