import { useInfiniteQuery, useMutation, useQuery } from "@connectrpc/connect-query";
import { keepPreviousData } from "@tanstack/react-query";
import { DeviceService } from "../../gen/wegweiser/v1/device_pb";
import { TenantService } from "../../gen/wegweiser/v1/tenant_pb";
import { useInvalidate } from "../../lib/queries";

/** useOrganisations pages through the organisations whose name contains query. */
export function useOrganisations(query: string) {
  return useInfiniteQuery(
    TenantService.method.listOrganisations,
    { query, pageSize: 100, pageToken: "" },
    {
      pageParamKey: "pageToken",
      getNextPageParam: (last) => last.nextPageToken || undefined,
      placeholderData: keepPreviousData,
    },
  );
}

/** useOrganisationOptions loads up to 500 organisations for pickers and name look-ups. */
export function useOrganisationOptions() {
  return useQuery(TenantService.method.listOrganisations, { pageSize: 500 }, { staleTime: 60_000 });
}

/** useOrganisation loads one organisation. */
export function useOrganisation(id: string) {
  return useQuery(TenantService.method.getOrganisation, { id });
}

/** useCreateOrganisation adds an organisation. */
export function useCreateOrganisation() {
  const invalidate = useInvalidate();
  return useMutation(TenantService.method.createOrganisation, {
    onSuccess: () => invalidate(TenantService),
  });
}

/** useUpdateOrganisation renames an organisation or changes its description. */
export function useUpdateOrganisation() {
  const invalidate = useInvalidate();
  return useMutation(TenantService.method.updateOrganisation, {
    onSuccess: () => invalidate(TenantService),
  });
}

/** useDeleteOrganisation removes an organisation (with force, its groups and devices too). */
export function useDeleteOrganisation() {
  const invalidate = useInvalidate();
  return useMutation(TenantService.method.deleteOrganisation, {
    onSuccess: () => invalidate(TenantService, DeviceService),
  });
}
