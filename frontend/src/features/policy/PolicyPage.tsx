import { useState } from "react";
import { Link } from "react-router";
import { SelectField, TextField } from "../../components/Fields";
import { Empty, ErrorMessage, Loading, Notice } from "../../components/Feedback";
import { Page, Section } from "../../components/Page";
import { PolicyLevel } from "../../gen/wegweiser/v1/policy_pb";
import { useDebounced } from "../../lib/useDebounced";
import { useDevice, useDevices } from "../devices/hooks";
import { useGroupOptions } from "../groups/hooks";
import { useChecks } from "../health/hooks";
import { useOrganisationOptions } from "../organisations/hooks";
import { features } from "../../lib/features";
import { Guidance } from "./Guidance";
import { usePolicies } from "./hooks";
import { complete, LEVELS, levelLabel, type Scope } from "./labels";
import { OverrideForm } from "./OverrideForm";
import { OverrideTable } from "./OverrideTable";
import { PolicyAudit } from "./PolicyAudit";
import { useScopeNames } from "./ScopeName";

/**
 * PolicyPage tunes the checks at one level (tenant, organisation, group or
 * device): its overrides, a form to add one, its AI guidance, and the audit
 * log of all levels. Write controls only with policy.manage.
 */
export function PolicyPage({
  scope,
  canManage,
  onScopeChange,
}: {
  scope: Scope;
  canManage: boolean;
  onScopeChange: (scope: Scope) => void;
}) {
  return (
    <Page
      title="Policy"
      subtitle="Switch checks off, change their thresholds or severity, or suppress findings for a tenant, organisation, group or device. The nearest level wins; every change is audited and re-analyses the devices it affects."
    >
      <Section title="Level">
        <ScopePicker scope={scope} onChange={onScopeChange} />
        {complete(scope) && <ScopeSummary scope={scope} />}
      </Section>
      {complete(scope) ? (
        <ScopePolicy key={`${scope.level}:${scope.id}`} scope={scope} canManage={canManage} />
      ) : (
        <Empty>Choose {article(scope.level)} {levelLabel(scope.level).toLowerCase()} above to see its policy.</Empty>
      )}
      <PolicyAudit />
    </Page>
  );
}

function article(level: PolicyLevel): string {
  return level === PolicyLevel.ORGANISATION ? "an" : "a";
}

/** queuedText says how many devices a change sent to re-analysis. */
function queuedText(n: number): string {
  if (n === 0) return "Policy changed. No devices at this level to re-analyse.";
  return `Policy changed: ${n} ${n === 1 ? "device" : "devices"} queued for re-analysis; their scores update in a moment.`;
}

function ScopePolicy({ scope, canManage }: { scope: Scope; canManage: boolean }) {
  const policies = usePolicies(scope);
  const checks = useChecks();
  const [queued, setQueued] = useState<number | null>(null);
  // A new key empties the add form after each override.
  const [added, setAdded] = useState(0);
  const overrides = policies.data?.overrides ?? [];
  const catalogue = checks.data?.checks ?? [];

  return (
    <>
      {queued !== null && <Notice>{queuedText(queued)}</Notice>}
      <Section title="Overrides">
        {policies.isPending && <Loading label="Loading the policy…" />}
        <ErrorMessage error={policies.error ?? checks.error} />
        {policies.isSuccess && overrides.length === 0 && (
          <Empty>No overrides at this level: wider levels and the checks' defaults apply.</Empty>
        )}
        {overrides.length > 0 && (
          <OverrideTable
            scope={scope}
            overrides={overrides}
            checks={catalogue}
            canManage={canManage}
            onChanged={setQueued}
          />
        )}
      </Section>
      {canManage && (
        <Section title="Add override">
          {checks.isPending && <Loading label="Loading checks…" />}
          {checks.isSuccess && (
            <OverrideForm
              key={added}
              scope={scope}
              checks={catalogue}
              label="Add override"
              onSaved={(n) => {
                setQueued(n);
                setAdded((k) => k + 1);
              }}
            />
          )}
        </Section>
      )}
      {features.aiNarrative && (
        <Section title="Guidance for the AI narrative">
          {policies.isSuccess && <Guidance scope={scope} text={policies.data.guidance} canManage={canManage} />}
        </Section>
      )}
    </>
  );
}

