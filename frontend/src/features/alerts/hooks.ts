import { useInfiniteQuery, useMutation, useQuery } from "@connectrpc/connect-query";
import { AlertService, type ListWebhookDeliveriesResponse } from "../../gen/wegweiser/v1/alert_pb";
import { useInvalidate } from "../../lib/queries";

/** UNREAD_POLL_MS is how often the bell asks for the unread count. */
export const UNREAD_POLL_MS = 60_000;
/** NOTIFICATION_PAGE_SIZE is how many notifications one "Load more" adds. */
export const NOTIFICATION_PAGE_SIZE = 50;
/** DELIVERY_PAGE_SIZE is how many deliveries a webhook's log shows. */
export const DELIVERY_PAGE_SIZE = 20;
/** DELIVERY_POLL_MS is how often a delivery log refreshes while a delivery is pending. */
export const DELIVERY_POLL_MS = 5_000;

/** useUnreadCount polls the caller's unread notification count (one notification per request). */
export function useUnreadCount() {
  return useQuery(
    AlertService.method.listNotifications,
    { unreadOnly: true, pageSize: 1 },
    { refetchInterval: UNREAD_POLL_MS },
  );
}

/** useNotifications pages through the caller's notifications, newest first. */
export function useNotifications(unreadOnly: boolean) {
  return useInfiniteQuery(
    AlertService.method.listNotifications,
    { unreadOnly, pageSize: NOTIFICATION_PAGE_SIZE, pageToken: "" },
    {
      pageParamKey: "pageToken",
      getNextPageParam: (last) => last.nextPageToken || undefined,
    },
  );
}

/** useMarkRead marks notifications (or all of them) read for the caller; the bell and lists refetch. */
export function useMarkRead() {
  const invalidate = useInvalidate();
  return useMutation(AlertService.method.markNotificationsRead, {
    onSuccess: () => invalidate(AlertService),
  });
}

/** useWebhooks lists the tenant's webhooks. */
export function useWebhooks() {
  return useQuery(AlertService.method.listWebhooks, {});
}

/** useCreateWebhook registers a webhook; its signing secret is in the response only. */
export function useCreateWebhook() {
  const invalidate = useInvalidate();
  return useMutation(AlertService.method.createWebhook, {
    onSuccess: () => invalidate(AlertService),
  });
}

/** useDeleteWebhook removes a webhook. */
export function useDeleteWebhook() {
  const invalidate = useInvalidate();
  return useMutation(AlertService.method.deleteWebhook, {
    onSuccess: () => invalidate(AlertService),
  });
}

/** useSendTestWebhook queues a test notification to one webhook. */
export function useSendTestWebhook() {
  const invalidate = useInvalidate();
  return useMutation(AlertService.method.sendTestWebhook, {
    onSuccess: () => invalidate(AlertService),
  });
}

/** useDeliveries shows a webhook's delivery log, refreshing while a delivery is pending. */
export function useDeliveries(webhookId: string) {
  return useQuery(
    AlertService.method.listWebhookDeliveries,
    { webhookId, pageSize: DELIVERY_PAGE_SIZE },
    { refetchInterval: (query) => deliveryPollInterval(query.state.data) },
  );
}

/** deliveryPollInterval refreshes a delivery log every 5 s while one of its deliveries is pending. */
export function deliveryPollInterval(data: Pick<ListWebhookDeliveriesResponse, "deliveries"> | undefined): number | false {
  return data?.deliveries.some((d) => d.status === "pending") ? DELIVERY_POLL_MS : false;
}
