import { useState } from "react";
import { SelectField, TextField } from "../../components/Fields";
import { Empty, ErrorMessage, Loading } from "../../components/Feedback";
import { RelativeTime } from "../../components/RelativeTime";
import type { EventLogGroup } from "../../gen/wegweiser/agent/v1/snapshot_pb";
import { formatCount } from "../../lib/format";
import { useDebounced } from "../../lib/useDebounced";
import { useDeviceEventLogs, type EventLevel } from "./hooks";
import { LoadMore } from "./parts";

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
  const groups = list.data?.pages.flatMap((p) => p.eventLogs) ?? [];

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
      {list.isPending && <Loading label="Loading event logs…" />}
      <ErrorMessage error={list.error} />
      {list.isSuccess && groups.length === 0 && (
        <Empty>{level || query ? "No event-log entries match these filters." : "No warnings, errors or failed logons in the last 7 days."}</Empty>
      )}
      {groups.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Level</th>
                <th scope="col">Source</th>
                <th scope="col" className="num">Count</th>
                <th scope="col">First seen</th>
                <th scope="col">Last seen</th>
                <th scope="col">Sample message</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g, i) => (
                <EventRow key={`${g.log}-${g.source}-${g.eventId}-${i}`} group={g} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore
        hasNextPage={list.hasNextPage}
        fetching={list.isFetchingNextPage}
        onLoad={() => void list.fetchNextPage()}
      />
    </div>
  );
}

function EventRow({ group: g }: { group: EventLogGroup }) {
  return (
    <tr>
      <td>
        <span className={`badge ${levelBadge[g.level] ?? "badge-muted"}`}>{g.level || "unknown"}</span>
      </td>
      <td>
        {g.source || <span className="muted">—</span>}
        <div className="muted small">
          {g.log}
          {g.eventId > 0n && ` · ID ${g.eventId}`}
          {g.sourceAddress && ` · from ${g.sourceAddress}`}
        </div>
      </td>
      <td className="num">{formatCount(g.count)}</td>
      <td>
        <RelativeTime value={g.firstTime} never="—" />
      </td>
      <td>
        <RelativeTime value={g.lastTime} never="—" />
      </td>
      <td>
        {/* Endpoint text is untrusted: React renders it as text, never as HTML, and it is not linkified. */}
        <p className="log-message">{g.sampleMessage}</p>
      </td>
    </tr>
  );
}
