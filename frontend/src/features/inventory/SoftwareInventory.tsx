import { useState } from "react";
import { useSearchParams } from "react-router";
import { SelectField, TextField } from "../../components/Fields";
import { Empty, ErrorMessage, Loading } from "../../components/Feedback";
import { Page, Section } from "../../components/Page";
import { formatCount } from "../../lib/format";
import { useDebounced } from "../../lib/useDebounced";
import { useOrganisationOptions } from "../organisations/hooks";
import { useSoftware } from "./hooks";
import { LoadMore } from "./parts";

/** SoftwareInventory lists software across devices by name and version (?organisationId= narrows it). */
export function SoftwareInventory() {
  const [params, setParams] = useSearchParams();
  const organisationId = params.get("organisationId") ?? "";
  const organisations = useOrganisationOptions();
  const [search, setSearch] = useState("");
  const query = useDebounced(search.trim(), 250);
  const list = useSoftware(organisationId, query);
  const software = list.data?.pages.flatMap((p) => p.software) ?? [];

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
          {list.isPending && <Loading label="Loading software…" />}
          <ErrorMessage error={list.error} />
          {list.isSuccess && software.length === 0 && (
            <Empty>
              {query
                ? `No software matches “${query}”.`
                : "No software reported yet. It appears once agents send their first inventory."}
            </Empty>
          )}
          {software.length > 0 && (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Version</th>
                    <th scope="col">Publisher</th>
                    <th scope="col" className="num">Devices</th>
                  </tr>
                </thead>
                <tbody>
                  {software.map((s, i) => (
                    <tr key={`${s.name}-${s.version}-${i}`}>
                      <td>{s.name}</td>
                      <td className="mono small">{s.version || <span className="muted">—</span>}</td>
                      <td>{s.publisher || <span className="muted">—</span>}</td>
                      <td className="num">{formatCount(s.deviceCount)}</td>
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
      </Section>
    </Page>
  );
}
