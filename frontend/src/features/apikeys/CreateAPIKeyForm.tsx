import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useState, type FormEvent } from "react";
import { SelectField, TextField } from "../../components/Fields";
import { ErrorMessage, Loading } from "../../components/Feedback";
import { Section } from "../../components/Page";
import type { CreateAPIKeyResponse } from "../../gen/wegweiser/v1/apikey_pb";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { roleLabel, useViewer } from "../auth/hooks";
import { useOrganisationOptions } from "../organisations/hooks";
import { keyRolesFor, MAX_LIFETIME_DAYS, useCreateAPIKey } from "./hooks";

/** Expiry choices, in days (0: never). */
const EXPIRIES = [
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
  { days: MAX_LIFETIME_DAYS, label: "2 years" },
  { days: 0, label: "Never" },
];

function roleHint(role: Role): string {
  switch (role) {
    case Role.OWNER:
      return "Everything an owner can do through the API.";
    case Role.ADMIN:
      return "Manages organisations, groups, devices and settings.";
    case Role.TECHNICIAN:
      return "Works on devices and groups; optionally limited to some organisations.";
    case Role.VIEWER:
      return "Reads everything, changes nothing.";
    case Role.CUSTOMER:
      return "Read-only, limited to the organisations you pick (at least one).";
    default:
      return "";
  }
}

/** CreateAPIKeyForm makes a key with a role up to the caller's, an optional organisation scope and an expiry. */
export function CreateAPIKeyForm({ onCreated, onCancel }: { onCreated: (res: CreateAPIKeyResponse) => void; onCancel: () => void }) {
  const viewer = useViewer();
  const roles = keyRolesFor(viewer.user?.role ?? Role.UNSPECIFIED);
  const create = useCreateAPIKey();
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>(roles.includes(Role.VIEWER) ? Role.VIEWER : (roles[0] ?? Role.UNSPECIFIED));
  const [organisationIds, setOrganisationIds] = useState<string[]>([]);
  const [days, setDays] = useState(90);
  const scoped = role === Role.TECHNICIAN || role === Role.CUSTOMER;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const expires = days > 0 ? new Date(Date.now() + days * 86_400_000 - 60_000) : undefined;
    create.mutate(
      {
        name: name.trim(),
        role,
        organisationIds: scoped ? organisationIds : [],
        expireTime: expires ? timestampFromDate(expires) : undefined,
      },
      { onSuccess: onCreated },
    );
  };

  return (
    <Section title="New API key">
      <form className="form" onSubmit={submit} aria-label="New API key">
        <TextField
          label="Name"
          required
          maxLength={100}
          placeholder="e.g. PSA sync, Claude Desktop"
          value={name}
          onChange={(e) => setName(e.target.value)}
          hint="Says what uses the key."
        />
        <SelectField
          label="Role"
          value={String(role)}
          onChange={(e) => setRole(Number(e.target.value) as Role)}
          hint={roleHint(role)}
        >
          {roles.map((r) => (
            <option key={r} value={String(r)}>
              {roleLabel(r)}
            </option>
          ))}
        </SelectField>
        {scoped && <OrganisationPicker selected={organisationIds} onChange={setOrganisationIds} required={role === Role.CUSTOMER} />}
        <SelectField
          label="Expires"
          value={String(days)}
          onChange={(e) => setDays(Number(e.target.value))}
          hint="The key stops working then. Revoke it any time."
        >
          {EXPIRIES.map((x) => (
            <option key={x.days} value={String(x.days)}>
              {x.label}
            </option>
          ))}
        </SelectField>
        <ErrorMessage error={create.error} />
        <div className="row">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={create.isPending || (role === Role.CUSTOMER && organisationIds.length === 0)}
          >
            {create.isPending ? "Creating…" : "Create key"}
          </button>
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </Section>
  );
}

function OrganisationPicker({
  selected,
  onChange,
  required,
}: {
  selected: string[];
  onChange: (ids: string[]) => void;
  required: boolean;
}) {
  const organisations = useOrganisationOptions();
  const all = organisations.data?.organisations ?? [];
  return (
    <fieldset className="fieldset">
      <legend>Organisations</legend>
      <p className="muted small">
        {required
          ? "A customer key sees only these organisations: pick at least one."
          : "Optional. Pick organisations to limit the key to them; none means all."}
      </p>
      {organisations.isPending && <Loading label="Loading organisations…" />}
      <ErrorMessage error={organisations.error} />
      {organisations.isSuccess && all.length === 0 && <p className="muted">No organisations yet.</p>}
      <div className="checkbox-grid">
        {all.map((o) => (
          <label key={o.id} className="checkbox">
            <input
              type="checkbox"
              checked={selected.includes(o.id)}
              onChange={(e) => onChange(e.target.checked ? [...selected, o.id] : selected.filter((id) => id !== o.id))}
            />
            {o.name}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
