import { useState } from "react";
import { SelectField } from "../../components/Fields";
import { Empty } from "../../components/Feedback";
import type { Snapshot } from "../../gen/wegweiser/agent/v1/snapshot_pb";

const stateBadge: Record<string, string> = {
  running: "badge-ok",
  stopped: "badge-muted",
  failed: "badge-danger",
};

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
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">State</th>
              <th scope="col">Start mode</th>
            </tr>
          </thead>
          <tbody>
            {services.map((x, i) => (
              <tr key={`${x.name}-${i}`}>
                <td>
                  {x.displayName || x.name}
                  {x.displayName && x.displayName !== x.name && <div className="muted small mono">{x.name}</div>}
                </td>
                <td>
                  <span className={`badge ${stateBadge[x.state] ?? "badge-warn"}`}>{x.state || "unknown"}</span>
                </td>
                <td>{x.startMode || <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
