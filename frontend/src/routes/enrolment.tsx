import { useSearchParams } from "react-router";
import { Page } from "../components/Page";
import { useCan } from "../features/auth/hooks";
import { Permission } from "../features/auth/permissions";
import { EnrolmentPage } from "../features/enrolment/EnrolmentPage";

/** /enrolment?organisationId= (only with enrolment.manage) */
export default function EnrolmentRoute() {
  const [params] = useSearchParams();
  const canManage = useCan(Permission.EnrolmentManage);
  const organisationId = params.get("organisationId") ?? "";
  if (!canManage) {
    return (
      <Page title="Enrolment">
        <div className="alert alert-error" role="alert">
          You are not allowed to manage enrolment keys. Ask an owner or admin.
        </div>
      </Page>
    );
  }
  return <EnrolmentPage key={organisationId} organisationId={organisationId} />;
}
