import { useInfiniteQuery, useMutation, useQuery } from "@connectrpc/connect-query";
import { keepPreviousData } from "@tanstack/react-query";
import { useEffect } from "react";
import {
  BulkOperationState,
  DeviceOrder,
  DeviceService,
  Platform,
  type BulkOperation,
} from "../../gen/wegweiser/v1/device_pb";
import type { Band } from "../../gen/wegweiser/v1/health_pb";
import { HealthService } from "../../gen/wegweiser/v1/health_pb";
import { TenantService } from "../../gen/wegweiser/v1/tenant_pb";
import { useInvalidate } from "../../lib/queries";

/** DeviceFilter narrows and sorts the device list; all filters combine. */
export interface DeviceFilter {
  organisationId?: string;
  groupId?: string;
  platform?: Platform;
  tag?: string;
  query?: string;
  orderBy?: DeviceOrder;
  descending?: boolean;
  /** Only devices in these bands (Band.UNSPECIFIED: without a score). */
  bands?: Band[];
  staleOnly?: boolean;
  needsAttention?: boolean;
  /** Only devices with an unsuppressed warning or failure of this check. */
  failingCheckId?: string;
  /** Only devices that run this version of a program. */
  software?: { name: string; version: string };
  /** Retired devices too (left out by default). */
  includeRetired?: boolean;
}

/** listRequest is the ListDevices request of a filter (the first page, without a size). */
export function listRequest(filter: DeviceFilter) {
  return {
    organisationId: filter.organisationId ?? "",
    groupId: filter.groupId ?? "",
    platform: filter.platform ?? Platform.UNSPECIFIED,
    tag: filter.tag ?? "",
    query: filter.query ?? "",
    orderBy: filter.orderBy ?? DeviceOrder.HOSTNAME,
    descending: filter.descending ?? false,
    bands: filter.bands ?? [],
    staleOnly: filter.staleOnly ?? false,
    needsAttention: filter.needsAttention ?? false,
    failingCheckId: filter.failingCheckId ?? "",
    software: filter.software,
    includeRetired: filter.includeRetired ?? false,
  };
}

/** DEVICE_PAGE_SIZE is how many devices one "Load more" adds. */
export const DEVICE_PAGE_SIZE = 50;

/** useDevices pages through devices with keyset pagination. */
export function useDevices(filter: DeviceFilter) {
  return useInfiniteQuery(
    DeviceService.method.listDevices,
    {
      ...listRequest(filter),
      pageSize: DEVICE_PAGE_SIZE,
      pageToken: "",
    },
    {
      pageParamKey: "pageToken",
      getNextPageParam: (last) => last.nextPageToken || undefined,
      placeholderData: keepPreviousData,
    },
  );
}

/** useDevice loads one device. */
export function useDevice(id: string) {
  return useQuery(DeviceService.method.getDevice, { id });
}

/** useMoveDevice moves a device to another organisation or group. */
export function useMoveDevice() {
  const invalidate = useInvalidate();
  return useMutation(DeviceService.method.moveDevice, {
    onSuccess: () => invalidate(DeviceService, TenantService),
  });
}

/** useTagDevices adds and removes tags. */
export function useTagDevices() {
  const invalidate = useInvalidate();
  return useMutation(DeviceService.method.tagDevices, {
    onSuccess: () => invalidate(DeviceService),
  });
}

/** useDeleteDevice removes a device and everything it reported. */
export function useDeleteDevice() {
  const invalidate = useInvalidate();
  return useMutation(DeviceService.method.deleteDevice, {
    onSuccess: () => invalidate(DeviceService, TenantService),
  });
}

/** useStartBulkOperation starts a bulk move, tagging, retirement or re-analysis. */
export function useStartBulkOperation() {
  const invalidate = useInvalidate();
  return useMutation(DeviceService.method.startBulkOperation, {
    onSuccess: () => invalidate(DeviceService),
  });
}

/** BULK_POLL_MS is how often a running bulk operation's progress is asked for. */
export const BULK_POLL_MS = 1000;

/** bulkDone says whether an operation has finished. */
export function bulkDone(op: BulkOperation | undefined): boolean {
  return op?.state === BulkOperationState.SUCCEEDED || op?.state === BulkOperationState.FAILED;
}

/**
 * useBulkOperation follows one operation, asking again every BULK_POLL_MS
 * until it has finished; then the device lists it changed are reloaded.
 */
export function useBulkOperation(id: string) {
  const invalidate = useInvalidate();
  const query = useQuery(
    DeviceService.method.getBulkOperation,
    { id },
    {
      enabled: Boolean(id),
      refetchInterval: (q) => (bulkDone(q.state.data?.operation) ? false : BULK_POLL_MS),
    },
  );
  const done = bulkDone(query.data?.operation);
  useEffect(() => {
    if (done) void invalidate(DeviceService, TenantService, HealthService);
    // Once per operation that finishes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [done, id]);
  return query;
}

/** platformLabel names a platform for people. */
export function platformLabel(p: Platform): string {
  switch (p) {
    case Platform.WINDOWS:
      return "Windows";
    case Platform.MACOS:
      return "macOS";
    case Platform.LINUX:
      return "Linux";
    default:
      return "Unknown";
  }
}