/** ScopeSummary names the chosen level and links to its entity. */
function ScopeSummary({ scope }: { scope: Scope }) {
  const names = useScopeNames();
  const page =
    scope.level === PolicyLevel.ORGANISATION
      ? `/organisations/${scope.id}`
      : scope.level === PolicyLevel.GROUP
        ? `/groups/${scope.id}`
        : scope.level === PolicyLevel.DEVICE
          ? `/devices/${scope.id}`
          : "";
  return (
    <p className="muted small">
      {scope.level === PolicyLevel.TENANT
        ? "Tenant-wide policy applies to every device unless a nearer level sets the same check."
        : scope.level === PolicyLevel.DEVICE
          ? <>Policy of <DeviceName id={scope.id} />; it wins over every wider level.</>
          : <>Policy of {names(scope)}; it applies to its devices unless a nearer level sets the same check.</>}{" "}
      {page && <Link to={page}>Open the {levelLabel(scope.level).toLowerCase()}</Link>}
    </p>
  );
}

function DeviceName({ id }: { id: string }) {
  const device = useDevice(id);
  return <>device {device.data?.device?.hostname ?? id}</>;
}

/** ScopePicker chooses the level and its organisation, group or device. */
function ScopePicker({ scope, onChange }: { scope: Scope; onChange: (scope: Scope) => void }) {
  return (
    <div className="filters" role="group" aria-label="Policy level">
      <SelectField
        label="Level"
        value={String(scope.level)}
        onChange={(e) => onChange({ level: Number(e.target.value) as PolicyLevel, id: "" })}
      >
        {LEVELS.map((l) => (
          <option key={l.level} value={String(l.level)}>
            {l.label}
          </option>
        ))}
      </SelectField>
      {scope.level === PolicyLevel.ORGANISATION && <OrganisationPicker id={scope.id} onChange={(id) => onChange({ ...scope, id })} />}
      {scope.level === PolicyLevel.GROUP && <GroupPicker id={scope.id} onChange={(id) => onChange({ ...scope, id })} />}
      {scope.level === PolicyLevel.DEVICE && <DevicePicker id={scope.id} onChange={(id) => onChange({ ...scope, id })} />}
    </div>
  );
}

function OrganisationPicker({ id, onChange }: { id: string; onChange: (id: string) => void }) {
  const organisations = useOrganisationOptions();
  const list = organisations.data?.organisations ?? [];
  return (
    <SelectField label="Organisation" value={id} onChange={(e) => onChange(e.target.value)}>
      <option value="">Choose an organisation…</option>
      {list.map((o) => (
        <option key={o.id} value={o.id}>
          {o.name}
        </option>
      ))}
      {id && organisations.isSuccess && !list.some((o) => o.id === id) && <option value={id}>Unknown organisation</option>}
    </SelectField>
  );
}

function GroupPicker({ id, onChange }: { id: string; onChange: (id: string) => void }) {
  const groups = useGroupOptions();
  const organisations = useOrganisationOptions();
  const list = groups.data?.groups ?? [];
  const orgName = (orgId: string) => organisations.data?.organisations.find((o) => o.id === orgId)?.name ?? "Other";
  const byOrg = [...new Set(list.map((g) => g.organisationId))]
    .map((orgId) => ({ orgId, name: orgName(orgId), groups: list.filter((g) => g.organisationId === orgId) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return (
    <SelectField label="Group" value={id} onChange={(e) => onChange(e.target.value)}>
      <option value="">Choose a group…</option>
      {byOrg.map((o) => (
        <optgroup key={o.orgId} label={o.name}>
          {o.groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </optgroup>
      ))}
      {id && groups.isSuccess && !list.some((g) => g.id === id) && <option value={id}>Unknown group</option>}
    </SelectField>
  );
}

function DevicePicker({ id, onChange }: { id: string; onChange: (id: string) => void }) {
  const [query, setQuery] = useState("");
  const devices = useDevices({ query: useDebounced(query.trim()) });
  const list = devices.data?.pages[0]?.devices ?? [];
  return (
    <>
      <TextField
        label="Find device"
        type="search"
        placeholder="Hostname contains…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <SelectField label="Device" value={id} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose a device…</option>
        {id && !list.some((d) => d.id === id) && <CurrentDevice id={id} />}
        {list.map((d) => (
          <option key={d.id} value={d.id}>
            {d.hostname || d.id}
          </option>
        ))}
      </SelectField>
      <ErrorMessage error={devices.error} />
    </>
  );
}

/** CurrentDevice keeps the chosen device selectable while the search shows others. */
function CurrentDevice({ id }: { id: string }) {
  const device = useDevice(id);
  return <option value={id}>{device.data?.device?.hostname ?? id}</option>;
}
