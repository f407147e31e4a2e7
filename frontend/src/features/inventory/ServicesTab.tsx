import { useState } from "react";
import { SelectField } from "../../components/Fields";
import { Empty } from "../../components/Feedback";
import { DataTable, type Columns } from "../../components/DataTable";
import type { Service, Snapshot } from "../../gen/wegweiser/agent/v1/snapshot_pb";

const stateBadge: Record<string, string> = {
  running: "badge-ok",
  stopped: "badge-muted",
  failed: "badge-danger",
};

const serviceColumns: Columns<Service> = [
  {
    id: "name",
    header: "Service",
    accessorFn: (x) => `${x.displayName || x.name} ${x.name}`,
    cell: ({ row: { original: x } }) => (
      <>
        {x.displayName || x.name}
        {x.displayName && x.displayName !== x.name && <div className="muted small mono">{x.name}</div>}
      </>
    ),
  },
  {
    id: "state",
    header: "State",
    accessorFn: (x) => x.state,
    cell: ({ row: { original: x } }) => (
      <span className={`badge ${stateBadge[x.state] ?? "badge-warn"}`}>{x.state || "unknown"}</span>
    ),
  },
  {
    id: "start",
    header: "Start mode",
    accessorFn: (x) => x.startMode,
    cell: ({ row: { original: x } }) => x.startMode || <span className="muted">—</span>,
  },
];

/** ServicesTab: the device's system services, filtered by state. */
export function ServicesTab({ snapshot: s }: { snapshot: Snapshot }) {
  const [state, setState] = useState("");
  const states = [...new Set(s.services.map((x) => x.state).filter(Boolean))].sort();
  const services = s.services
    .filter((x) => !state || x.state === state)
    .sort((a, b) => (a.displayName || a.name).localeCompare(b.displayName || b.name));

  if (s.services.length === 0) return <Empty>The last snapshot has no services.</Empty>;
  return (
    <div className="stack">
      <div className="toolbar row-end">
        <SelectField label="State" value={state} onChange={(e) => setState(e.target.value)}>
          <option value="">All states</option>
          {states.map((st) => (
            <option key={st} value={st}>
              {st}
            </option>
          ))}
        </SelectField>
        <p className="muted small" aria-live="polite">
          {services.length} of {s.services.length} services
        </p>
      </div>
      <DataTable
        label="Services"
        data={services}
        columns={serviceColumns}
        getRowId={(x, i) => `${x.name}-${i}`}
        filterLabel="Filter services"
      />
    </div>
  );
}
