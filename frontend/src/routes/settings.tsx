import { Link } from "react-router";
import { Page } from "../components/Page";
import { useCan } from "../features/auth/hooks";
import { Permission } from "../features/auth/permissions";
import { RetentionSettings } from "../features/tenant/RetentionSettings";

/** /settings */
export default function SettingsRoute() {
  const canManageAI = useCan(Permission.AIManage);
  return (
    <Page
      title="Settings"
      subtitle="How this tenant keeps its data."
      actions={
        canManageAI ? (
          <Link className="btn" to="/settings/ai">
            AI assistant settings
          </Link>
        ) : undefined
      }
    >
      <RetentionSettings />
    </Page>
  );
}
