import { useState } from "react";
import { SelectField, TextField } from "../../components/Fields";
import { DataTable, type Columns } from "../../components/DataTable";
import { QueryState } from "../../components/Feedback";
import { RelativeTime } from "../../components/RelativeTime";
import type { EventLogGroup } from "../../gen/wegweiser/agent/v1/snapshot_pb";
import { formatCount } from "../../lib/format";
import { useDebounced } from "../../lib/useDebounced";
import { useDeviceEventLogs, type EventLevel } from "./hooks";

const levels: { value: EventLevel; label: string }[] = [
  { value: "", label: "All levels" },
  { value: "critical", label: "Critical" },
  { value: "error", label: "Error" },
  { value: "warning", label: "Warning" },
];

const levelBadge: Record<string, string> = {
  critical: "badge-danger",
  error: "badge-danger",
  warning: "badge-warn",
};

const eventColumns: Columns<EventLogGroup> = [
  {
    id: "level",
    header: "Level",
    accessorFn: (g) => g.level,
    cell: ({ row: { original: g } }) => (
      <span className={`badge ${levelBadge[g.level] ?? "badge-muted"}`}>{g.level || "unknown"}</span>
    ),
  },
  {
    id: "source",
    header: "Source",
    accessorFn: (g) => g.source,
    cell: ({ row: { original: g } }) => (
      <>
        {g.source || <span className="muted">—</span>}
        <div className="muted small">
          {g.log}
          {g.eventId > 0n && ` · ID ${g.eventId}`}
          {g.sourceAddress && ` · from ${g.sourceAddress}`}
        </div>
      </>
    ),
  },
  {
    id: "count",
    header: "Count",
    accessorFn: (g) => Number(g.count),
    meta: { className: "num" },
    cell: ({ row: { original: g } }) => formatCount(g.count),
  },
  { id: "first", header: "First seen", cell: ({ row: { original: g } }) => <RelativeTime value={g.firstTime} never="—" /> },
  { id: "last", header: "Last seen", cell: ({ row: { original: g } }) => <RelativeTime value={g.lastTime} never="—" /> },
  {
    id: "message",
    header: "Sample message",
    // Endpoint text is untrusted: React renders it as text, never as HTML, and it is not linkified.
    cell: ({ row: { original: g } }) => <p className="log-message">{g.sampleMessage}</p>,
  },
];

/**
 * EventLogsTab: grouped warnings, errors and failed logons from the device's
 * logs over the last 7 days (what its snapshots reported, kept by the
 * server), filtered on the server.
 */
export function EventLogsTab({ deviceId }: { deviceId: string }) {
  const [level, setLevel] = useState<EventLevel>("");
  const [search, setSearch] = useState("");
  const query = useDebounced(search.trim(), 250);
  const list = useDeviceEventLogs(deviceId, level, query);

  return (
    <div className="stack" aria-busy={list.isFetching}>
      <div className="filters" role="search" aria-label="Event log filters">
        <SelectField
          label="Level"
          value={level}
          onChange={(e) => setLevel(levels.find((l) => l.value === e.target.value)?.value ?? "")}
        >
          {levels.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Search event logs"
          type="search"
          placeholder="Source or message contains…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      <QueryState query={list} loading="Loading event logs…">
        {(data) => (
          <DataTable
            label="Event logs"
            data={data.pages.flatMap((p) => p.eventLogs)}
            columns={eventColumns}
            getRowId={(g, i) => `${g.log}-${g.source}-${g.eventId}-${i}`}
            empty={level || query ? "No event-log entries match these filters." : "No warnings, errors or failed logons in the last 7 days."}
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
