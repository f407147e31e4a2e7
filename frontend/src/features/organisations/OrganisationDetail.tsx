import { TourButton } from "../onboarding/Tour";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { ConfirmButton } from "../../components/ConfirmButton";
import { DetailsForm } from "../../components/DetailsForm";
import { ErrorMessage, Loading } from "../../components/Feedback";
import { Page, Section } from "../../components/Page";
import { PolicyLevel } from "../../gen/wegweiser/v1/policy_pb";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { AskButton } from "../ai/AskButton";
import { NarrativeCard } from "../ai/NarrativeCard";
import { DeviceTable } from "../devices/DeviceTable";
import { GroupList } from "../groups/GroupList";
import { HealthPanel } from "../health/HealthPanel";
import { organisationEntity } from "../health/labels";
import { ByCheck } from "../health/ByCheck";
import { policyHref } from "../policy/labels";
import { useDeleteOrganisation, useOrganisation, useUpdateOrganisation } from "./hooks";

/** OrganisationDetail shows one organisation with its groups and devices. */
export function OrganisationDetail({ id }: { id: string }) {
  const org = useOrganisation(id);
  const canWrite = useCan(Permission.OrganisationWrite);
  const canEnrol = useCan(Permission.EnrolmentManage);
  const canReadPolicy = useCan(Permission.PolicyRead);
  const canReport = useCan(Permission.ReportRead);
  const [editing, setEditing] = useState(false);
  const update = useUpdateOrganisation();

  const breadcrumb = (
    <>
      <Link to="/organisations">Organisations</Link>
      <span aria-hidden="true"> / </span>
    </>
  );

  if (org.isPending) return <Loading />;
  if (org.isError || !org.data.organisation) {
    return (
      <Page title="Organisation" breadcrumb={breadcrumb}>
        <ErrorMessage error={org.error ?? new Error("organisation not found")} />
      </Page>
    );
  }
  const o = org.data.organisation;

  return (
    <Page
      title={o.name}
      subtitle={o.description || undefined}
      breadcrumb={breadcrumb}
      actions={
        <>
          <TourButton tourId="organisation" />
          <AskButton entity={organisationEntity(o.id)} name={o.name} />
          {canReport && (
            <Link className="btn" to={`/organisations/${encodeURIComponent(o.id)}/report`}>
              Report
            </Link>
          )}
          <Link className="btn" to={`/organisations/${encodeURIComponent(o.id)}/discovery`}>
            Discovery report
          </Link>
          {canEnrol && (
            <Link className="btn btn-primary" to={`/enrolment?organisationId=${encodeURIComponent(o.id)}`}>
              Enrol devices
            </Link>
          )}
          <Link className="btn" to={`/software?organisationId=${encodeURIComponent(o.id)}`}>
            Software inventory
          </Link>
          {canReadPolicy && (
            <Link className="btn" to={policyHref({ level: PolicyLevel.ORGANISATION, id: o.id })}>
              Policy
            </Link>
          )}
          {canWrite && !editing && (
            <button
              type="button"
              className="btn"
              onClick={() => {
                update.reset();
                setEditing(true);
              }}
            >
              Edit organisation
            </button>
          )}
        </>
      }
    >
      {editing && (
        <Section title="Edit organisation">
          <DetailsForm
            label="Edit organisation"
            nameLabel="Organisation name"
            initialName={o.name}
            initialDescription={o.description}
            pending={update.isPending}
            error={update.error}
            onCancel={() => setEditing(false)}
            onSave={(name, description) =>
              update.mutate({ id: o.id, name, description }, { onSuccess: () => setEditing(false) })
            }
          />
        </Section>
      )}

      <dl className="facts facts-inline">
        <div>
          <dt>Groups</dt>
          <dd>{o.groupCount}</dd>
        </div>
        <div>
          <dt>Devices</dt>
          <dd>{o.deviceCount}</dd>
        </div>
      </dl>

      <div data-tour="organisation-health">
        <HealthPanel entity={organisationEntity(o.id)} what="Organisation" recompute />
      </div>
      <NarrativeCard entity={organisationEntity(o.id)} />
      <ByCheck entity={organisationEntity(o.id)} />

      <GroupList organisationId={o.id} />

      <Section
        title="Devices"
        tour="organisation-devices"
        actions={
          <Link className="btn btn-small" to={`/devices?org=${encodeURIComponent(o.id)}`}>
            Filter in device list
          </Link>
        }
      >
        <DeviceTable filter={{ organisationId: o.id }} emptyText="No devices in this organisation yet." />
      </Section>

      {canWrite && <DeleteOrganisation id={o.id} name={o.name} groups={o.groupCount} devices={o.deviceCount} />}
    </Page>
  );
}

function DeleteOrganisation({ id, name, groups, devices }: { id: string; name: string; groups: number; devices: number }) {
  const del = useDeleteOrganisation();
  const navigate = useNavigate();
  const [force, setForce] = useState(false);
  const needsForce = groups + devices > 0;
  return (
    <Section title="Danger zone">
      <ConfirmButton
        label="Delete organisation"
        confirmLabel="Delete permanently"
        question={<>Delete “{name}”? This cannot be undone.</>}
        pending={del.isPending}
        disabled={needsForce && !force}
        onConfirm={() =>
          del.mutate({ id, force: needsForce && force }, { onSuccess: () => navigate("/organisations", { replace: true }) })
        }
      >
        {needsForce && (
          <label className="checkbox">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} />
            Also delete its {groups} {groups === 1 ? "group" : "groups"} and {devices}{" "}
            {devices === 1 ? "device" : "devices"}
          </label>
        )}
      </ConfirmButton>
      <ErrorMessage error={del.error} />
    </Section>
  );
}
