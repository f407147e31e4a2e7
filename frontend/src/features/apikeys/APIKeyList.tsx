import { DataTable, type Columns } from "../../components/DataTable";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorMessage } from "../../components/Feedback";
import { Section } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import type { APIKey } from "../../gen/wegweiser/v1/apikey_pb";
import { roleLabel } from "../auth/hooks";
import { useOrganisationOptions } from "../organisations/hooks";
import { apiKeyStatus, useAPIKeyPages, useRevokeAPIKey, type APIKeyStatus } from "./hooks";

const statusBadge: Record<APIKeyStatus, [label: string, className: string]> = {
  active: ["Active", "badge-ok"],
  expired: ["Expired", "badge-muted"],
  revoked: ["Revoked", "badge-danger"],
};

/** APIKeyList lists the tenant's keys with their scope, use and status, and revokes them. */
export function APIKeyList() {
  const pages = useAPIKeyPages();
  const keys = pages.data?.pages.flatMap((p) => p.apiKeys) ?? [];
  return (
    <Section title="Keys">
      <ErrorMessage error={pages.error} />
      {pages.isSuccess && (
        <DataTable
          label="API keys"
          data={keys}
          columns={columns}
          getRowId={(k) => k.id}
          rowProps={(k) => ({ className: apiKeyStatus(k) === "active" ? undefined : "row-disabled" })}
          empty="No API keys yet. Create one for an integration or an AI client."
          paging={{
            hasNextPage: pages.hasNextPage,
            fetching: pages.isFetchingNextPage,
            onLoad: () => void pages.fetchNextPage(),
          }}
        />
      )}
      {pages.isPending && <p className="muted">Loading keys…</p>}
    </Section>
  );
}

const columns: Columns<APIKey> = [
  {
    id: "name",
    header: "Name",
    enableSorting: false,
    cell: ({ row: { original: k } }) => (
      <>
        <div>{k.name}</div>
        <code className="mono muted small">{k.prefix}…</code>
      </>
    ),
  },
  { id: "role", header: "Role", enableSorting: false, cell: ({ row: { original: k } }) => roleLabel(k.role) },
  {
    id: "scope",
    header: "Organisations",
    enableSorting: false,
    cell: ({ row: { original: k } }) => <Scope ids={k.organisationIds} />,
  },
  { id: "createdBy", header: "Created by", enableSorting: false, cell: ({ row: { original: k } }) => k.createdBy || "—" },
  {
    id: "created",
    header: "Created",
    enableSorting: false,
    cell: ({ row: { original: k } }) => <RelativeTime value={k.createTime} never="—" />,
  },
  {
    id: "expires",
    header: "Expires",
    enableSorting: false,
    cell: ({ row: { original: k } }) => <RelativeTime value={k.expireTime} never="Never" />,
  },
  {
    id: "lastUse",
    header: "Last use",
    enableSorting: false,
    cell: ({ row: { original: k } }) => (
      <>
        <RelativeTime value={k.lastUseTime} never="Never" />
        {k.lastUseAddress && <div className="muted small mono">{k.lastUseAddress}</div>}
      </>
    ),
  },
  {
    id: "status",
    header: "Status",
    enableSorting: false,
    cell: ({ row: { original: k } }) => {
      const [label, badge] = statusBadge[apiKeyStatus(k)];
      return <span className={`badge ${badge}`}>{label}</span>;
    },
  },
  {
    id: "actions",
    header: () => <span className="sr-only">Actions</span>,
    enableSorting: false,
    meta: { className: "actions" },
    cell: ({ row: { original: k } }) => <Revoke k={k} />,
  },
];

function Scope({ ids }: { ids: string[] }) {
  const organisations = useOrganisationOptions();
  if (ids.length === 0) return <span className="muted">All</span>;
  const names = ids.map((id) => organisations.data?.organisations.find((o) => o.id === id)?.name ?? "Unknown");
  return <span>{names.join(", ")}</span>;
}

function Revoke({ k }: { k: APIKey }) {
  const revoke = useRevokeAPIKey();
  if (k.revokeTime) return null;
  return (
    <>
      <ConfirmButton
        small
        label="Revoke"
        srLabel={k.name}
        confirmLabel="Revoke key"
        question={
          <>
            Revoke <strong>{k.name}</strong>? Whatever uses it is refused from its next request. This cannot be undone.
          </>
        }
        pending={revoke.isPending}
        onConfirm={() => revoke.mutate({ apiKeyId: k.id })}
      />
      <ErrorMessage error={revoke.error} />
    </>
  );
}
