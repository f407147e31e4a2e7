import { Fragment, useState } from "react";
import { Link } from "react-router";
import { ConfirmButton } from "../../components/ConfirmButton";
import { SelectField } from "../../components/Fields";
import { Empty, ErrorMessage, Loading } from "../../components/Feedback";
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
  const list = keys.data?.keys ?? [];

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
      {keys.isPending && <Loading label="Loading keys…" />}
      <ErrorMessage error={keys.error} />
      {keys.isSuccess && list.length === 0 && (
        <Empty>{includeInactive ? "No enrolment keys." : "No active enrolment keys. Create one above."}</Empty>
      )}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Organisation</th>
                <th scope="col">Group</th>
                <th scope="col" className="num">Uses</th>
                <th scope="col">Expires</th>
                <th scope="col">Created</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((k) => (
                <KeyRow key={k.id} k={k} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

function KeyRow({ k }: { k: EnrolmentKey }) {
  const revoke = useRevokeEnrolmentKey();
  const status = keyStatus(k);
  const [label, badge] = statusBadge[status];
  return (
    <Fragment>
      <tr className={status === "active" ? undefined : "row-disabled"}>
        <td>
          <code className="mono">{k.prefix}…</code>
          {k.description && <div className="muted small clamp">{k.description}</div>}
        </td>
        <td>
          <OrganisationLink id={k.organisationId} />
        </td>
        <td>{k.groupId ? <GroupLink id={k.groupId} /> : <span className="muted">—</span>}</td>
        <td className="num">
          {k.uses} / {k.maxUses > 0 ? k.maxUses : <span title="No limit">∞</span>}
        </td>
        <td>
          <RelativeTime value={k.expireTime} never="Never" />
        </td>
        <td>
          <RelativeTime value={k.createTime} never="—" />
        </td>
        <td>
          <span className={`badge ${badge}`}>{label}</span>
        </td>
        <td className="actions">
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
        </td>
      </tr>
      {revoke.error ? (
        <tr>
          <td colSpan={8}>
            <ErrorMessage error={revoke.error} />
          </td>
        </tr>
      ) : null}
    </Fragment>
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
