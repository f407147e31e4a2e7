import { useState } from "react";
import { TextField } from "../../components/Fields";
import { Empty, ErrorMessage, Loading } from "../../components/Feedback";
import { useDebounced } from "../../lib/useDebounced";
import { useDeviceSoftware } from "./hooks";
import { LoadMore } from "./parts";

/** SoftwareTab: the device's installed software, searched on the server. */
export function SoftwareTab({ deviceId }: { deviceId: string }) {
  const [search, setSearch] = useState("");
  const query = useDebounced(search.trim(), 250);
  const list = useDeviceSoftware(deviceId, query);
  const software = list.data?.pages.flatMap((p) => p.software) ?? [];

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
      {list.isPending && <Loading label="Loading software…" />}
      <ErrorMessage error={list.error} />
      {list.isSuccess && software.length === 0 && (
        <Empty>{query ? `No software matches “${query}”.` : "No installed software reported."}</Empty>
      )}
      {software.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Version</th>
                <th scope="col">Publisher</th>
                <th scope="col">Installed</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {software.map((s, i) => (
                <tr key={`${s.name}-${s.version}-${i}`}>
                  <td>{s.name}</td>
                  <td className="mono small">{s.version || <span className="muted">—</span>}</td>
                  <td>{s.publisher || <span className="muted">—</span>}</td>
                  <td>{s.installDate || <span className="muted">—</span>}</td>
                  <td className="muted">{s.source}</td>
                </tr>
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
