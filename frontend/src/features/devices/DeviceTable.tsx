import { createContext, useContext, useEffect, useState } from "react";
import { Link } from "react-router";
import { DataTable, type Columns } from "../../components/DataTable";
import { QueryState } from "../../components/Feedback";
import { DeviceOrder, type Device } from "../../gen/wegweiser/v1/device_pb";
import { RelativeTime } from "../../components/RelativeTime";
import { severityBadge } from "../health/labels";
import { ScoreBadge } from "../health/ScoreBadge";
import { useOrganisationOptions } from "../organisations/hooks";
import { platformLabel, useDevices, type DeviceFilter } from "./hooks";

/** DeviceSort is a server-side order of the device list: a column id and a direction. */
export interface DeviceSort {
  column: DeviceSortColumn;
  descending: boolean;
}

/** DeviceSortColumn is a column the server can order the device list by. */
export type DeviceSortColumn = "hostname" | "score" | "last_seen";

const orders: Record<DeviceSortColumn, DeviceOrder> = {
  hostname: DeviceOrder.HOSTNAME,
  score: DeviceOrder.SCORE,
  last_seen: DeviceOrder.LAST_SEEN,
};

/** isDeviceSortColumn says whether a string names a sortable column. */
export function isDeviceSortColumn(s: string): s is DeviceSortColumn {
  return s in orders;
}

/** deviceOrder is the ListDevices order of a sort column. */
export function deviceOrder(column: DeviceSortColumn): DeviceOrder {
  return orders[column];
}

const dash = <span className="muted">—</span>;

/** HealthCell shows a device's score and band from its health summary, and "stale" when its data is old. */
function HealthCell({ device: d }: { device: Device }) {
  const h = d.health;
  if (!h?.scored) {
    return (
      <span className="muted" title="Not analysed yet">
        —
      </span>
    );
  }
  return (
    <span className="score-cell">
      <ScoreBadge score={h.score} band={h.band} />
      {h.stale && <span className="badge badge-warn badge-inline">stale</span>}
    </span>
  );
}

/** TopReason is the finding that costs a device the most points, linked to the devices that share it. */
function TopReason({ device: d }: { device: Device }) {
  const h = d.health;
  if (!h?.topReason) return h?.stale && !h.scored ? <span className="muted">No analysis yet</span> : dash;
  const more = h.issueCount - 1;
  return (
    <span className="top-reason">
      <span className={`badge ${severityBadge(h.topReasonSeverity)}`}>{h.topReasonSeverity}</span>{" "}
      <span className="wrap-anywhere">{h.topReason}</span>
      {more > 0 && <span className="muted small"> · {more} more</span>}
    </span>
  );
}

const baseColumns: Columns<Device> = [
  {
    id: "hostname",
    header: "Hostname",
    accessorFn: (d) => d.hostname || d.id,
    cell: ({ row: { original: d } }) => (
      <>
        <Link className="wrap-anywhere" to={`/devices/${d.id}`}>
          {d.hostname || d.id}
        </Link>
        {d.retireTime && <span className="badge badge-muted badge-inline">Retired</span>}
      </>
    ),
    enableHiding: false,
  },
  {
    id: "score",
    header: "Score",
    accessorFn: (d) => d.health?.score ?? 0,
    cell: ({ row: { original: d } }) => <HealthCell device={d} />,
  },
  {
    id: "top_reason",
    header: "Top reason",
    enableSorting: false,
    cell: ({ row: { original: d } }) => <TopReason device={d} />,
  },
  {
    id: "platform",
    header: "Platform",
    enableSorting: false,
    cell: ({ row: { original: d } }) => (
      <span className={`platform platform-${platformLabel(d.platform).toLowerCase()}`}>{platformLabel(d.platform)}</span>
    ),
  },
  {
    id: "os",
    header: "Operating system",
    enableSorting: false,
    cell: ({ row: { original: d } }) => [d.osName, d.osVersion].filter(Boolean).join(" ") || dash,
  },
];

const organisationColumn: Columns<Device>[number] = {
  id: "organisation",
  header: "Organisation",
  enableSorting: false,
  cell: ({ row: { original: d } }) => <OrganisationName id={d.organisationId} />,
};

const tailColumns: Columns<Device> = [
  { id: "tags", header: "Tags", enableSorting: false, cell: ({ row: { original: d } }) => <TagList tags={d.tags} /> },
  {
    id: "last_seen",
    header: "Last seen",
    accessorFn: (d) => Number(d.lastSeenTime?.seconds ?? 0n),
    cell: ({ row: { original: d } }) => <RelativeTime value={d.lastSeenTime} />,
  },
];

/** Tags are rarely set; the column waits in the column chooser. */
const hiddenByDefault = ["tags"];

const withOrganisation = [...baseColumns, organisationColumn, ...tailColumns];
const withoutOrganisation = [...baseColumns, ...tailColumns];

/** DeviceSelection is the rows a caller keeps ticked (by device id) and how to change them. */
export interface DeviceSelection {
  selected: ReadonlySet<string>;
  onChange: (selected: Set<string>) => void;
}

