import { useId, useState } from "react";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorMessage, Notice, QueryState } from "../../components/Feedback";
import { Section } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import type { Webhook } from "../../gen/wegweiser/v1/alert_pb";
import { DeliveryLog } from "./DeliveryLog";
import { useDeleteWebhook, useSendTestWebhook, useWebhooks } from "./hooks";
import { kindLabel } from "./labels";

/** WebhookList lists the tenant's webhooks with a test button, delete and a delivery log each. */
export function WebhookList() {
  const webhooks = useWebhooks();
  return (
    <Section title="Webhooks">
      <QueryState
        query={webhooks}
        loading="Loading webhooks…"
        isEmpty={(d) => d.webhooks.length === 0}
        empty="No webhooks yet. Create one above."
      >
        {(data) => (
          <ul className="webhook-list" aria-label="Webhooks">
            {data.webhooks.map((h) => (
              <WebhookItem key={h.id} webhook={h} />
            ))}
          </ul>
        )}
      </QueryState>
    </Section>
  );
}

function WebhookItem({ webhook: h }: { webhook: Webhook }) {
  const test = useSendTestWebhook();
  const del = useDeleteWebhook();
  const [showLog, setShowLog] = useState(false);
  const logId = useId();
  const name = h.description || h.url;
  return (
    <li className="webhook" aria-label={name}>
      <div className="webhook-head">
        <div className="webhook-what">
          <span className="mono webhook-url">{h.url}</span>
          {h.description && <span>{h.description}</span>}
          <span className="muted small">
            {h.kinds.length === 0 ? "Every kind" : h.kinds.map(kindLabel).join(", ")} · created{" "}
            <RelativeTime value={h.createTime} never="—" />
          </span>
        </div>
        <div className="row">
          <button
            type="button"
            className="btn btn-small"
            disabled={test.isPending}
            onClick={() => test.mutate({ id: h.id }, { onSuccess: () => setShowLog(true) })}
          >
            {test.isPending ? "Sending…" : "Send test"}
          </button>
          <button
            type="button"
            className="btn btn-small"
            aria-expanded={showLog}
            aria-controls={showLog ? logId : undefined}
            onClick={() => setShowLog(!showLog)}
          >
            {showLog ? "Hide deliveries" : "Show deliveries"}
          </button>
          <ConfirmButton
            small
            label="Delete"
            srLabel={`webhook ${name}`}
            confirmLabel="Delete webhook"
            question={<>Delete the webhook to {h.url}? Notifications stop going there; pending deliveries are dropped.</>}
            pending={del.isPending}
            onConfirm={() => del.mutate({ id: h.id })}
          />
        </div>
      </div>
      {test.isSuccess && <Notice>Test notification queued.</Notice>}
      <ErrorMessage error={test.error ?? del.error} />
      {showLog && (
        <div id={logId}>
          <DeliveryLog webhookId={h.id} label={`Deliveries to ${name}`} />
        </div>
      )}
    </li>
  );
}
