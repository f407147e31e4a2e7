import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { TextArea, TextField } from "../../components/Fields";
import { Empty, ErrorMessage, Loading } from "../../components/Feedback";
import { Section } from "../../components/Page";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { useCreateGroup, useGroups } from "./hooks";

/** GroupList lists an organisation's groups, with a create form. */
export function GroupList({ organisationId }: { organisationId: string }) {
  const groups = useGroups(organisationId);
  const canCreate = useCan(Permission.GroupWrite);
  const [creating, setCreating] = useState(false);
  const list = groups.data?.groups ?? [];

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
      {groups.isPending && <Loading label="Loading groups…" />}
      <ErrorMessage error={groups.error} />
      {groups.isSuccess && list.length === 0 && (
        <Empty>No groups yet. Groups are sites or departments of this organisation.</Empty>
      )}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Description</th>
                <th scope="col" className="num">Devices</th>
              </tr>
            </thead>
            <tbody>
              {list.map((g) => (
                <tr key={g.id}>
                  <td>
                    <Link to={`/groups/${g.id}`}>{g.name}</Link>
                  </td>
                  <td className="muted clamp">{g.description}</td>
                  <td className="num">{g.deviceCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

function CreateGroupForm({ organisationId, onClose }: { organisationId: string; onClose: () => void }) {
  const create = useCreateGroup();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [created, setCreated] = useState("");

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
        hint="Optional."
        maxLength={2000}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
      />
      <ErrorMessage error={create.error} />
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
