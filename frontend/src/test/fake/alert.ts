import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { AlertService } from "../../gen/wegweiser/v1/alert_pb";
import type { FakeBackend } from "../fake-backend";
import { page, NOTIFICATION_KINDS } from "./shared";

/** alertService answers AlertService for the fake backend b. */
export function alertService(b: FakeBackend): Partial<ServiceImpl<typeof AlertService>> {
  return {
    listNotifications: (req, ctx) => {
      b.enter("ListNotifications", req, ctx);
      const all = b.notifications
        .filter((n) => !req.unreadOnly || !n.read)
        .sort((a, b) => Number((b.createTime?.seconds ?? 0n) - (a.createTime?.seconds ?? 0n)));
      const unreadCount = b.notifications.filter((n) => !n.read).length;
      return page(all, req.pageSize || 50, req.pageToken, (notifications, nextPageToken) => ({
        notifications,
        nextPageToken,
        unreadCount,
      }));
    },
    markNotificationsRead: (req, ctx) => {
      b.enter("MarkNotificationsRead", req, ctx);
      for (const n of b.notifications) {
        if (req.all || req.ids.includes(n.id)) n.read = true;
      }
      return { unreadCount: b.notifications.filter((n) => !n.read).length };
    },
    createWebhook: (req, ctx) => {
      b.enter("CreateWebhook", req, ctx);
      b.need("alert.manage");
      if (!/^https:\/\/[^/\s]+/.test(req.url.trim())) {
        throw new ConnectError("url: must be an absolute https:// URL without credentials", Code.InvalidArgument);
      }
      const unknown = req.kinds.find((k) => !NOTIFICATION_KINDS.includes(k));
      if (unknown) throw new ConnectError(`kinds: unknown kind "${unknown}"`, Code.InvalidArgument);
      const webhook = b.addWebhook({
        url: req.url.trim(),
        description: req.description.trim(),
        kinds: req.kinds,
        createTime: timestampFromDate(new Date()),
      });
      return { webhook, secret: `whsec_${String(b.webhooks.length).padStart(4, "0")}_s3cr3t` };
    },
    listWebhooks: (req, ctx) => {
      b.enter("ListWebhooks", req, ctx);
      b.need("alert.manage");
      return { webhooks: b.webhooks };
    },
    deleteWebhook: (req, ctx) => {
      b.enter("DeleteWebhook", req, ctx);
      b.need("alert.manage");
      if (!b.webhooks.some((h) => h.id === req.id)) throw new ConnectError("webhook not found", Code.NotFound);
      b.webhooks = b.webhooks.filter((h) => h.id !== req.id);
      b.deliveries = b.deliveries.filter((d) => d.webhookId !== req.id);
      return {};
    },
    sendTestWebhook: (req, ctx) => {
      b.enter("SendTestWebhook", req, ctx);
      b.need("alert.manage");
      if (!b.webhooks.some((h) => h.id === req.id)) throw new ConnectError("webhook not found", Code.NotFound);
      const n = b.addNotification({
        kind: "test",
        severity: "info",
        title: "Test notification from Wegweiser",
        body: "If you can read this, the webhook works.",
        createTime: timestampFromDate(new Date()),
      });
      const delivery = b.addDelivery(req.id, { notificationId: n.id, createTime: timestampFromDate(new Date()) });
      return { delivery };
    },
    listWebhookDeliveries: (req, ctx) => {
      b.enter("ListWebhookDeliveries", req, ctx);
      b.need("alert.manage");
      if (!b.webhooks.some((h) => h.id === req.webhookId)) throw new ConnectError("webhook not found", Code.NotFound);
      const deliveries = b.deliveries.filter((d) => d.webhookId === req.webhookId).reverse();
      return { deliveries: deliveries.slice(0, req.pageSize || 50) };
    },
  };
}
