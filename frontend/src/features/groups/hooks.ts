import { skipToken, useMutation, useQuery } from "@connectrpc/connect-query";
import { DeviceService } from "../../gen/wegweiser/v1/device_pb";
import { TenantService } from "../../gen/wegweiser/v1/tenant_pb";
import { useInvalidate } from "../../lib/queries";

/** useGroups lists the groups of an organisation (none while organisationId is empty). */
export function useGroups(organisationId: string) {
  return useQuery(
    TenantService.method.listGroups,
    organisationId ? { organisationId, pageSize: 500 } : skipToken,
  );
}

/** useGroup loads one group. */
export function useGroup(id: string) {
  return useQuery(TenantService.method.getGroup, { id });
}

/** useCreateGroup adds a group to an organisation. */
export function useCreateGroup() {
  const invalidate = useInvalidate();
  return useMutation(TenantService.method.createGroup, {
    onSuccess: () => invalidate(TenantService),
  });
}

/** useUpdateGroup renames a group or changes its description. */
export function useUpdateGroup() {
  const invalidate = useInvalidate();
  return useMutation(TenantService.method.updateGroup, {
    onSuccess: () => invalidate(TenantService),
  });
}

/** useDeleteGroup removes a group; its devices stay in the organisation. */
export function useDeleteGroup() {
  const invalidate = useInvalidate();
  return useMutation(TenantService.method.deleteGroup, {
    onSuccess: () => invalidate(TenantService, DeviceService),
  });
}

/** useGroupOptions loads up to 500 groups of all organisations, for name look-ups. */
export function useGroupOptions() {
  return useQuery(TenantService.method.listGroups, { pageSize: 500 }, { staleTime: 60_000 });
}
