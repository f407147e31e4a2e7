import { useState, type FormEvent } from "react";
import { splitFieldError } from "../../lib/errors";
import { Link } from "react-router";
import { TextArea, TextField } from "../../components/Fields";
import { Empty, ErrorMessage, Loading } from "../../components/Feedback";
import { Page, Section } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import { Band, type Health } from "../../gen/wegweiser/v1/health_pb";
import { useDebounced } from "../../lib/useDebounced";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { useOrganisationHealth } from "../health/hooks";
import { ScoreBadge } from "../health/ScoreBadge";
import { useCreateOrganisation, useOrganisations } from "./hooks";

/** OrganisationList lists the tenant's organisations, with search and a create form. */
export function OrganisationList() {
  const [search, setSearch] = useState("");
  const query = useDebounced(search.trim(), 250);
  const list = useOrganisations(query);
  const canCreate = useCan(Permission.OrganisationWrite);
  const [creating, setCreating] = useState(false);

  const organisations = list.data?.pages.flatMap((p) => p.organisations) ?? [];
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
        {list.isPending && <Loading />}
        <ErrorMessage error={list.error} />
        {list.isSuccess && organisations.length === 0 && (
          <Empty>
            {query
              ? `No organisation matches “${query}”.`
              : canCreate
                ? "No organisations yet. Create the first one above."
                : "No organisations yet."}
          </Empty>
        )}
        {organisations.length > 0 && (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className="num">Groups</th>
                  <th scope="col" className="num">Devices</th>
                  {health.isSuccess && <th scope="col" className="num">Health</th>}
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {organisations.map((o) => (
                  <tr key={o.id}>
                    <td>
                      <Link to={`/organisations/${o.id}`}>{o.name}</Link>
                      {o.description && <div className="muted small clamp">{o.description}</div>}
                    </td>
                    <td className="num">{o.groupCount}</td>
                    <td className="num">{o.deviceCount}</td>
                    {health.isSuccess && (
                      <td className="num">
                        <OrganisationScore health={healthById.get(o.id)} />
                      </td>
                    )}
                    <td>
                      <RelativeTime value={o.createTime} never="—" />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {list.hasNextPage && (
          <div className="load-more">
            <button
              type="button"
              className="btn"
              onClick={() => void list.fetchNextPage()}
              disabled={list.isFetchingNextPage}
            >
              {list.isFetchingNextPage ? "Loading…" : "Load more"}
            </button>
          </div>
        )}
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
