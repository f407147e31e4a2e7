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
import { DeviceTable, OrganisationName } from "../devices/DeviceTable";
import { HealthPanel } from "../health/HealthPanel";
import { groupEntity } from "../health/labels";
import { ByCheck } from "../health/ByCheck";
import { policyHref } from "../policy/labels";
import { useDeleteGroup, useGroup, useUpdateGroup } from "./hooks";

/** GroupDetail shows one group and its devices. */
export function GroupDetail({ id }: { id: string }) {
  const group = useGroup(id);
  const canWrite = useCan(Permission.GroupWrite);
  const canReadPolicy = useCan(Permission.PolicyRead);
  const update = useUpdateGroup();
  const del = useDeleteGroup();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);

  if (group.isPending) return <Loading />;
  if (group.isError || !group.data.group) {
    return (
      <Page title="Group" breadcrumb={<Link to="/organisations">Organisations</Link>}>
        <ErrorMessage error={group.error ?? new Error("group not found")} />
      </Page>
    );
  }
  const g = group.data.group;

  return (
    <Page
      title={g.name}
      subtitle={g.description || undefined}
      breadcrumb={
        <>
          <Link to="/organisations">Organisations</Link>
          <span aria-hidden="true"> / </span>
          <OrganisationName id={g.organisationId} />
          <span aria-hidden="true"> / </span>
        </>
      }
      actions={
        <>
          <AskButton entity={groupEntity(g.id)} name={g.name} />
          {canReadPolicy && (
            <Link className="btn" to={policyHref({ level: PolicyLevel.GROUP, id: g.id })}>
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
              Edit group
            </button>
          )}
        </>
      }
    >
      {editing && (
        <Section title="Edit group">
          <DetailsForm
            label="Edit group"
            nameLabel="Group name"
            initialName={g.name}
            initialDescription={g.description}
            pending={update.isPending}
            error={update.error}
            onCancel={() => setEditing(false)}
            onSave={(name, description) =>
              update.mutate({ id: g.id, name, description }, { onSuccess: () => setEditing(false) })
            }
          />
        </Section>
      )}

      <HealthPanel entity={groupEntity(g.id)} what="Group" recompute />
      <NarrativeCard entity={groupEntity(g.id)} />
      <ByCheck entity={groupEntity(g.id)} />

      <Section title="Devices">
        <DeviceTable filter={{ groupId: g.id }} emptyText="No devices in this group yet." />
      </Section>

      {canWrite && (
        <Section title="Danger zone">
          <ConfirmButton
            label="Delete group"
            confirmLabel="Delete permanently"
            question={<>Delete “{g.name}”? Its {g.deviceCount} devices stay in the organisation without a group.</>}
            pending={del.isPending}
            onConfirm={() =>
              del.mutate(
                { id: g.id },
                { onSuccess: () => navigate(`/organisations/${g.organisationId}`, { replace: true }) },
              )
            }
          />
          <ErrorMessage error={del.error} />
        </Section>
      )}
    </Page>
  );
}
