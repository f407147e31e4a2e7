import { Empty } from "../../components/Feedback";
import { FactList } from "../../components/FactList";
import type { NetworkInterface, Snapshot } from "../../gen/wegweiser/agent/v1/snapshot_pb";
import { formatBytes, formatCount, formatSpeed } from "../../lib/format";
import { NotReported, Subsection } from "./parts";

/** NetworkTab: interfaces with addresses and errors; gateways and DNS servers. */
export function NetworkTab({ snapshot: s }: { snapshot: Snapshot }) {
  const net = s.network;
  if (!net) return <NotReported what="network details" collector="network" errors={s.errors} />;
  return (
    <div className="stack">
      <Subsection title="Interfaces">
        {net.interfaces.length === 0 ? (
          <Empty>No network interfaces reported.</Empty>
        ) : (
          <InterfaceTable interfaces={net.interfaces} />
        )}
      </Subsection>
      <Subsection title="Routing and name resolution">
        <FactList
          unknown="none reported"
          facts={[
            ["Default gateways", net.defaultGateways.length > 0 ? <AddressList items={net.defaultGateways} /> : ""],
            ["DNS servers", net.dnsServers.length > 0 ? <AddressList items={net.dnsServers} /> : ""],
          ]}
        />
      </Subsection>
    </div>
  );
}

function InterfaceTable({ interfaces }: { interfaces: NetworkInterface[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Interface</th>
            <th scope="col">Link</th>
            <th scope="col">Addresses</th>
            <th scope="col" className="num">MTU</th>
            <th scope="col" className="num">Speed</th>
            <th scope="col" className="num">Errors (rx / tx)</th>
            <th scope="col" className="num">Traffic (rx / tx)</th>
          </tr>
        </thead>
        <tbody>
          {interfaces.map((n, i) => {
            const errors = n.rxErrors + n.txErrors;
            return (
              <tr key={`${n.name}-${i}`}>
                <td>
                  {n.name}
                  {n.wireless && <span className="badge badge-muted badge-inline">Wireless</span>}
                  {n.macAddress && <div className="muted small mono">{n.macAddress}</div>}
                </td>
                <td>
                  <span className={`badge ${n.up ? "badge-ok" : "badge-muted"}`}>{n.up ? "Up" : "Down"}</span>
                </td>
                <td>{n.addresses.length > 0 ? <AddressList items={n.addresses} /> : <span className="muted">—</span>}</td>
                <td className="num">{n.mtu > 0 ? n.mtu : "—"}</td>
                <td className="num">{formatSpeed(n.speedMbps)}</td>
                <td className={`num${errors > 0n ? " text-warn" : ""}`}>
                  {formatCount(n.rxErrors)} / {formatCount(n.txErrors)}
                </td>
                <td className="num">
                  {formatBytes(n.rxBytes)} / {formatBytes(n.txBytes)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function AddressList({ items }: { items: string[] }) {
  return (
    <ul className="plain-list mono small">
      {items.map((a, i) => (
        <li key={`${a}-${i}`}>{a}</li>
      ))}
    </ul>
  );
}
