import { useInfiniteQuery, useMutation } from "@connectrpc/connect-query";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { keepPreviousData } from "@tanstack/react-query";
import { AuditService, type AuditFilterSchema } from "../../gen/wegweiser/v1/audit_pb";

/** AUDIT_PAGE_SIZE is how many events one "Load more" adds. */
export const AUDIT_PAGE_SIZE = 100;

/** AuditFilterInit is the filter the page sends (AuditFilter). */
export type AuditFilterInit = MessageInitShape<typeof AuditFilterSchema>;

/** useAuditEvents pages through the tenant's audit events matching filter, newest first. */
export function useAuditEvents(filter: AuditFilterInit) {
  return useInfiniteQuery(
    AuditService.method.listAuditEvents,
    { filter, pageSize: AUDIT_PAGE_SIZE, pageToken: "" },
    {
      pageParamKey: "pageToken",
      getNextPageParam: (last) => last.nextPageToken || undefined,
      placeholderData: keepPreviousData,
    },
  );
}

/** useExportAudit fetches the events matching a filter as CSV (at most 100,000). */
export function useExportAudit() {
  return useMutation(AuditService.method.exportAuditEvents);
}
