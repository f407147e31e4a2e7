import { TourButton } from "../onboarding/Tour";
import { useState, type FormEvent, type ReactNode } from "react";
import { Link, useNavigate } from "react-router";
import { ConfirmButton } from "../../components/ConfirmButton";
import { SelectField, TextField } from "../../components/Fields";
import { ErrorMessage, Loading, Notice } from "../../components/Feedback";
import { Page, Subsection } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import { DeviceRole, type Device } from "../../gen/wegweiser/v1/device_pb";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { RevokeAgentCredentials } from "../enrolment/RevokeAgentCredentials";
import { useGroup, useGroups } from "../groups/hooks";
import { AskButton } from "../ai/AskButton";
import { NarrativeCard } from "../ai/NarrativeCard";
import { DeviceTriage } from "../health/DeviceTriage";
import { deviceEntity } from "../health/labels";
import { DeviceInventory } from "../inventory/DeviceInventory";
import { useOrganisationOptions } from "../organisations/hooks";
import { OrganisationName, TagList } from "./DeviceTable";
import { platformLabel, useDeleteDevice, useDevice, useMoveDevice, useTagDevices } from "./hooks";

/**
 * DeviceDetail shows one device, triage first: its score, band and top
 * reasons lead; health in detail and the inventory follow in tabs; its facts,
 * tags, location and actions are in the Details tab.
 */
export function DeviceDetail({ id }: { id: string }) {
  const device = useDevice(id);
  const canWrite = useCan(Permission.DeviceWrite);
  const canEnrol = useCan(Permission.EnrolmentManage);
  const breadcrumb = (
    <>
      <Link to="/devices">Devices</Link>
      <span aria-hidden="true"> / </span>
    </>
  );

  if (device.isPending) return <Loading />;
  if (device.isError || !device.data.device) {
    return (
      <Page title="Device" breadcrumb={breadcrumb}>
        <ErrorMessage error={device.error ?? new Error("device not found")} />
      </Page>
    );
  }
  const d = device.data.device;

  return (
    <Page
      title={d.hostname || d.id}
      subtitle={
        <>
          {platformLabel(d.platform)} {roleLabel(d.role)} · last seen <RelativeTime value={d.lastSeenTime} />
          {d.retireTime && (
            <>
              {" "}
              <span className="badge badge-muted badge-inline" title="No longer counted in scores, lists or reports">
                Retired
              </span>{" "}
              <RelativeTime value={d.retireTime} />
            </>
          )}
        </>
      }
      breadcrumb={breadcrumb}
      actions={
        <>
          <TourButton tourId="device" />
          <AskButton entity={deviceEntity(d.id)} name={d.hostname || d.id} />
        </>
      }
    >
      <div data-tour="device-triage">
        <DeviceTriage deviceId={d.id} />
      </div>
      <NarrativeCard entity={deviceEntity(d.id)} />
      <div data-tour="device-inventory">
      <DeviceInventory
        deviceId={d.id}
        organisationId={d.organisationId}
        details={
          <div className="stack">
            <div className="grid-2">
              <Subsection title="Facts">
                <Facts device={d} />
              </Subsection>
              <div className="stack">
                <Subsection title="Tags">{canWrite ? <TagEditor device={d} /> : <TagList tags={d.tags} />}</Subsection>
                <Subsection title="Location">
                  <dl className="facts">
                    <div>
                      <dt>Organisation</dt>
                      <dd>
                        <OrganisationName id={d.organisationId} />
                      </dd>
                    </div>
                    <div>
                      <dt>Group</dt>
                      <dd>{d.groupId ? <GroupName id={d.groupId} /> : <span className="muted">No group</span>}</dd>
                    </div>
                  </dl>
                  {canWrite && <MoveForm device={d} />}
                </Subsection>
              </div>
            </div>
            {canEnrol && (
              <Subsection title="Agent credentials">
                <RevokeAgentCredentials deviceId={d.id} hostname={d.hostname || d.id} />
              </Subsection>
            )}
            {canWrite && <DeleteDevice device={d} />}
          </div>
        }
      />
      </div>
    </Page>
  );
}

function roleLabel(role: DeviceRole): string {
  switch (role) {
    case DeviceRole.SERVER:
      return "server";
    case DeviceRole.WORKSTATION:
      return "workstation";
    default:
      return "device";
  }
}

