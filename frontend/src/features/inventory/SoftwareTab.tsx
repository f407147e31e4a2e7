import { useState } from "react";
import { TextField } from "../../components/Fields";
import { DataTable, type Columns } from "../../components/DataTable";
import { QueryState } from "../../components/Feedback";
import type { InstalledSoftware as Software } from "../../gen/wegweiser/agent/v1/snapshot_pb";
import { useDebounced } from "../../lib/useDebounced";
import { useDeviceSoftware } from "./hooks";

const dash = <span className="muted">—</span>;

const softwareColumns: Columns<Software> = [
  { id: "name", header: "Name", accessorFn: (s) => s.name, cell: ({ row: { original: s } }) => <span className="wrap-anywhere">{s.name}</span> },
  {
    id: "version",
    header: "Version",
    accessorFn: (s) => s.version,
    meta: { className: "mono small" },
    cell: ({ row: { original: s } }) => s.version || dash,
  },
  { id: "publisher", header: "Publisher", accessorFn: (s) => s.publisher, cell: ({ row: { original: s } }) => s.publisher || dash },
  { id: "installed", header: "Installed", accessorFn: (s) => s.installDate, cell: ({ row: { original: s } }) => s.installDate || dash },
  { id: "source", header: "Source", accessorFn: (s) => s.source, meta: { className: "muted" } },
];

/** SoftwareTab: the device's installed software, searched on the server. */
export function SoftwareTab({ deviceId }: { deviceId: string }) {
  const [search, setSearch] = useState("");
  const query = useDebounced(search.trim(), 250);
  const list = useDeviceSoftware(deviceId, query);

  return (
    <div className="stack" aria-busy={list.isFetching}>
      <div className="toolbar">
        <TextField
          label="Search software"
          type="search"
          placeholder="Name or publisher contains…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      <QueryState query={list} loading="Loading software…">
        {(data) => (
          <DataTable
            label="Installed software"
            data={data.pages.flatMap((p) => p.software)}
            columns={softwareColumns}
            getRowId={(s, i) => `${s.name}-${s.version}-${i}`}
            empty={query ? `No software matches “${query}”.` : "No installed software reported."}
            paging={{
              hasNextPage: list.hasNextPage,
              fetching: list.isFetchingNextPage,
              onLoad: () => void list.fetchNextPage(),
            }}
          />
        )}
      </QueryState>
    </div>
  );
}
