import { useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import { SelectField, TextField } from "../../components/Fields";
import { Page, Section } from "../../components/Page";
import { DeviceOrder, Platform } from "../../gen/wegweiser/v1/device_pb";
import { useDebounced } from "../../lib/useDebounced";
import { useOrganisationOptions } from "../organisations/hooks";
import { DeviceTable } from "./DeviceTable";
import type { DeviceFilter } from "./hooks";

const platforms: Record<string, Platform> = {
  windows: Platform.WINDOWS,
  macos: Platform.MACOS,
  linux: Platform.LINUX,
};

/** DeviceBrowser is the device list with filters kept in the URL (?org=&platform=&tag=&q=&sort=&dir=). */
export function DeviceBrowser() {
  const [params, setParams] = useSearchParams();
  const organisations = useOrganisationOptions();

  const org = params.get("org") ?? "";
  const platform = params.get("platform") ?? "";
  const sort = params.get("sort") === "last_seen" ? "last_seen" : "hostname";
  const dir = params.get("dir") === "desc" ? "desc" : "asc";

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
    platform: platforms[platform] ?? Platform.UNSPECIFIED,
    tag: params.get("tag") ?? "",
    query: params.get("q") ?? "",
    orderBy: sort === "last_seen" ? DeviceOrder.LAST_SEEN : DeviceOrder.HOSTNAME,
    descending: dir === "desc",
  };
  const filtered = Boolean(org || platform || filter.tag || filter.query);

  return (
    <Page title="Devices" subtitle="Every endpoint that runs the Wegweiser agent.">
      <Section title="Filters">
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
          <SelectField
            label="Sort by"
            value={sort}
            onChange={(e) => update({ sort: e.target.value === "last_seen" ? "last_seen" : "" })}
          >
            <option value="hostname">Hostname</option>
            <option value="last_seen">Last seen</option>
          </SelectField>
          <SelectField label="Order" value={dir} onChange={(e) => update({ dir: e.target.value === "desc" ? "desc" : "" })}>
            <option value="asc">{sort === "last_seen" ? "Oldest first" : "A to Z"}</option>
            <option value="desc">{sort === "last_seen" ? "Newest first" : "Z to A"}</option>
          </SelectField>
        </div>
        {filtered && (
          <button
            type="button"
            className="btn btn-small btn-ghost-dark"
            onClick={() => {
              setQ("");
              setTag("");
              update({ org: "", platform: "", tag: "", q: "" });
            }}
          >
            Clear filters
          </button>
        )}
      </Section>
      <Section title="Results">
        <DeviceTable
          filter={filter}
          showOrganisation
          sort={{ column: sort, descending: dir === "desc" }}
          sortable={["hostname", "last_seen"]}
          onSort={(s) => update({ sort: s.column === "hostname" ? "" : s.column, dir: s.descending ? "desc" : "" })}
          emptyText={filtered ? "No device matches these filters." : "No devices yet. Enrol one with the agent."}
        />
      </Section>
    </Page>
  );
}
