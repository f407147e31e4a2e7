import { useMutation, useQuery } from "@connectrpc/connect-query";
import { TenantService } from "../../gen/wegweiser/v1/tenant_pb";
import { useInvalidate } from "../../lib/queries";

/** useTenantOverview loads the tenant and its counts. */
export function useTenantOverview() {
  return useQuery(TenantService.method.getTenant, {});
}

/** useRetention loads how long the tenant keeps each kind of record, with the allowed range. */
export function useRetention() {
  return useQuery(TenantService.method.getRetention, {});
}

/** useUpdateRetention stores a new retention (owners only); the settings refetch. */
export function useUpdateRetention() {
  const invalidate = useInvalidate();
  return useMutation(TenantService.method.updateRetention, {
    onSuccess: () => invalidate(TenantService),
  });
}
