import { TourButton } from "../onboarding/Tour";
import { useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import { SelectField, TextField } from "../../components/Fields";
import { Page, Section } from "../../components/Page";
import { Platform } from "../../gen/wegweiser/v1/device_pb";
import { Band } from "../../gen/wegweiser/v1/health_pb";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { useGroup } from "../groups/hooks";
import { useChecks } from "../health/hooks";
import { useDebounced } from "../../lib/useDebounced";
import { useOrganisationOptions } from "../organisations/hooks";
import { BulkActions, BulkProgress } from "./BulkActions";
import { DeviceTable, isDeviceSortColumn, type DeviceSortColumn } from "./DeviceTable";
import type { DeviceFilter } from "./hooks";

const platforms: Record<string, Platform> = {
  windows: Platform.WINDOWS,
  macos: Platform.MACOS,
  linux: Platform.LINUX,
};

const bands: Record<string, Band> = {
  healthy: Band.HEALTHY,
  fair: Band.FAIR,
  poor: Band.POOR,
  critical: Band.CRITICAL,
  none: Band.UNSPECIFIED,
};

/**
 * DeviceBrowser is the device list with filters kept in the URL
 * (?org=&group=&platform=&tag=&q=&band=&stale=1&attention=1&retired=1&check=&software=&version=&sort=&dir=).
 * Members who may change devices tick rows (or every device matching the filter) for bulk actions.
 * The by-check view links here with ?check=, the software list with ?software=&version=.
 */
export function DeviceBrowser() {
  const [params, setParams] = useSearchParams();
  const organisations = useOrganisationOptions();

  const org = params.get("org") ?? "";
  const platform = params.get("platform") ?? "";
  const requestedSort = params.get("sort") ?? "";
  const sort: DeviceSortColumn = isDeviceSortColumn(requestedSort) ? requestedSort : "hostname";
  const band = params.get("band") ?? "";
  const stale = params.get("stale") === "1";
  const attention = params.get("attention") === "1";
  const check = params.get("check") ?? "";
  const group = params.get("group") ?? "";
  const software = params.get("software") ?? "";
  const version = params.get("version") ?? "";
  const dir = params.get("dir") === "desc" ? "desc" : "asc";
  const retired = params.get("retired") === "1";
  const canWrite = useCan(Permission.DeviceWrite);

  // Text filters update the URL once typing pauses.
  const [q, setQ] = useState(params.get("q") ?? "");
  const [tag, setTag] = useState(params.get("tag") ?? "");
  const debouncedQ = useDebounced(q.trim(), 300);
  const debouncedTag = useDebounced(tag.trim(), 300);

  const update = (changes: Record<string, string>) => {
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(changes)) {
          if (v) next.set(k, v);
          else next.delete(k);
        }
        return next;
      },
      { replace: true },
    );
  };

  useEffect(() => {
    if ((params.get("q") ?? "") !== debouncedQ || (params.get("tag") ?? "") !== debouncedTag) {
      update({ q: debouncedQ, tag: debouncedTag });
    }
    // Only typing (the debounced text) writes the URL: a change of the URL alone (back, a link) must
    // not write the older text back, so params and update are left out on purpose.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debouncedQ, debouncedTag]);

  const filter: DeviceFilter = {
    organisationId: org,
    groupId: group,
    platform: platforms[platform] ?? Platform.UNSPECIFIED,
    tag: params.get("tag") ?? "",
    query: params.get("q") ?? "",
    bands: band in bands ? [bands[band] ?? Band.UNSPECIFIED] : [],
    staleOnly: stale,
    needsAttention: attention,
    failingCheckId: check,
    software: software ? { name: software, version } : undefined,
    includeRetired: retired,
  };
  // A selection belongs to one filter: changing the filter clears it.
  const filterKey = JSON.stringify(filter);
  const [selection, setSelection] = useState<{ key: string; ids: Set<string>; all: boolean }>({
    key: filterKey,
    ids: new Set(),
    all: false,
  });
  const current = selection.key === filterKey ? selection : { key: filterKey, ids: new Set<string>(), all: false };
  const [total, setTotal] = useState(0);
  const [operation, setOperation] = useState("");
  const filtered = Boolean(org || platform || filter.tag || filter.query || band || stale || attention || check || software || group || retired);

  return (
    <Page title="Devices" subtitle="Every endpoint that runs the Wegweiser agent." actions={<TourButton tourId="devices" />}>
      <Section title="Filters" tour="device-filters">
        <div className="filters" role="search" aria-label="Device filters">
          <TextField
            label="Search hostname"
            type="search"
            placeholder="Hostname contains…"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
          <SelectField label="Organisation" value={org} onChange={(e) => update({ org: e.target.value })}>
            <option value="">All organisations</option>
            {organisations.data?.organisations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </SelectField>
          <SelectField label="Platform" value={platform} onChange={(e) => update({ platform: e.target.value })}>
            <option value="">All platforms</option>
            <option value="windows">Windows</option>
            <option value="macos">macOS</option>
            <option value="linux">Linux</option>
          </SelectField>
          <TextField label="Tag" placeholder="e.g. finance" value={tag} onChange={(e) => setTag(e.target.value)} />
          <SelectField label="Band" value={band} onChange={(e) => update({ band: e.target.value })}>
            <option value="">All bands</option>
            <option value="critical">Critical</option>
            <option value="poor">Poor</option>
            <option value="fair">Fair</option>
            <option value="healthy">Healthy</option>
            <option value="none">No score</option>
          </SelectField>
          <SelectField
            label="Sort by"
            value={sort}
            onChange={(e) => update({ sort: e.target.value === "hostname" ? "" : e.target.value })}
          >
            <option value="hostname">Hostname</option>
            <option value="score">Score</option>
            <option value="last_seen">Last seen</option>
          </SelectField>
          <SelectField label="Order" value={dir} onChange={(e) => update({ dir: e.target.value === "desc" ? "desc" : "" })}>
            <option value="asc">{sort === "last_seen" ? "Oldest first" : sort === "score" ? "Worst first" : "A to Z"}</option>
            <option value="desc">{sort === "last_seen" ? "Newest first" : sort === "score" ? "Best first" : "Z to A"}</option>
          </SelectField>
          <div className="filters-checks">
            <label className="checkbox">
              <input type="checkbox" checked={attention} onChange={(e) => update({ attention: e.target.checked ? "1" : "" })} />
              Needs attention
            </label>
            <label className="checkbox">
              <input type="checkbox" checked={stale} onChange={(e) => update({ stale: e.target.checked ? "1" : "" })} />
              Stale data only
            </label>
            <label className="checkbox">
              <input type="checkbox" checked={retired} onChange={(e) => update({ retired: e.target.checked ? "1" : "" })} />
              Show retired
            </label>
          </div>
        </div>
        {(check || software || group) && (
          <ul className="tags active-filters" aria-label="Active filters">
            {check && (
              <li className="tag tag-removable">
                Failing check: <CheckName id={check} />
                <button type="button" className="tag-remove" aria-label="Remove the check filter" onClick={() => update({ check: "" })}>
                  ×
                </button>
              </li>
            )}
            {group && (
              <li className="tag tag-removable">
                In group <GroupName id={group} />
                <button type="button" className="tag-remove" aria-label="Remove the group filter" onClick={() => update({ group: "" })}>
                  ×
                </button>
              </li>
            )}
            {software && (
              <li className="tag tag-removable">
                Runs {software}
                {version ? ` ${version}` : " (no version)"}
                <button
                  type="button"
                  className="tag-remove"
                  aria-label="Remove the software filter"
                  onClick={() => update({ software: "", version: "" })}
                >
                  ×
                </button>
              </li>
            )}
          </ul>
        )}
        {filtered && (
          <button
            type="button"
            className="btn btn-small btn-ghost-dark"
            onClick={() => {
              setQ("");
              setTag("");
              update({ org: "", platform: "", tag: "", q: "", band: "", stale: "", attention: "", check: "", software: "", version: "", group: "", retired: "" });
            }}
          >
            Clear filters
          </button>
        )}
      </Section>
      <Section title="Results" tour="device-results">
        {operation && <BulkProgress id={operation} onClose={() => setOperation("")} />}
        {canWrite && (
          <BulkActions
            filter={filter}
            selected={current.ids}
            allMatching={current.all}
            total={total}
            onSelectAll={() => setSelection({ key: filterKey, ids: current.ids, all: true })}
            onClear={() => setSelection({ key: filterKey, ids: new Set(), all: false })}
            onStarted={(op) => {
              setSelection({ key: filterKey, ids: new Set(), all: false });
              setOperation(op.id);
            }}
          />
        )}
        <DeviceTable
          selection={
            canWrite ? { selected: current.ids, onChange: (ids) => setSelection({ key: filterKey, ids, all: false }) } : undefined
          }
          onTotal={setTotal}
          filter={filter}
          showOrganisation
          sort={{ column: sort, descending: dir === "desc" }}
          onSort={(s) => update({ sort: s.column === "hostname" ? "" : s.column, dir: s.descending ? "desc" : "" })}
          emptyText={filtered ? "No device matches these filters." : "No devices yet. Enrol one with the agent."}
        />
      </Section>
    </Page>
  );
}

/** CheckName names a check by its catalogue title, falling back to its id. */
function CheckName({ id }: { id: string }) {
  const title = useChecks().data?.checks.find((c) => c.id === id)?.title;
  return <strong>{title ?? id}</strong>;
}

/** GroupName names a group of the group filter. */
function GroupName({ id }: { id: string }) {
  const name = useGroup(id).data?.group?.name;
  return <strong>{name ?? "this group"}</strong>;
}
