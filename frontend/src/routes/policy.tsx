import { useSearchParams } from "react-router";
import { Page } from "../components/Page";
import { useCan } from "../features/auth/hooks";
import { Permission } from "../features/auth/permissions";
import { policyParams, scopeFromParams } from "../features/policy/labels";
import { PolicyPage } from "../features/policy/PolicyPage";

/** /policy?level=tenant|organisation|group|device&id= (needs policy.read; writes need policy.manage) */
export default function PolicyRoute() {
  const [params, setParams] = useSearchParams();
  const canRead = useCan(Permission.PolicyRead);
  const canManage = useCan(Permission.PolicyManage);
  if (!canRead) {
    return (
      <Page title="Policy">
        <div className="alert alert-error" role="alert">
          You are not allowed to see the policy of this tenant.
        </div>
      </Page>
    );
  }
  return (
    <PolicyPage
      scope={scopeFromParams(params)}
      canManage={canManage}
      onScopeChange={(scope) => setParams(policyParams(scope))}
    />
  );
}
