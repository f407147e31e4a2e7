import { Empty, ErrorMessage, Loading } from "../../components/Feedback";
import { RelativeTime } from "../../components/RelativeTime";
import { DELIVERY_PAGE_SIZE, useDeliveries } from "./hooks";
import { deliveryBadge } from "./labels";

/**
 * DeliveryLog lists a webhook's latest deliveries; it refreshes every 5 s
 * while one is pending. Errors come from the receiving endpoint: text only.
 */
export function DeliveryLog({ webhookId, label }: { webhookId: string; label: string }) {
  const deliveries = useDeliveries(webhookId);
  const list = deliveries.data?.deliveries ?? [];
  if (deliveries.isPending) return <Loading label="Loading deliveries…" />;
  if (deliveries.isError) return <ErrorMessage error={deliveries.error} />;
  if (list.length === 0) return <Empty>Nothing delivered yet. Send a test to try the webhook.</Empty>;
  return (
    <div className="stack-small">
      <div className="table-wrap delivery-log">
        <table className="table table-compact" aria-label={label}>
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col" className="num">Attempts</th>
              <th scope="col" className="num">HTTP status</th>
              <th scope="col">Error</th>
              <th scope="col">Queued</th>
              <th scope="col">Delivered</th>
            </tr>
          </thead>
          <tbody>
            {list.map((d) => {
              const [text, badge] = deliveryBadge(d.status);
              return (
                <tr key={d.id}>
                  <td>
                    <span className={`badge ${badge}`}>{text}</span>
                  </td>
                  <td className="num">{d.attempts}</td>
                  <td className="num">{d.responseStatus > 0 ? d.responseStatus : <span className="muted">—</span>}</td>
                  <td>{d.error ? <span className="delivery-error">{d.error}</span> : <span className="muted">—</span>}</td>
                  <td>
                    <RelativeTime value={d.createTime} never="—" />
                  </td>
                  <td>
                    <RelativeTime value={d.deliverTime} never="—" />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="muted small">
        The latest {DELIVERY_PAGE_SIZE} deliveries, newest first. Failed attempts are retried with backoff
        {list.some((d) => d.status === "pending") ? "; this log refreshes while one is pending." : "."}
      </p>
    </div>
  );
}
