import { Link } from "react-router";
import { Empty, ErrorMessage, Loading } from "../../components/Feedback";
import { RelativeTime } from "../../components/RelativeTime";
import { DeviceScoreCell, useScoreLookup } from "../health/DeviceScores";
import { useOrganisationOptions } from "../organisations/hooks";
import { platformLabel, useDevices, type DeviceFilter } from "./hooks";

/** DeviceTable lists devices matching a filter, with "Load more" paging. */
export function DeviceTable({
  filter,
  showOrganisation = false,
  emptyText = "No devices.",
}: {
  filter: DeviceFilter;
  showOrganisation?: boolean;
  emptyText?: string;
}) {
  const list = useDevices(filter);
  const devices = list.data?.pages.flatMap((p) => p.devices) ?? [];
  const scores = useScoreLookup(filter);

  return (
    <div aria-busy={list.isFetching}>
      {list.isPending && <Loading label="Loading devices…" />}
      <ErrorMessage error={list.error} />
      {list.isSuccess && devices.length === 0 && <Empty>{emptyText}</Empty>}
      {devices.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Hostname</th>
                {scores && <th scope="col">Score</th>}
                <th scope="col">Platform</th>
                <th scope="col">Operating system</th>
                {showOrganisation && <th scope="col">Organisation</th>}
                <th scope="col">Tags</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Link to={`/devices/${d.id}`}>{d.hostname || d.id}</Link>
                  </td>
                  {scores && (
                    <td>
                      <DeviceScoreCell id={d.id} lookup={scores} />
                    </td>
                  )}
                  <td>
                    <span className={`platform platform-${platformLabel(d.platform).toLowerCase()}`}>
                      {platformLabel(d.platform)}
                    </span>
                  </td>
                  <td>{[d.osName, d.osVersion].filter(Boolean).join(" ") || <span className="muted">—</span>}</td>
                  {showOrganisation && (
                    <td>
                      <OrganisationName id={d.organisationId} />
                    </td>
                  )}
                  <td>
                    <TagList tags={d.tags} />
                  </td>
                  <td>
                    <RelativeTime value={d.lastSeenTime} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage && (
        <div className="load-more">
          <button
            type="button"
            className="btn"
            onClick={() => void list.fetchNextPage()}
            disabled={list.isFetchingNextPage}
          >
            {list.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
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
