import { CopyField } from "../../components/Copy";
import { Section } from "../../components/Page";
import type { CreateAPIKeyResponse } from "../../gen/wegweiser/v1/apikey_pb";

/** CreatedAPIKey shows a new key's secret this one time, with how to use it. */
export function CreatedAPIKey({ created, onDone }: { created: CreateAPIKeyResponse; onDone: () => void }) {
  const origin = window.location.origin;
  return (
    <Section title={`API key “${created.apiKey?.name ?? ""}” created`}>
      <div className="alert alert-warn" role="status">
        <strong>Copy the secret now.</strong> It is shown only this once; Wegweiser keeps only a hash of it. If you
        lose it, revoke the key and create a new one.
      </div>
      <CopyField label="Secret" value={created.secret} />
      <p className="muted small">Send it as a bearer token, to the API or to the assistant&apos;s MCP endpoint:</p>
      <pre className="code">
        <code>{`curl -s ${origin}/wegweiser.v1.DeviceService/ListDevices \\
  -H "Authorization: Bearer ${created.secret.slice(0, 12)}…" \\
  -H 'Content-Type: application/json' -d '{}'`}</code>
      </pre>
      <div className="row">
        <button type="button" className="btn btn-primary" onClick={onDone}>
          Done
        </button>
      </div>
    </Section>
  );
}
