import { useState } from "react";
import { Page } from "../../components/Page";
import type { CreateAPIKeyResponse } from "../../gen/wegweiser/v1/apikey_pb";
import { APIKeyList } from "./APIKeyList";
import { CreateAPIKeyForm } from "./CreateAPIKeyForm";
import { CreatedAPIKey } from "./CreatedAPIKey";

/** APIKeysPage lists, creates and revokes the tenant's API keys (apikey.manage). */
export function APIKeysPage() {
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreateAPIKeyResponse | null>(null);
  return (
    <Page
      title="API keys"
      subtitle="Long-lived keys for integrations and AI clients. A key acts with its role and organisations, never above yours."
      actions={
        !creating && !created ? (
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            Create API key
          </button>
        ) : undefined
      }
    >
      {created && <CreatedAPIKey created={created} onDone={() => setCreated(null)} />}
      {creating && (
        <CreateAPIKeyForm
          onCancel={() => setCreating(false)}
          onCreated={(res) => {
            setCreating(false);
            setCreated(res);
          }}
        />
      )}
      <APIKeyList />
    </Page>
  );
}
