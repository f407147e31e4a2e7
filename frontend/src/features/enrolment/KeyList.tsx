import { useState } from "react";
import { Link } from "react-router";
import { ConfirmButton } from "../../components/ConfirmButton";
import { SelectField } from "../../components/Fields";
import { DataTable, type Columns } from "../../components/DataTable";
import { ErrorMessage, QueryState } from "../../components/Feedback";
import { Section } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import type { EnrolmentKey } from "../../gen/wegweiser/v1/enrolment_pb";
import { useGroupOptions } from "../groups/hooks";
import { useOrganisationOptions } from "../organisations/hooks";
import { keyStatus, useEnrolmentKeys, useRevokeEnrolmentKey, type KeyStatus } from "./hooks";

const statusBadge: Record<KeyStatus, [label: string, className: string]> = {
  active: ["Active", "badge-ok"],
  exhausted: ["Exhausted", "badge-warn"],
  expired: ["Expired", "badge-muted"],
  revoked: ["Revoked", "badge-danger"],
};

/** KeyList lists enrolment keys with their use and status, and revokes them. */
export function KeyList({ initialOrganisationId }: { initialOrganisationId: string }) {
  const [organisationId, setOrganisationId] = useState(initialOrganisationId);
  const [includeInactive, setIncludeInactive] = useState(false);
  const keys = useEnrolmentKeys(organisationId, includeInactive);
  const organisations = useOrganisationOptions();

  return (
    <Section title="Enrolment keys">
      <div className="filters" role="search" aria-label="Key filters">
        <SelectField label="Keys of" value={organisationId} onChange={(e) => setOrganisationId(e.target.value)}>
          <option value="">All organisations</option>
          {organisations.data?.organisations.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </SelectField>
        <label className="checkbox filters-checkbox">
          <input type="checkbox" checked={includeInactive} onChange={(e) => setIncludeInactive(e.target.checked)} />
          Include revoked and expired keys
        </label>
      </div>
      <QueryState query={keys} loading="Loading keys…">
        {({ keys: list }) => (
          <DataTable
            label="Enrolment keys"
            data={list}
            columns={keyColumns}
            getRowId={(k) => k.id}
            rowProps={(k) => ({ className: keyStatus(k) === "active" ? undefined : "row-disabled" })}
            empty={includeInactive ? "No enrolment keys." : "No active enrolment keys. Create one above."}
          />
        )}
      </QueryState>
    </Section>
  );
}

const keyColumns: Columns<EnrolmentKey> = [
  {
    id: "key",
    header: "Key",
    enableSorting: false,
    cell: ({ row: { original: k } }) => (
      <>
        <code className="mono">{k.prefix}…</code>
        {k.description && <div className="muted small clamp">{k.description}</div>}
      </>
    ),
  },
  {
    id: "organisation",
    header: "Organisation",
    enableSorting: false,
    cell: ({ row: { original: k } }) => <OrganisationLink id={k.organisationId} />,
  },
  {
    id: "group",
    header: "Group",
    enableSorting: false,
    cell: ({ row: { original: k } }) => (k.groupId ? <GroupLink id={k.groupId} /> : <span className="muted">—</span>),
  },
  {
    id: "uses",
    header: "Uses",
    accessorFn: (k) => k.uses,
    meta: { className: "num" },
    cell: ({ row: { original: k } }) => (
      <>
        {k.uses} / {k.maxUses > 0 ? k.maxUses : <span title="No limit">∞</span>}
      </>
    ),
  },
  {
    id: "expires",
    header: "Expires",
    enableSorting: false,
    cell: ({ row: { original: k } }) => <RelativeTime value={k.expireTime} never="Never" />,
  },
  {
    id: "created",
    header: "Created",
    enableSorting: false,
    cell: ({ row: { original: k } }) => <RelativeTime value={k.createTime} never="—" />,
  },
  {
    id: "status",
    header: "Status",
    accessorFn: (k) => keyStatus(k),
    cell: ({ row: { original: k } }) => {
      const [label, badge] = statusBadge[keyStatus(k)];
      return <span className={`badge ${badge}`}>{label}</span>;
    },
  },
  {
    id: "actions",
    header: () => <span className="sr-only">Actions</span>,
    enableSorting: false,
    meta: { className: "actions" },
    cell: ({ row: { original: k } }) => <RevokeKey k={k} />,
  },
];

function RevokeKey({ k }: { k: EnrolmentKey }) {
  const revoke = useRevokeEnrolmentKey();
  const status = keyStatus(k);
  return (
    <>
      {(status === "active" || status === "exhausted") && (
        <ConfirmButton
          small
          label="Revoke"
          srLabel={`key ${k.prefix}`}
          confirmLabel="Revoke key"
          question={<>Revoke key {k.prefix}…? No new device can enrol with it; enrolled devices keep working.</>}
          pending={revoke.isPending}
          onConfirm={() => revoke.mutate({ id: k.id })}
        />
      )}
      <ErrorMessage error={revoke.error} />
    </>
  );
}

function OrganisationLink({ id }: { id: string }) {
  const options = useOrganisationOptions();
  const name = options.data?.organisations.find((o) => o.id === id)?.name;
  return <Link to={`/organisations/${id}`}>{name ?? "Organisation"}</Link>;
}

function GroupLink({ id }: { id: string }) {
  const options = useGroupOptions();
  const name = options.data?.groups.find((g) => g.id === id)?.name;
  return <Link to={`/groups/${id}`}>{name ?? "Group"}</Link>;
}
