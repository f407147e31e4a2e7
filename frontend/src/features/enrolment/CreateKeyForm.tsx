import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { SelectField, TextField } from "../../components/Fields";
import { Empty, ErrorMessage } from "../../components/Feedback";
import { Section } from "../../components/Page";
import type { CreateEnrolmentKeyResponse } from "../../gen/wegweiser/v1/enrolment_pb";
import { useGroups } from "../groups/hooks";
import { useOrganisationOptions } from "../organisations/hooks";
import { useCreateEnrolmentKey } from "./hooks";

/** MAX_USES_LIMIT is the server's upper bound for max_uses. */
const MAX_USES_LIMIT = 100_000;

/** CreateKeyForm makes an enrolment key for one organisation and optionally one group. */
export function CreateKeyForm({
  initialOrganisationId,
  onCreated,
}: {
  initialOrganisationId: string;
  onCreated: (res: CreateEnrolmentKeyResponse) => void;
}) {
  const create = useCreateEnrolmentKey();
  const organisations = useOrganisationOptions();
  const [organisationId, setOrganisationId] = useState(initialOrganisationId);
  const [groupId, setGroupId] = useState("");
  const groups = useGroups(organisationId);
  const [description, setDescription] = useState("");
  const [expiry, setExpiry] = useState("");
  const [maxUses, setMaxUses] = useState("");

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const expires = expiry ? endOfDay(expiry) : undefined;
    create.mutate(
      {
        organisationId,
        groupId,
        description: description.trim(),
        expireTime: expires ? timestampFromDate(expires) : undefined,
        maxUses: maxUses ? Number(maxUses) : 0,
      },
      { onSuccess: onCreated },
    );
  };

  const list = organisations.data?.organisations ?? [];
  if (organisations.isSuccess && list.length === 0) {
    return (
      <Section title="New enrolment key">
        <Empty>
          Devices enrol into an organisation. <Link to="/organisations">Create an organisation</Link> first.
        </Empty>
      </Section>
    );
  }
  return (
    <Section title="New enrolment key">
      <form className="form" onSubmit={submit} aria-label="New enrolment key">
        <SelectField
          label="Organisation"
          required
          value={organisationId}
          onChange={(e) => {
            setOrganisationId(e.target.value);
            setGroupId("");
          }}
          hint="Devices that enrol with this key join this organisation."
        >
          <option value="">Choose an organisation…</option>
          {list.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Group"
          value={groupId}
          disabled={!organisationId}
          onChange={(e) => setGroupId(e.target.value)}
          hint="Optional. A site or department of the organisation."
        >
          <option value="">No group</option>
          {groups.data?.groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Description"
          required
          maxLength={200}
          placeholder="e.g. Laptops head office, March roll-out"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          hint="Helps you recognise the key later."
        />
        <div className="form-pair">
          <TextField
            label="Expires on"
            type="date"
            min={localDate(new Date())}
            value={expiry}
            onChange={(e) => setExpiry(e.target.value)}
            hint="Optional. The key stops working at the end of this day."
          />
          <TextField
            label="Maximum devices"
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_USES_LIMIT}
            step={1}
            placeholder="No limit"
            value={maxUses}
            onChange={(e) => setMaxUses(e.target.value)}
            hint="Optional. Empty for no limit."
          />
        </div>
        <ErrorMessage error={create.error ?? organisations.error ?? groups.error} />
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create key"}
          </button>
        </div>
      </form>
    </Section>
  );
}

/** endOfDay turns "YYYY-MM-DD" into the last second of that day in local time. */
function endOfDay(ymd: string): Date | undefined {
  const [y, m, d] = ymd.split("-").map(Number);
  if (!y || !m || !d) return undefined;
  return new Date(y, m - 1, d, 23, 59, 59);
}

/** localDate formats a date as "YYYY-MM-DD" in local time (for <input type="date">). */
function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
