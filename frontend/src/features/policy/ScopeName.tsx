import { useCallback } from "react";
import { Link } from "react-router";
import { PolicyLevel } from "../../gen/wegweiser/v1/policy_pb";
import { useGroupOptions } from "../groups/hooks";
import { useOrganisationOptions } from "../organisations/hooks";
import { policyHref, type Scope } from "./labels";

/**
 * useScopeNames returns a function that names a policy level for people
 * ("Organisation Contoso", "Group Head office") from the shared organisation
 * and group look-ups: never one request per row. Devices read "Device".
 */
export function useScopeNames() {
  const organisations = useOrganisationOptions();
  const groups = useGroupOptions();
  return useCallback(
    (scope: Scope) => {
      switch (scope.level) {
        case PolicyLevel.TENANT:
          return "Tenant";
        case PolicyLevel.ORGANISATION:
          return `Organisation ${organisations.data?.organisations.find((o) => o.id === scope.id)?.name ?? ""}`.trim();
        case PolicyLevel.GROUP:
          return `Group ${groups.data?.groups.find((g) => g.id === scope.id)?.name ?? ""}`.trim();
        case PolicyLevel.DEVICE:
          return "Device";
        default:
          return "Unknown level";
      }
    },
    [organisations.data, groups.data],
  );
}

/** ScopeLink links a level to its policy page. */
export function ScopeLink({ scope, name }: { scope: Scope; name: string }) {
  // The server sends the tenant's own id; links to the tenant need none.
  return <Link to={policyHref(scope)}>{name}</Link>;
}
