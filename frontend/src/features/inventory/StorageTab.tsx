import { DataTable, type Columns } from "../../components/DataTable";
import { Empty } from "../../components/Feedback";
import type { PhysicalDisk, Snapshot, Volume } from "../../gen/wegweiser/agent/v1/snapshot_pb";
import { formatBytes, formatCount, formatPercent, percentOf } from "../../lib/format";
import { NotReported, Subsection } from "./parts";

/** Free space below these shares of a volume is a warning, then a danger. */
const FREE_DANGER = 10;
const FREE_WARN = 20;

/** freeSpaceLevel rates a volume's free space: red under 10 %, amber under 20 %. */
function freeSpaceLevel(freePercent: number): "danger" | "warn" | "ok" {
  if (freePercent < FREE_DANGER) return "danger";
  if (freePercent < FREE_WARN) return "warn";
  return "ok";
}

/** StorageTab: volumes with free space, physical disks with health. */
export function StorageTab({ snapshot: s }: { snapshot: Snapshot }) {
  const storage = s.storage;
  if (!storage) return <NotReported what="storage details" collector="storage" errors={s.errors} />;
  return (
    <div className="stack">
      <Subsection title="Volumes">
        {storage.volumes.length === 0 ? <Empty>No volumes reported.</Empty> : <VolumeTable volumes={storage.volumes} />}
      </Subsection>
      <Subsection title="Physical disks">
        {storage.disks.length === 0 ? <Empty>No physical disks reported.</Empty> : <DiskTable disks={storage.disks} />}
      </Subsection>
    </div>
  );
}

const volumeColumns: Columns<Volume> = [
  {
    id: "volume",
    header: "Volume",
    accessorFn: (v) => v.mountPoint,
    cell: ({ row: { original: v } }) => (
      <>
        <span className="mono">{v.mountPoint || "—"}</span>
        {v.label && <span className="muted"> {v.label}</span>}
        {(v.system || v.encrypted) && (
          <div className="row-tags">
            {v.system && <span className="badge badge-muted">System</span>}
            {v.encrypted && <span className="badge badge-muted">Encrypted</span>}
          </div>
        )}
      </>
    ),
  },
  {
    id: "fs",
    header: "File system",
    accessorFn: (v) => v.fileSystem,
    cell: ({ row: { original: v } }) => v.fileSystem || <span className="muted">—</span>,
  },
  {
    id: "size",
    header: "Size",
    accessorFn: (v) => Number(v.sizeBytes),
    meta: { className: "num" },
    cell: ({ row: { original: v } }) => formatBytes(v.sizeBytes),
  },
  {
    id: "free",
    header: "Free",
    accessorFn: (v) => percentOf(v.freeBytes, v.sizeBytes) ?? 101,
    meta: { className: "num" },
    cell: ({ row: { original: v } }) => {
      const free = percentOf(v.freeBytes, v.sizeBytes);
      const level = free === undefined ? undefined : freeSpaceLevel(free);
      return (
        <span className={level && level !== "ok" ? `text-${level}` : undefined}>
          {formatBytes(v.freeBytes)}
          {free !== undefined && <span className="block muted small">{formatPercent(free)}</span>}
        </span>
      );
    },
  },
  {
    id: "used",
    header: "Used",
    cell: ({ row: { original: v } }) => {
      const free = percentOf(v.freeBytes, v.sizeBytes);
      const level = free === undefined ? undefined : freeSpaceLevel(free);
      if (free === undefined || !level) return null;
      return (
        <div
          className={`meter meter-${level}`}
          role="meter"
          aria-label={`Used space on ${v.mountPoint || v.label || "volume"}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(100 - free)}
          aria-valuetext={`${formatPercent(free)} free`}
        >
          <span className="meter-fill" style={{ width: `${Math.max(0, Math.min(100, 100 - free))}%` }} />
        </div>
      );
    },
  },
];

function VolumeTable({ volumes }: { volumes: Volume[] }) {
  return <DataTable label="Volumes" data={volumes} columns={volumeColumns} getRowId={(v, i) => `${v.mountPoint}-${i}`} />;
}

const healthBadge: Record<string, string> = {
  healthy: "badge-ok",
  warning: "badge-warn",
  failing: "badge-danger",
};

const dash = <span className="muted">—</span>;

const diskColumns: Columns<PhysicalDisk> = [
  {
    id: "disk",
    header: "Disk",
    accessorFn: (d) => d.name,
    cell: ({ row: { original: d } }) => (
      <>
        <span className="mono">{d.name}</span>
        {d.model && <div className="muted small">{d.model}</div>}
        {d.serialNumber && <div className="muted small">S/N {d.serialNumber}</div>}
      </>
    ),
  },
  {
    id: "type",
    header: "Type",
    accessorFn: (d) => d.mediaType,
    cell: ({ row: { original: d } }) => (d.mediaType && d.mediaType !== "unknown" ? d.mediaType.toUpperCase() : dash),
  },
  {
    id: "size",
    header: "Size",
    accessorFn: (d) => Number(d.sizeBytes),
    meta: { className: "num" },
    cell: ({ row: { original: d } }) => (d.sizeBytes > 0n ? formatBytes(d.sizeBytes) : "—"),
  },
  {
    id: "health",
    header: "Health",
    accessorFn: (d) => d.health,
    cell: ({ row: { original: d } }) => (
      <span className={`badge ${healthBadge[d.health] ?? "badge-muted"}`}>{d.health || "unknown"}</span>
    ),
  },
  {
    id: "smart",
    header: "SMART",
    accessorFn: (d) => d.smartFailurePredicted,
    cell: ({ row: { original: d } }) =>
      d.smartFailurePredicted ? (
        <span className="badge badge-danger">Failure predicted</span>
      ) : (
        <span className="muted">No failure predicted</span>
      ),
  },
  {
    id: "sectors",
    header: "Reallocated / pending",
    accessorFn: (d) => Number(d.reallocatedSectors + d.pendingSectors),
    meta: { className: "num" },
    cell: ({ row: { original: d } }) => (
      <span className={d.reallocatedSectors > 0n || d.pendingSectors > 0n ? "text-warn" : undefined}>
        {formatCount(d.reallocatedSectors)} / {formatCount(d.pendingSectors)}
      </span>
    ),
  },
  {
    id: "hours",
    header: "Power-on",
    accessorFn: (d) => Number(d.powerOnHours),
    meta: { className: "num" },
    cell: ({ row: { original: d } }) => (d.powerOnHours > 0n ? `${formatCount(d.powerOnHours)} h` : "—"),
  },
  {
    id: "temp",
    header: "Temp.",
    accessorFn: (d) => d.temperatureCelsius,
    meta: { className: "num" },
    cell: ({ row: { original: d } }) => (d.temperatureCelsius > 0 ? `${d.temperatureCelsius} °C` : "—"),
  },
  {
    id: "wear",
    header: "Wear",
    accessorFn: (d) => d.wearPercent,
    meta: { className: "num" },
    cell: ({ row: { original: d } }) => (
      <span className={d.wearPercent >= 80 ? "text-warn" : undefined}>{d.wearPercent > 0 ? `${d.wearPercent} %` : "—"}</span>
    ),
  },
];

function DiskTable({ disks }: { disks: PhysicalDisk[] }) {
  return <DataTable label="Physical disks" data={disks} columns={diskColumns} getRowId={(d, i) => `${d.name}-${i}`} />;
}
