import { Page } from "../components/Page";
import { BrandingSettings } from "../features/branding/BrandingSettings";

/** /settings/branding: the tenant's name, logo and accent colour (owners) */
export default function Route() {
  return (
    <Page title="Branding">
      <BrandingSettings />
    </Page>
  );
}