/** Selecting passes the selection and the rows shown to the checkbox column's cells. */
const Selecting = createContext<{ selection: DeviceSelection; rows: Device[] } | null>(null);

/** SelectAll ticks or clears every row shown. */
function SelectAll() {
  const ctx = useContext(Selecting);
  if (!ctx) return null;
  const { selection, rows } = ctx;
  const all = rows.length > 0 && rows.every((d) => selection.selected.has(d.id));
  return (
    <input
      type="checkbox"
      aria-label="Select every device shown"
      checked={all}
      onChange={(e) => {
        const next = new Set(selection.selected);
        for (const d of rows) {
          if (e.target.checked) next.add(d.id);
          else next.delete(d.id);
        }
        selection.onChange(next);
      }}
    />
  );
}

/** SelectRow ticks one row. */
function SelectRow({ device: d }: { device: Device }) {
  const ctx = useContext(Selecting);
  if (!ctx) return null;
  const { selection } = ctx;
  return (
    <input
      type="checkbox"
      aria-label={`Select ${d.hostname || d.id}`}
      checked={selection.selected.has(d.id)}
      onChange={(e) => {
        const next = new Set(selection.selected);
        if (e.target.checked) next.add(d.id);
        else next.delete(d.id);
        selection.onChange(next);
      }}
    />
  );
}

/** selectColumn is the checkbox column of a table whose rows can be selected (its cells read Selecting). */
const selectColumn: Columns<Device>[number] = {
  id: "select",
  meta: { className: "col-select" },
  header: () => <SelectAll />,
  enableSorting: false,
  enableHiding: false,
  cell: ({ row: { original: d } }) => <SelectRow device={d} />,
};

const selectableWithOrganisation = [selectColumn, ...withOrganisation];
const selectableWithoutOrganisation = [selectColumn, ...withoutOrganisation];

/**
 * DeviceTable lists devices matching a filter with their score, band and top
 * reason (from each device's health summary: one request per page, never
 * one per row), "Load more" paging and column choice. The server sorts:
 * by the sort and onSort the caller keeps (the device browser keeps them in
 * the URL), or by the table's own state.
 */
export function DeviceTable({
  filter,
  showOrganisation = false,
  emptyText = "No devices.",
  sort: controlled,
  onSort,
  selection,
  onTotal,
}: {
  filter: DeviceFilter;
  showOrganisation?: boolean;
  emptyText?: string;
  sort?: DeviceSort;
  onSort?: (sort: DeviceSort) => void;
  /** Rows can be ticked (for bulk actions). */
  selection?: DeviceSelection;
  /** Told how many devices match the filter across all pages. */
  onTotal?: (total: number) => void;
}) {
  const [own, setOwn] = useState<DeviceSort>({ column: "score", descending: false });
  const sort = controlled ?? own;
  const setSort = onSort ?? setOwn;
  const list = useDevices({ ...filter, orderBy: deviceOrder(sort.column), descending: sort.descending });
  const sorting = [{ id: sort.column, desc: sort.descending }];
  const total = list.data?.pages[0]?.totalSize;
  useEffect(() => {
    if (total !== undefined) onTotal?.(total);
  }, [total, onTotal]);

  return (
    <div aria-busy={list.isFetching}>
      <QueryState query={list} loading="Loading devices…">
        {(data) => {
          const rows = data.pages.flatMap((p) => p.devices);
          const columns = showOrganisation ? withOrganisation : withoutOrganisation;
          return (
            <Selecting.Provider value={selection ? { selection, rows } : null}>
              <DataTable
                label="Devices"
                data={rows}
                columns={selection ? (showOrganisation ? selectableWithOrganisation : selectableWithoutOrganisation) : columns}
                getRowId={(d) => d.id}
                empty={emptyText}
                columnsKey="devices"
                defaultHidden={hiddenByDefault}
                manualSorting
                sorting={sorting}
                onSortingChange={(updater) => {
                  const next = typeof updater === "function" ? updater(sorting) : updater;
                  const first = next[0];
                  if (first && isDeviceSortColumn(first.id)) setSort({ column: first.id, descending: first.desc });
                }}
                paging={{
                  hasNextPage: list.hasNextPage,
                  fetching: list.isFetchingNextPage,
                  onLoad: () => void list.fetchNextPage(),
                }}
              />
            </Selecting.Provider>
          );
        }}
      </QueryState>
    </div>
  );
}

/** TagList shows tags as chips. */
export function TagList({ tags }: { tags: string[] }) {
  if (tags.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="tags" aria-label="Tags">
      {tags.map((t) => (
        <li key={t} className="tag">
          {t}
        </li>
      ))}
    </ul>
  );
}

/** OrganisationName links an organisation id to its page, by name when known. */
export function OrganisationName({ id }: { id: string }) {
  const options = useOrganisationOptions();
  if (!id) return <span className="muted">—</span>;
  const name = options.data?.organisations.find((o) => o.id === id)?.name;
  return <Link to={`/organisations/${id}`}>{name ?? "Organisation"}</Link>;
}
