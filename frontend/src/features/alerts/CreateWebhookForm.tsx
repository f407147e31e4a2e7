import { useState, type FormEvent } from "react";
import { splitFieldError } from "../../lib/errors";
import { TextField } from "../../components/Fields";
import { ErrorMessage } from "../../components/Feedback";
import { Section } from "../../components/Page";
import type { CreateWebhookResponse } from "../../gen/wegweiser/v1/alert_pb";
import { useCreateWebhook } from "./hooks";
import { KINDS } from "./labels";

/** CreateWebhookForm registers an HTTPS endpoint for some or all notification kinds. */
export function CreateWebhookForm({ onCreated }: { onCreated: (res: CreateWebhookResponse) => void }) {
  const create = useCreateWebhook();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [kinds, setKinds] = useState<string[]>([]);
  const errors = splitFieldError(create.error, { url: "url", description: "description" });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ url: url.trim(), description: description.trim(), kinds }, { onSuccess: onCreated });
  };

  return (
    <Section title="New webhook">
      <form className="form" onSubmit={submit} aria-label="New webhook">
        <TextField
          label="URL"
          error={errors.byField.url}
          type="url"
          required
          maxLength={2000}
          placeholder="https://psa.example.com/hooks/wegweiser"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          hint="Wegweiser POSTs each notification here as JSON. It must be https://."
        />
        <TextField
          label="Description"
          error={errors.byField.description}
          maxLength={200}
          placeholder="e.g. Tickets in our PSA"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
        <fieldset className="fieldset">
          <legend>Notifications to send</legend>
          <div className="checkbox-grid">
            {KINDS.map((k) => (
              <label key={k.id} className="checkbox" title={k.description}>
                <input
                  type="checkbox"
                  checked={kinds.includes(k.id)}
                  onChange={(e) =>
                    setKinds((prev) => (e.target.checked ? [...prev, k.id] : prev.filter((x) => x !== k.id)))
                  }
                />
                {k.label}
              </label>
            ))}
          </div>
          <small className="hint">Tick none to receive every kind. “Send test” always reaches the webhook.</small>
        </fieldset>
        <ErrorMessage error={errors.rest} />
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create webhook"}
          </button>
        </div>
      </form>
    </Section>
  );
}
