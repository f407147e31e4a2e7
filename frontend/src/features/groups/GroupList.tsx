import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { splitFieldError } from "../../lib/errors";
import { TextArea, TextField } from "../../components/Fields";
import { DataTable, type Columns } from "../../components/DataTable";
import { ErrorMessage, QueryState } from "../../components/Feedback";
import type { Group } from "../../gen/wegweiser/v1/tenant_pb";
import { Section } from "../../components/Page";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { useCreateGroup, useGroups } from "./hooks";

const groupColumns: Columns<Group> = [
  {
    id: "name",
    header: "Group",
    accessorFn: (g) => g.name,
    cell: ({ row: { original: g } }) => <Link to={`/groups/${g.id}`}>{g.name}</Link>,
  },
  {
    id: "description",
    header: "Description",
    enableSorting: false,
    cell: ({ row: { original: g } }) => <span className="muted clamp">{g.description}</span>,
  },
  { id: "devices", header: "Devices", accessorFn: (g) => g.deviceCount, meta: { className: "num" } },
];

/** GroupList lists an organisation's groups, with a create form. */
export function GroupList({ organisationId }: { organisationId: string }) {
  const groups = useGroups(organisationId);
  const canCreate = useCan(Permission.GroupWrite);
  const [creating, setCreating] = useState(false);

  return (
    <Section
      title="Groups"
      actions={
        canCreate && !creating ? (
          <button type="button" className="btn btn-small btn-primary" onClick={() => setCreating(true)}>
            New group
          </button>
        ) : undefined
      }
    >
      {creating && <CreateGroupForm organisationId={organisationId} onClose={() => setCreating(false)} />}
      <QueryState query={groups} loading="Loading groups…">
        {({ groups: list }) => (
          <DataTable
            label="Groups"
            data={list}
            columns={groupColumns}
            getRowId={(g) => g.id}
            empty="No groups yet. Groups are sites or departments of this organisation."
          />
        )}
      </QueryState>
    </Section>
  );
}

function CreateGroupForm({ organisationId, onClose }: { organisationId: string; onClose: () => void }) {
  const create = useCreateGroup();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [created, setCreated] = useState("");
  const errors = splitFieldError(create.error, { name: "name", description: "description" });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { organisationId, name: name.trim(), description: description.trim() },
      {
        onSuccess: (res) => {
          setCreated(res.group?.name ?? name.trim());
          setName("");
          setDescription("");
        },
      },
    );
  };

  return (
    <form className="form form-boxed" onSubmit={submit} aria-label="New group">
      <TextField
        label="Group name"
        error={errors.byField.name}
        required
        maxLength={200}
        autoFocus
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          setCreated("");
        }}
      />
      <TextArea
        label="Group description"
        error={errors.byField.description}
        hint="Optional."
        maxLength={2000}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
      />
      <ErrorMessage error={errors.rest} />
      {created && (
        <div className="alert alert-success" role="status">
          Created group “{created}”.
        </div>
      )}
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create group"}
        </button>
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
