import { Empty } from "../../components/Feedback";
import type { CollectorError } from "../../gen/wegweiser/agent/v1/snapshot_pb";

/** NotReported says a snapshot section is missing, with its collector's error when there is one. */
export function NotReported({
  what,
  collector,
  errors,
}: {
  what: string;
  collector: string;
  errors: CollectorError[];
}) {
  const failed = errors.filter((e) => e.collector === collector);
  return (
    <Empty>
      The last snapshot has no {what}.
      {failed.map((e, i) => (
        <span key={i} className="block small">
          Collector “{e.collector}” failed: {e.message}
        </span>
      ))}
    </Empty>
  );
}

/** Flag shows a yes/no state as a badge; good says which answer is healthy. */
export function Flag({
  value,
  yes = "Yes",
  no = "No",
  good = true,
}: {
  value: boolean;
  yes?: string;
  no?: string;
  good?: boolean;
}) {
  return <span className={`badge ${value === good ? "badge-ok" : "badge-warn"}`}>{value ? yes : no}</span>;
}

/** LoadMore fetches the next page of an infinite query. */
export function LoadMore({
  hasNextPage,
  fetching,
  onLoad,
}: {
  hasNextPage: boolean;
  fetching: boolean;
  onLoad: () => void;
}) {
  if (!hasNextPage) return null;
  return (
    <div className="load-more">
      <button type="button" className="btn" onClick={onLoad} disabled={fetching}>
        {fetching ? "Loading…" : "Load more"}
      </button>
    </div>
  );
}

export { Subsection } from "../../components/Page";
