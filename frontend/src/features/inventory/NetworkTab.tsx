import { DataTable, type Columns } from "../../components/DataTable";
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

const interfaceColumns: Columns<NetworkInterface> = [
  {
    id: "name",
    header: "Interface",
    accessorFn: (n) => n.name,
    cell: ({ row: { original: n } }) => (
      <>
        {n.name}
        {n.wireless && <span className="badge badge-muted badge-inline">Wireless</span>}
        {n.macAddress && <div className="muted small mono">{n.macAddress}</div>}
      </>
    ),
  },
  {
    id: "link",
    header: "Link",
    accessorFn: (n) => n.up,
    cell: ({ row: { original: n } }) => (
      <span className={`badge ${n.up ? "badge-ok" : "badge-muted"}`}>{n.up ? "Up" : "Down"}</span>
    ),
  },
  {
    id: "addresses",
    header: "Addresses",
    cell: ({ row: { original: n } }) =>
      n.addresses.length > 0 ? <AddressList items={n.addresses} /> : <span className="muted">—</span>,
  },
  { id: "mtu", header: "MTU", meta: { className: "num" }, cell: ({ row: { original: n } }) => (n.mtu > 0 ? n.mtu : "—") },
  {
    id: "speed",
    header: "Speed",
    accessorFn: (n) => n.speedMbps,
    meta: { className: "num" },
    cell: ({ row: { original: n } }) => formatSpeed(n.speedMbps),
  },
  {
    id: "errors",
    header: "Errors (rx / tx)",
    accessorFn: (n) => Number(n.rxErrors + n.txErrors),
    meta: { className: "num" },
    cell: ({ row: { original: n } }) => (
      <span className={n.rxErrors + n.txErrors > 0n ? "text-warn" : undefined}>
        {formatCount(n.rxErrors)} / {formatCount(n.txErrors)}
      </span>
    ),
  },
  {
    id: "traffic",
    header: "Traffic (rx / tx)",
    meta: { className: "num" },
    cell: ({ row: { original: n } }) => (
      <>
        {formatBytes(n.rxBytes)} / {formatBytes(n.txBytes)}
      </>
    ),
  },
];

function InterfaceTable({ interfaces }: { interfaces: NetworkInterface[] }) {
  return <DataTable label="Network interfaces" data={interfaces} columns={interfaceColumns} getRowId={(n, i) => `${n.name}-${i}`} />;
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
