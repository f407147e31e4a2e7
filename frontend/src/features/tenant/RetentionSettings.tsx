import { create } from "@bufbuild/protobuf";
import { useState, type FormEvent } from "react";
import { TextField } from "../../components/Fields";
import { ErrorMessage, Loading, Notice } from "../../components/Feedback";
import { Section } from "../../components/Page";
import { RetentionSchema, type Retention } from "../../gen/wegweiser/v1/tenant_pb";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { useRetention, useUpdateRetention } from "./hooks";

type Key = "snapshotDays" | "historyDays" | "notificationDays" | "webhookDeliveryDays" | "auditDays";

/** RETENTION_FIELDS describes each retention setting for people. */
export const RETENTION_FIELDS: { key: Key; label: string; hint: string }[] = [
  {
    key: "snapshotDays",
    label: "Check-in records",
    hint: "What each agent check-in held. The newest of every device is always kept.",
  },
  {
    key: "historyDays",
    label: "Score history",
    hint: "Points on the trend charts. The newest point of every device, group and organisation is always kept.",
  },
  { key: "notificationDays", label: "Notifications", hint: "Messages in the message centre, with who read them." },
  { key: "webhookDeliveryDays", label: "Webhook delivery log", hint: "Each attempt to deliver a notification to a webhook." },
  { key: "auditDays", label: "Audit events", hint: "Who moved or deleted which device, group or organisation." },
];

/** RetentionSettings shows how long the tenant keeps its records; owners can change it. */
export function RetentionSettings() {
  const query = useRetention();
  const update = useUpdateRetention();
  const canEdit = useCan(Permission.TenantWrite);
  const [edited, setDraft] = useState<Record<Key, string> | null>(null);
  const [saved, setSaved] = useState(false);

  const current = query.data?.retention;
  // The form shows the stored values until the user edits one.
  const draft =
    edited ??
    (current
      ? (Object.fromEntries(RETENTION_FIELDS.map((f) => [f.key, String(current[f.key])])) as Record<Key, string>)
      : null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setSaved(false);
    const days = (k: Key) => Number.parseInt(draft[k], 10) || 0;
    const retention: Retention = create(RetentionSchema, {
      snapshotDays: days("snapshotDays"),
      historyDays: days("historyDays"),
      notificationDays: days("notificationDays"),
      webhookDeliveryDays: days("webhookDeliveryDays"),
      auditDays: days("auditDays"),
    });
    update.mutate({ retention }, { onSuccess: () => setSaved(true) });
  };

  return (
    <Section title="Data retention">
      <p className="muted">
        Wegweiser deletes records older than these limits every few hours. Devices, their current inventory and
        their current scores are never deleted by retention.
      </p>
      {query.isPending && <Loading />}
      <ErrorMessage error={query.error} />
      {query.data && draft && (
        <form className="form" onSubmit={submit} aria-label="Data retention">
          {RETENTION_FIELDS.map((f) => {
            const min = query.data.minimum?.[f.key] ?? 1;
            const max = query.data.maximum?.[f.key] ?? 3650;
            const def = query.data.defaults?.[f.key];
            return (
              <TextField
                key={f.key}
                label={`${f.label} (days)`}
                type="number"
                inputMode="numeric"
                min={min}
                max={max}
                required
                readOnly={!canEdit}
                value={draft[f.key]}
                onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}
                hint={`${f.hint} Between ${min} and ${max} days; default ${def}.`}
              />
            );
          })}
          <ErrorMessage error={update.error} />
          {saved && <Notice>Retention saved.</Notice>}
          {canEdit ? (
            <div className="row">
              <button type="submit" className="btn btn-primary" disabled={update.isPending}>
                {update.isPending ? "Saving…" : "Save retention"}
              </button>
            </div>
          ) : (
            <p className="muted">Only owners can change retention.</p>
          )}
        </form>
      )}
    </Section>
  );
}
