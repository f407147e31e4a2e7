import { DataTable, type Columns } from "../../components/DataTable";
import { QueryState } from "../../components/Feedback";
import type { WebhookDelivery } from "../../gen/wegweiser/v1/alert_pb";
import { RelativeTime } from "../../components/RelativeTime";
import { DELIVERY_PAGE_SIZE, useDeliveries } from "./hooks";
import { deliveryBadge } from "./labels";

const columns: Columns<WebhookDelivery> = [
  {
    id: "status",
    header: "Status",
    accessorFn: (d) => d.status,
    cell: ({ row: { original: d } }) => {
      const [text, badge] = deliveryBadge(d.status);
      return <span className={`badge ${badge}`}>{text}</span>;
    },
  },
  { id: "attempts", header: "Attempts", accessorFn: (d) => d.attempts, meta: { className: "num" } },
  {
    id: "http",
    header: "HTTP status",
    accessorFn: (d) => d.responseStatus,
    meta: { className: "num" },
    cell: ({ row: { original: d } }) => (d.responseStatus > 0 ? d.responseStatus : <span className="muted">—</span>),
  },
  {
    id: "error",
    header: "Error",
    enableSorting: false,
    cell: ({ row: { original: d } }) =>
      d.error ? <span className="delivery-error">{d.error}</span> : <span className="muted">—</span>,
  },
  {
    id: "queued",
    header: "Queued",
    enableSorting: false,
    cell: ({ row: { original: d } }) => <RelativeTime value={d.createTime} never="—" />,
  },
  {
    id: "delivered",
    header: "Delivered",
    enableSorting: false,
    cell: ({ row: { original: d } }) => <RelativeTime value={d.deliverTime} never="—" />,
  },
];

/**
 * DeliveryLog lists a webhook's latest deliveries; it refreshes every 5 s
 * while one is pending. Errors come from the receiving endpoint: text only.
 */
export function DeliveryLog({ webhookId, label }: { webhookId: string; label: string }) {
  const deliveries = useDeliveries(webhookId);
  return (
    <QueryState
      query={deliveries}
      loading="Loading deliveries…"
      isEmpty={(d) => d.deliveries.length === 0}
      empty="Nothing delivered yet. Send a test to try the webhook."
    >
      {({ deliveries: list }) => (
    <div className="stack-small">
      <DataTable label={label} data={list} columns={columns} getRowId={(d) => d.id} compact className="delivery-log" />
      <p className="muted small">
        The latest {DELIVERY_PAGE_SIZE} deliveries, newest first. Failed attempts are retried with backoff
        {list.some((d) => d.status === "pending") ? "; this log refreshes while one is pending." : "."}
      </p>
    </div>
      )}
    </QueryState>
  );
}
