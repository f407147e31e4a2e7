import { createContext, use, useState, type FormEvent } from "react";
import { splitFieldError } from "../../lib/errors";
import { Link } from "react-router";
import { TextArea, TextField } from "../../components/Fields";
import { DataTable, type Columns } from "../../components/DataTable";
import { ErrorMessage, QueryState } from "../../components/Feedback";
import type { Organisation } from "../../gen/wegweiser/v1/tenant_pb";
import { Page, Section } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import { Band, type Health } from "../../gen/wegweiser/v1/health_pb";
import { useDebounced } from "../../lib/useDebounced";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { useOrganisationHealth } from "../health/hooks";
import { ScoreBadge } from "../health/ScoreBadge";
import { useCreateOrganisation, useOrganisations } from "./hooks";

/** HealthContext hands the organisations' health to the health cells (the columns stay the same objects). */
const HealthContext = createContext<Map<string, Health | undefined>>(new Map());

function HealthCell({ id }: { id: string }) {
  return <OrganisationScore health={use(HealthContext).get(id)} />;
}

const nameColumn: Columns<Organisation>[number] = {
  id: "name",
  header: "Name",
  accessorFn: (o) => o.name,
  enableHiding: false,
  cell: ({ row: { original: o } }) => (
    <>
      <Link className="wrap-anywhere" to={`/organisations/${o.id}`}>
        {o.name}
      </Link>
      {o.description && <div className="muted small clamp">{o.description}</div>}
    </>
  ),
};
const countColumns: Columns<Organisation> = [
  { id: "groups", header: "Groups", accessorFn: (o) => o.groupCount, meta: { className: "num" } },
  { id: "devices", header: "Devices", accessorFn: (o) => o.deviceCount, meta: { className: "num" } },
];
const healthColumn: Columns<Organisation>[number] = {
  id: "health",
  header: "Health",
  meta: { className: "num" },
  cell: ({ row: { original: o } }) => <HealthCell id={o.id} />,
};
const createdColumn: Columns<Organisation>[number] = {
  id: "created",
  header: "Created",
  accessorFn: (o) => Number(o.createTime?.seconds ?? 0n),
  cell: ({ row: { original: o } }) => <RelativeTime value={o.createTime} never="—" />,
};
const withHealth = [nameColumn, ...countColumns, healthColumn, createdColumn];
const withoutHealth = [nameColumn, ...countColumns, createdColumn];

/** OrganisationList lists the tenant's organisations, with search and a create form. */
export function OrganisationList() {
  const [search, setSearch] = useState("");
  const query = useDebounced(search.trim(), 250);
  const list = useOrganisations(query);
  const canCreate = useCan(Permission.OrganisationWrite);
  const [creating, setCreating] = useState(false);

  const health = useOrganisationHealth();
  const healthById = new Map((health.data?.organisations ?? []).map((o) => [o.organisationId, o.health]));

  return (
    <Page
      title="Organisations"
      subtitle="Your customers. Each has its own groups and devices."
      actions={
        canCreate && !creating ? (
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            New organisation
          </button>
        ) : undefined
      }
    >
      {canCreate && creating && <CreateOrganisationForm onClose={() => setCreating(false)} />}

      <Section title="All organisations">
        <div className="toolbar">
          <TextField
            label="Search organisations"
            type="search"
            placeholder="Name contains…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        <HealthContext value={healthById}>
          <QueryState query={list}>
            {(data) => (
              <DataTable
                label="Organisations"
                data={data.pages.flatMap((p) => p.organisations)}
                columns={health.isSuccess ? withHealth : withoutHealth}
                getRowId={(o) => o.id}
                empty={
                  query
                    ? `No organisation matches “${query}”.`
                    : canCreate
                      ? "No organisations yet. Create the first one above."
                      : "No organisations yet."
                }
                paging={{
                  hasNextPage: list.hasNextPage,
                  fetching: list.isFetchingNextPage,
                  onLoad: () => void list.fetchNextPage(),
                }}
              />
            )}
          </QueryState>
        </HealthContext>
      </Section>
    </Page>
  );
}

function OrganisationScore({ health }: { health: Health | undefined }) {
  return <ScoreBadge score={health?.score ?? 0} band={health?.scored ? health.band : Band.UNSPECIFIED} />;
}

function CreateOrganisationForm({ onClose }: { onClose: () => void }) {
  const create = useCreateOrganisation();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [created, setCreated] = useState<{ id: string; name: string } | null>(null);
  const errors = splitFieldError(create.error, { name: "name", description: "description" });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { name: name.trim(), description: description.trim() },
      {
        onSuccess: (res) => {
          if (res.organisation) setCreated({ id: res.organisation.id, name: res.organisation.name });
          setName("");
          setDescription("");
        },
      },
    );
  };

  return (
    <Section title="New organisation">
      <form className="form" onSubmit={submit} aria-label="New organisation">
        <TextField
          label="Organisation name"
          error={errors.byField.name}
          required
          maxLength={200}
          autoFocus
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setCreated(null);
          }}
        />
        <TextArea
          label="Description"
          error={errors.byField.description}
          hint="Optional."
          maxLength={2000}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
        <ErrorMessage error={errors.rest} />
        {created && (
          <div className="alert alert-success" role="status">
            Created <Link to={`/organisations/${created.id}`}>{created.name}</Link>.
          </div>
        )}
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create organisation"}
          </button>
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
    </Section>
  );
}
