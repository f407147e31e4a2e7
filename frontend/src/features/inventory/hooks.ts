import { useInfiniteQuery, useQuery } from "@connectrpc/connect-query";
import { keepPreviousData } from "@tanstack/react-query";
import { InventoryService } from "../../gen/wegweiser/v1/inventory_pb";

/** INVENTORY_PAGE_SIZE is how many rows one "Load more" adds to software and event-log lists. */
export const INVENTORY_PAGE_SIZE = 100;

/** EventLevel filters event-log groups; "" is every level. */
export type EventLevel = "" | "critical" | "error" | "warning";

/** useDeviceInventory loads the latest snapshot a device sent. */
export function useDeviceInventory(deviceId: string) {
  return useQuery(InventoryService.method.getDeviceInventory, { deviceId });
}

/** useDeviceSoftware pages through a device's installed software whose name or publisher contains query. */
export function useDeviceSoftware(deviceId: string, query: string) {
  return useInfiniteQuery(
    InventoryService.method.listDeviceSoftware,
    { deviceId, query, pageSize: INVENTORY_PAGE_SIZE, pageToken: "" },
    {
      pageParamKey: "pageToken",
      getNextPageParam: (last) => last.nextPageToken || undefined,
      placeholderData: keepPreviousData,
    },
  );
}

/** useDeviceEventLogs pages through a device's event-log groups, most recent first. */
export function useDeviceEventLogs(deviceId: string, level: EventLevel, query: string) {
  return useInfiniteQuery(
    InventoryService.method.listDeviceEventLogs,
    { deviceId, level, query, pageSize: INVENTORY_PAGE_SIZE, pageToken: "" },
    {
      pageParamKey: "pageToken",
      getNextPageParam: (last) => last.nextPageToken || undefined,
      placeholderData: keepPreviousData,
    },
  );
}

/** useSoftware pages through software across devices (of one organisation when organisationId is set). */
export function useSoftware(organisationId: string, query: string) {
  return useInfiniteQuery(
    InventoryService.method.listSoftware,
    { organisationId, query, pageSize: INVENTORY_PAGE_SIZE, pageToken: "" },
    {
      pageParamKey: "pageToken",
      getNextPageParam: (last) => last.nextPageToken || undefined,
      placeholderData: keepPreviousData,
    },
  );
}
