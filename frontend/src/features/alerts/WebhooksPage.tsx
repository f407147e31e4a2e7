import { useState } from "react";
import { Page } from "../../components/Page";
import type { CreateWebhookResponse } from "../../gen/wegweiser/v1/alert_pb";
import { CreatedWebhook } from "./CreatedWebhook";
import { CreateWebhookForm } from "./CreateWebhookForm";
import { WebhookList } from "./WebhookList";

/** WebhooksPage registers webhooks, shows a new one's secret once, and lists them with their deliveries. */
export function WebhooksPage() {
  const [created, setCreated] = useState<CreateWebhookResponse | null>(null);
  return (
    <Page
      title="Webhooks"
      subtitle="Send notifications to your PSA, chat or ticketing system. Each one is POSTed as JSON, signed with HMAC-SHA256, and retried with backoff when the endpoint fails."
    >
      {created ? (
        <CreatedWebhook created={created} onDone={() => setCreated(null)} />
      ) : (
        <CreateWebhookForm onCreated={setCreated} />
      )}
      <WebhookList />
    </Page>
  );
}
