import { Fragment, useState, type FormEvent } from "react";
import { SelectField, TextField } from "../../components/Fields";
import { Empty, ErrorMessage, Loading } from "../../components/Feedback";
import { Page, Section } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import type { User } from "../../gen/wegweiser/v1/auth_pb";
import { roleLabel, useViewer } from "../auth/hooks";
import { useOrganisationOptions } from "../organisations/hooks";
import { useChangeUserRole, useDisableUser, useEnableUser, useInviteUser, useUsers } from "./hooks";

/** Roles that may (technician) or must (customer) be limited to organisations. */
const scopedRoles = new Set<Role>([Role.TECHNICIAN, Role.CUSTOMER]);

/** UserAdmin lists the tenant's members; with user.manage it invites and changes them. */
export function UserAdmin({ canManage }: { canManage: boolean }) {
  const users = useUsers();
  const viewer = useViewer();
  const [inviting, setInviting] = useState(false);
  const list = users.data?.users ?? [];

  return (
    <Page
      title="Users"
      subtitle="The people who can sign in to this tenant, and what they may do."
      actions={
        canManage && !inviting ? (
          <button type="button" className="btn btn-primary" onClick={() => setInviting(true)}>
            Invite user
          </button>
        ) : undefined
      }
    >
      {canManage && inviting && <InviteForm onClose={() => setInviting(false)} />}
      <Section title="Members">
        {users.isPending && <Loading />}
        <ErrorMessage error={users.error} />
        {users.isSuccess && list.length === 0 && <Empty>No users.</Empty>}
        {list.length > 0 && (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col">Organisations</th>
                  <th scope="col">Status</th>
                  <th scope="col">Member since</th>
                  {canManage && (
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {list.map((u) => (
                  <UserRow key={u.id} user={u} canManage={canManage} isSelf={u.id === viewer.user?.id} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </Page>
  );
}

function UserRow({ user: u, canManage, isSelf }: { user: User; canManage: boolean; isSelf: boolean }) {
  const [editing, setEditing] = useState(false);
  const disable = useDisableUser();
  const enable = useEnableUser();
  const who = u.displayName || u.email;
  const error = disable.error ?? enable.error;

  return (
    <Fragment>
      <tr className={u.disabled ? "row-disabled" : undefined}>
        <td>
          <div>{u.displayName || <span className="muted">—</span>}</div>
          <div className="muted small">{u.email}</div>
        </td>
        <td>{roleLabel(u.role)}</td>
        <td>
          <OrganisationNames ids={u.organisationIds} />
        </td>
        <td>
          <StatusBadge user={u} />
        </td>
        <td>
          <RelativeTime value={u.createTime} never="—" />
        </td>
        {canManage && (
          <td className="actions">
            {!isSelf && (
              <>
                <button type="button" className="btn btn-small" onClick={() => setEditing((v) => !v)} aria-expanded={editing}>
                  Change role<span className="sr-only"> of {who}</span>
                </button>
                {u.disabled ? (
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={enable.isPending}
                    onClick={() => enable.mutate({ userId: u.id })}
                  >
                    Enable<span className="sr-only"> {who}</span>
                  </button>
                ) : (
                  <button
                    type="button"
                    className="btn btn-small btn-danger-outline"
                    disabled={disable.isPending}
                    onClick={() => disable.mutate({ userId: u.id })}
                  >
                    Disable<span className="sr-only"> {who}</span>
                  </button>
                )}
              </>
            )}
            {isSelf && <span className="muted small">You</span>}
          </td>
        )}
      </tr>
      {error && (
        <tr>
          <td colSpan={6}>
            <ErrorMessage error={error} />
          </td>
        </tr>
      )}
      {editing && (
        <tr className="row-editor">
          <td colSpan={6}>
            <ChangeRoleForm user={u} onDone={() => setEditing(false)} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

function StatusBadge({ user }: { user: User }) {
  if (user.disabled) return <span className="badge badge-muted">Disabled</span>;
  if (user.invitationPending) return <span className="badge badge-warn">Invitation pending</span>;
  return <span className="badge badge-ok">Active</span>;
}

function OrganisationNames({ ids }: { ids: string[] }) {
  const organisations = useOrganisationOptions();
  if (ids.length === 0) return <span className="muted">All</span>;
  const names = ids.map((id) => organisations.data?.organisations.find((o) => o.id === id)?.name ?? "Unknown");
  return <span>{names.join(", ")}</span>;
}

/** useRoleOptions lists the roles the viewer may hand out (only owners make owners). */
function useRoleOptions(): Role[] {
  const viewer = useViewer();
  const roles = [Role.ADMIN, Role.TECHNICIAN, Role.VIEWER, Role.CUSTOMER];
  return viewer.user?.role === Role.OWNER ? [Role.OWNER, ...roles] : roles;
}

function RoleSelect({ value, onChange }: { value: Role; onChange: (r: Role) => void }) {
  const roles = useRoleOptions();
  return (
    <SelectField label="Role" value={String(value)} onChange={(e) => onChange(Number(e.target.value) as Role)}>
      {roles.map((r) => (
        <option key={r} value={String(r)}>
          {roleLabel(r)}
        </option>
      ))}
    </SelectField>
  );
}

function roleHint(role: Role): string {
  switch (role) {
    case Role.OWNER:
      return "Full control, including other owners.";
    case Role.ADMIN:
      return "Manages organisations, groups, devices and users.";
    case Role.TECHNICIAN:
      return "Works on devices and groups; optionally limited to some organisations.";
    case Role.VIEWER:
      return "Reads everything, changes nothing.";
    case Role.CUSTOMER:
      return "Read-only, limited to their own organisations (pick at least one).";
    default:
      return "";
  }
}

function OrganisationPicker({ selected, onChange }: { selected: string[]; onChange: (ids: string[]) => void }) {
  const organisations = useOrganisationOptions();
  const all = organisations.data?.organisations ?? [];
  return (
    <fieldset className="fieldset">
      <legend>Organisations</legend>
      {organisations.isPending && <Loading label="Loading organisations…" />}
      <ErrorMessage error={organisations.error} />
      {organisations.isSuccess && all.length === 0 && <p className="muted">No organisations yet.</p>}
      <div className="checkbox-grid">
        {all.map((o) => (
          <label key={o.id} className="checkbox">
            <input
              type="checkbox"
              checked={selected.includes(o.id)}
              onChange={(e) =>
                onChange(e.target.checked ? [...selected, o.id] : selected.filter((id) => id !== o.id))
              }
            />
            {o.name}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function InviteForm({ onClose }: { onClose: () => void }) {
  const invite = useInviteUser();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>(Role.TECHNICIAN);
  const [organisationIds, setOrganisationIds] = useState<string[]>([]);
  const [sentTo, setSentTo] = useState<string | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate(
      { email: email.trim(), role, organisationIds: scopedRoles.has(role) ? organisationIds : [] },
      {
        onSuccess: (res) => {
          setSentTo(res.user?.email ?? email.trim());
          setEmail("");
          setOrganisationIds([]);
        },
      },
    );
  };

  if (sentTo) {
    return (
      <Section title="Invitation sent">
        <div className="alert alert-success" role="status">
          We mailed an invitation link to <strong>{sentTo}</strong>. It is valid for 7 days; only whoever reads that
          mailbox can accept it. Inviting the address again sends a new link.
        </div>
        <div className="row">
          <button type="button" className="btn btn-primary" onClick={() => setSentTo(null)}>
            Invite another
          </button>
          <button type="button" className="btn" onClick={onClose}>
            Done
          </button>
        </div>
      </Section>
    );
  }

  return (
    <Section title="Invite user">
      <form className="form" onSubmit={submit} aria-label="Invite user">
        <TextField
          label="Email"
          type="email"
          required
          autoFocus
          maxLength={254}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <RoleSelect value={role} onChange={setRole} />
        <p className="hint">{roleHint(role)}</p>
        {scopedRoles.has(role) && <OrganisationPicker selected={organisationIds} onChange={setOrganisationIds} />}
        <ErrorMessage error={invite.error} />
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={invite.isPending}>
            {invite.isPending ? "Inviting…" : "Send invitation"}
          </button>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Section>
  );
}

function ChangeRoleForm({ user, onDone }: { user: User; onDone: () => void }) {
  const change = useChangeUserRole();
  const [role, setRole] = useState<Role>(user.role === Role.UNSPECIFIED ? Role.VIEWER : user.role);
  const [organisationIds, setOrganisationIds] = useState<string[]>(user.organisationIds);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    change.mutate(
      { userId: user.id, role, organisationIds: scopedRoles.has(role) ? organisationIds : [] },
      { onSuccess: onDone },
    );
  };

  return (
    <form className="form" onSubmit={submit} aria-label={`Change role of ${user.displayName || user.email}`}>
      <RoleSelect value={role} onChange={setRole} />
      <p className="hint">{roleHint(role)}</p>
      {scopedRoles.has(role) && <OrganisationPicker selected={organisationIds} onChange={setOrganisationIds} />}
      <ErrorMessage error={change.error} />
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={change.isPending}>
          {change.isPending ? "Saving…" : "Save role"}
        </button>
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
