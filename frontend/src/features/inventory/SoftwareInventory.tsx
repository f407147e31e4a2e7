import { useMemo, useState } from "react";
import { Link } from "react-router";
import { useSearchParams } from "react-router";
import { SelectField, TextField } from "../../components/Fields";
import { DataTable, type Columns } from "../../components/DataTable";
import { QueryState } from "../../components/Feedback";
import type { SoftwareVersion } from "../../gen/wegweiser/v1/inventory_pb";
import { Page, Section } from "../../components/Page";
import { formatCount } from "../../lib/format";
import { useDebounced } from "../../lib/useDebounced";
import { useOrganisationOptions } from "../organisations/hooks";
import { useSoftware } from "./hooks";

/** devicesRunning links to the device list filtered by one version of a program (within an organisation). */
export function devicesRunning(name: string, version: string, organisationId = ""): string {
  const q = new URLSearchParams({ software: name, version });
  if (organisationId) q.set("org", organisationId);
  q.set("sort", "score");
  return `/devices?${q.toString()}`;
}

const dash = <span className="muted">—</span>;

function columnsFor(organisationId: string): Columns<SoftwareVersion> {
  return [
    {
      id: "name",
      header: "Name",
      accessorFn: (s) => s.name,
      cell: ({ row: { original: s } }) => <span className="wrap-anywhere">{s.name}</span>,
      enableHiding: false,
    },
    {
      id: "version",
      header: "Version",
      accessorFn: (s) => s.version,
      meta: { className: "mono small" },
      cell: ({ row: { original: s } }) => s.version || dash,
    },
    { id: "publisher", header: "Publisher", accessorFn: (s) => s.publisher, cell: ({ row: { original: s } }) => s.publisher || dash },
    {
      id: "devices",
      header: "Devices",
      accessorFn: (s) => Number(s.deviceCount),
      meta: { className: "num" },
      enableHiding: false,
      cell: ({ row: { original: s } }) => (
        <Link
          to={devicesRunning(s.name, s.version, organisationId)}
          aria-label={`${formatCount(s.deviceCount)} ${Number(s.deviceCount) === 1 ? "device" : "devices"} running ${s.name} ${s.version}`.trim()}
        >
          {formatCount(s.deviceCount)} →
        </Link>
      ),
    },
  ];
}

const allColumns = columnsFor("");

/** SoftwareInventory lists software across devices by name and version (?organisationId= narrows it). */
export function SoftwareInventory() {
  const [params, setParams] = useSearchParams();
  const organisationId = params.get("organisationId") ?? "";
  const organisations = useOrganisationOptions();
  const [search, setSearch] = useState("");
  const query = useDebounced(search.trim(), 250);
  const list = useSoftware(organisationId, query);
  // The same columns on every render (cell renderers are components to the table).
  const columns = useMemo(() => (organisationId ? columnsFor(organisationId) : allColumns), [organisationId]);

  const setOrganisation = (id: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (id) next.set("organisationId", id);
        else next.delete("organisationId");
        return next;
      },
      { replace: true },
    );

  return (
    <Page title="Software" subtitle="Installed programs across your devices, by name and version.">
      <Section title="Software inventory">
        <div className="filters" role="search" aria-label="Software filters">
          <TextField
            label="Search software"
            type="search"
            placeholder="Name contains…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <SelectField label="Organisation" value={organisationId} onChange={(e) => setOrganisation(e.target.value)}>
            <option value="">All organisations</option>
            {organisations.data?.organisations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
            {organisationId && organisations.isSuccess && !organisations.data.organisations.some((o) => o.id === organisationId) && (
              <option value={organisationId}>Unknown organisation</option>
            )}
          </SelectField>
        </div>
        <div aria-busy={list.isFetching} className="stack">
          <QueryState query={list} loading="Loading software…">
            {(data) => (
              <DataTable
                label="Software inventory"
                data={data.pages.flatMap((p) => p.software)}
                columns={columns}
                getRowId={(s, i) => `${s.name}\u0000${s.version}\u0000${i}`}
                columnsKey="software"
                empty={
                  query
                    ? `No software matches “${query}”.`
                    : "No software reported yet. It appears once agents send their first inventory."
                }
                paging={{
                  hasNextPage: list.hasNextPage,
                  fetching: list.isFetchingNextPage,
                  onLoad: () => void list.fetchNextPage(),
                }}
              />
            )}
          </QueryState>
        </div>
      </Section>
    </Page>
  );
}
