import { createContext, use, useMemo } from "react";
import { Link } from "react-router";
import { DataTable, type Columns } from "../../components/DataTable";
import { QueryState } from "../../components/Feedback";
import type { Device } from "../../gen/wegweiser/v1/device_pb";
import { RelativeTime } from "../../components/RelativeTime";
import { DeviceScoreCell, useScoreLookup, type ScoreLookup } from "../health/DeviceScores";
import { useOrganisationOptions } from "../organisations/hooks";
import { platformLabel, useDevices, type DeviceFilter } from "./hooks";

/** DeviceSort is a server-side order of the device list: a column id and a direction. */
export interface DeviceSort {
  column: string;
  descending: boolean;
}

/**
 * DeviceTable lists devices matching a filter, with "Load more" paging and
 * column choice. With onSort, the headers of the columns the server can order
 * by (sortable) sort the list.
 */
export function DeviceTable({
  filter,
  showOrganisation = false,
  emptyText = "No devices.",
  sort,
  onSort,
  sortable = [],
}: {
  filter: DeviceFilter;
  showOrganisation?: boolean;
  emptyText?: string;
  sort?: DeviceSort;
  onSort?: (sort: DeviceSort) => void;
  sortable?: string[];
}) {
  const list = useDevices(filter);
  const scores = useScoreLookup(filter);
  const hasScores = scores !== null;
  const canSort = Boolean(onSort);
  const sortableKey = sortable.join(",");
  // Cell renderers are components to the table: the columns stay the same objects while the scores load
  // (they read the lookup from context), or every row would be mounted anew.
  const columns = useMemo(() => {
    const cols: Columns<Device> = [
      {
        id: "hostname",
        header: "Hostname",
        accessorFn: (d) => d.hostname || d.id,
        cell: ({ row: { original: d } }) => (
          <Link className="wrap-anywhere" to={`/devices/${d.id}`}>
            {d.hostname || d.id}
          </Link>
        ),
        enableHiding: false,
      },
    ];
    if (hasScores) {
      cols.push({
        id: "score",
        header: "Score",
        cell: ({ row: { original: d } }) => <ScoreCell id={d.id} />,
      });
    }
    cols.push(
      {
        id: "platform",
        header: "Platform",
        cell: ({ row: { original: d } }) => (
          <span className={`platform platform-${platformLabel(d.platform).toLowerCase()}`}>{platformLabel(d.platform)}</span>
        ),
      },
      {
        id: "os",
        header: "Operating system",
        cell: ({ row: { original: d } }) =>
          [d.osName, d.osVersion].filter(Boolean).join(" ") || <span className="muted">—</span>,
      },
    );
    if (showOrganisation) {
      cols.push({
        id: "organisation",
        header: "Organisation",
        cell: ({ row: { original: d } }) => <OrganisationName id={d.organisationId} />,
      });
    }
    cols.push(
      { id: "tags", header: "Tags", cell: ({ row: { original: d } }) => <TagList tags={d.tags} /> },
      {
        id: "last_seen",
        header: "Last seen",
        cell: ({ row: { original: d } }) => <RelativeTime value={d.lastSeenTime} />,
      },
    );
    const sortableIds = sortableKey.split(",");
    return cols.map((c) => ({ ...c, enableSorting: canSort && sortableIds.includes(c.id ?? "") }));
  }, [hasScores, showOrganisation, canSort, sortableKey]);

  return (
    <div aria-busy={list.isFetching}>
      <ScoreContext value={scores}>
      <QueryState query={list} loading="Loading devices…">
        {(data) => (
          <DataTable
            label="Devices"
            data={data.pages.flatMap((p) => p.devices)}
            columns={columns}
            getRowId={(d) => d.id}
            empty={emptyText}
            columnsKey="devices"
            manualSorting
            sorting={sort ? [{ id: sort.column, desc: sort.descending }] : []}
            onSortingChange={(updater) => {
              const current = sort ? [{ id: sort.column, desc: sort.descending }] : [];
              const next = typeof updater === "function" ? updater(current) : updater;
              const first = next[0];
              if (first && onSort) onSort({ column: first.id, descending: first.desc });
            }}
            paging={{
              hasNextPage: list.hasNextPage,
              fetching: list.isFetchingNextPage,
              onLoad: () => void list.fetchNextPage(),
            }}
          />
        )}
      </QueryState>
      </ScoreContext>
    </div>
  );
}

const ScoreContext = createContext<ScoreLookup | null>(null);

function ScoreCell({ id }: { id: string }) {
  const lookup = use(ScoreContext);
  return lookup ? <DeviceScoreCell id={id} lookup={lookup} /> : null;
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