function Facts({ device: d }: { device: Device }) {
  const rows: [string, ReactNode][] = [
    ["Hostname", d.hostname],
    ["Platform", platformLabel(d.platform)],
    ["Role", roleLabel(d.role)],
    ["Operating system", [d.osName, d.osVersion].filter(Boolean).join(" ")],
    ["Manufacturer", d.manufacturer],
    ["Model", d.model],
    ["Serial number", d.serialNumber],
    ["IP addresses", d.ipAddresses.join(", ")],
    ["Agent version", d.agentVersion],
    ["Last seen", <RelativeTime key="seen" value={d.lastSeenTime} />],
    ["Enrolled", <RelativeTime key="enrolled" value={d.createTime} never="unknown" />],
  ];
  return (
    <dl className="facts">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value || <span className="muted">unknown</span>}</dd>
        </div>
      ))}
    </dl>
  );
}

function GroupName({ id }: { id: string }) {
  const group = useGroup(id);
  return <Link to={`/groups/${id}`}>{group.data?.group?.name ?? "Group"}</Link>;
}

function TagEditor({ device }: { device: Device }) {
  const tag = useTagDevices();
  const [newTag, setNewTag] = useState("");

  const add = (e: FormEvent) => {
    e.preventDefault();
    const t = newTag.trim();
    if (!t) return;
    tag.mutate({ ids: [device.id], addTags: [t] }, { onSuccess: () => setNewTag("") });
  };

  return (
    <div>
      {device.tags.length === 0 ? (
        <p className="muted">No tags yet.</p>
      ) : (
        <ul className="tags" aria-label="Tags">
          {device.tags.map((t) => (
            <li key={t} className="tag tag-removable">
              {t}
              <button
                type="button"
                className="tag-remove"
                aria-label={`Remove tag ${t}`}
                disabled={tag.isPending}
                onClick={() => tag.mutate({ ids: [device.id], removeTags: [t] })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form" onSubmit={add} aria-label="Add tag">
        <TextField label="New tag" maxLength={64} value={newTag} onChange={(e) => setNewTag(e.target.value)} />
        <button type="submit" className="btn" disabled={tag.isPending || !newTag.trim()}>
          Add tag
        </button>
      </form>
      <ErrorMessage error={tag.error} />
    </div>
  );
}

function MoveForm({ device }: { device: Device }) {
  const move = useMoveDevice();
  const organisations = useOrganisationOptions();
  const [organisationId, setOrganisationId] = useState(device.organisationId);
  const [groupId, setGroupId] = useState(device.groupId);
  const groups = useGroups(organisationId);
  const [moved, setMoved] = useState(false);
  const unchanged = organisationId === device.organisationId && groupId === device.groupId;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMoved(false);
    move.mutate({ id: device.id, organisationId, groupId }, { onSuccess: () => setMoved(true) });
  };

  return (
    <form className="form form-boxed" onSubmit={submit} aria-label="Move device">
      <h3>Move device</h3>
      <SelectField
        label="Destination organisation"
        value={organisationId}
        onChange={(e) => {
          setOrganisationId(e.target.value);
          setGroupId("");
          setMoved(false);
        }}
      >
        {organisations.data?.organisations.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
        {!organisations.data?.organisations.some((o) => o.id === organisationId) && (
          <option value={organisationId}>Current organisation</option>
        )}
      </SelectField>
      <SelectField
        label="Destination group"
        value={groupId}
        onChange={(e) => {
          setGroupId(e.target.value);
          setMoved(false);
        }}
      >
        <option value="">No group</option>
        {groups.data?.groups.map((g) => (
          <option key={g.id} value={g.id}>
            {g.name}
          </option>
        ))}
      </SelectField>
      <ErrorMessage error={move.error ?? organisations.error ?? groups.error} />
      {moved && <Notice>Device moved.</Notice>}
      <button type="submit" className="btn btn-primary" disabled={move.isPending || unchanged}>
        {move.isPending ? "Moving…" : "Move device"}
      </button>
    </form>
  );
}

function DeleteDevice({ device }: { device: Device }) {
  const del = useDeleteDevice();
  const navigate = useNavigate();
  return (
    <Subsection title="Danger zone">
      <ConfirmButton
        label="Delete device"
        confirmLabel="Delete permanently"
        question={
          <>
            Delete “{device.hostname}” and everything it reported? If the agent still runs, it will need to enrol
            again.
          </>
        }
        pending={del.isPending}
        onConfirm={() => del.mutate({ id: device.id }, { onSuccess: () => navigate("/devices", { replace: true }) })}
      />
      <ErrorMessage error={del.error} />
    </Subsection>
  );
}
