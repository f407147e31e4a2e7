import { CopyButton, CopyField } from "../../components/Copy";
import { Section } from "../../components/Page";
import type { CreateWebhookResponse } from "../../gen/wegweiser/v1/alert_pb";

/** VERIFY_SNIPPET checks a delivery's signature in Node.js. */
export const VERIFY_SNIPPET = `import { createHmac, timingSafeEqual } from "node:crypto";

// rawBody: the request body exactly as received, before any JSON parsing.
function verifyWegweiser(secret, headers, rawBody) {
  const timestamp = headers["wegweiser-timestamp"];
  const given = String(headers["wegweiser-signature"] ?? "").replace(/^sha256=/, "");
  const expected = createHmac("sha256", secret).update(\`\${timestamp}.\${rawBody}\`).digest("hex");
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300; // refuse replays
  return fresh && given.length === expected.length &&
    timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}`;

/** CreatedWebhook shows a new webhook's signing secret (this one time) and how to verify signatures. */
export function CreatedWebhook({ created, onDone }: { created: CreateWebhookResponse; onDone: () => void }) {
  return (
    <Section title="Webhook created">
      <div className="alert alert-warn" role="status">
        <strong>Copy the signing secret now.</strong> It is shown only this once; Wegweiser cannot show it again. If you
        lose it, delete the webhook and create a new one.
      </div>
      <CopyField label="Signing secret" value={created.secret} />
      <div className="stack-small">
        <h3>Verify the signature</h3>
        <p className="small">
          Every delivery carries the headers <code className="mono">Wegweiser-Timestamp</code> (Unix seconds) and{" "}
          <code className="mono">Wegweiser-Signature</code>. Compute{" "}
          <code className="mono">HMAC-SHA256(secret, "&lt;Wegweiser-Timestamp&gt;.&lt;body&gt;")</code> over the raw
          request body, hex-encode it, and compare it in constant time with the signature after{" "}
          <code className="mono">sha256=</code>. Refuse old timestamps so that a captured request cannot be replayed.
        </p>
        <div className="install-command-header">
          <h4>Node.js</h4>
          <CopyButton value={VERIFY_SNIPPET} label="Copy snippet" />
        </div>
        <pre className="code">
          <code>{VERIFY_SNIPPET}</code>
        </pre>
      </div>
      <div className="row">
        <button type="button" className="btn btn-primary" onClick={onDone}>
          Done
        </button>
      </div>
    </Section>
  );
}
