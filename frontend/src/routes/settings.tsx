import { Page } from "../components/Page";
import { RetentionSettings } from "../features/tenant/RetentionSettings";

/** /settings */
export default function SettingsRoute() {
  return (
    <Page title="Settings" subtitle="How this tenant keeps its data.">
      <RetentionSettings />
    </Page>
  );
}
