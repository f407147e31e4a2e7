import { useQuery } from "@connectrpc/connect-query";
import { TenantService } from "../../gen/wegweiser/v1/tenant_pb";

/** useTenantOverview loads the tenant and its counts. */
export function useTenantOverview() {
  return useQuery(TenantService.method.getTenant, {});
}
