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

function VolumeTable({ volumes }: { volumes: Volume[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Volume</th>
            <th scope="col">File system</th>
            <th scope="col" className="num">Size</th>
            <th scope="col" className="num">Free</th>
            <th scope="col">Used</th>
          </tr>
        </thead>
        <tbody>
          {volumes.map((v, i) => {
            const free = percentOf(v.freeBytes, v.sizeBytes);
            const level = free === undefined ? undefined : freeSpaceLevel(free);
            return (
              <tr key={`${v.mountPoint}-${i}`}>
                <td>
                  <span className="mono">{v.mountPoint || "—"}</span>
                  {v.label && <span className="muted"> {v.label}</span>}
                  {(v.system || v.encrypted) && (
                    <div className="row-tags">
                      {v.system && <span className="badge badge-muted">System</span>}
                      {v.encrypted && <span className="badge badge-muted">Encrypted</span>}
                    </div>
                  )}
                </td>
                <td>{v.fileSystem || <span className="muted">—</span>}</td>
                <td className="num">{formatBytes(v.sizeBytes)}</td>
                <td className={`num${level && level !== "ok" ? ` text-${level}` : ""}`}>
                  {formatBytes(v.freeBytes)}
                  {free !== undefined && <div className="muted small">{formatPercent(free)}</div>}
                </td>
                <td>
                  {free !== undefined && level && (
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
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const healthBadge: Record<string, string> = {
  healthy: "badge-ok",
  warning: "badge-warn",
  failing: "badge-danger",
};

function DiskTable({ disks }: { disks: PhysicalDisk[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Disk</th>
            <th scope="col">Type</th>
            <th scope="col" className="num">Size</th>
            <th scope="col">Health</th>
            <th scope="col">SMART</th>
            <th scope="col" className="num">Reallocated / pending</th>
            <th scope="col" className="num">Power-on</th>
            <th scope="col" className="num">Temp.</th>
            <th scope="col" className="num">Wear</th>
          </tr>
        </thead>
        <tbody>
          {disks.map((d, i) => (
            <tr key={`${d.name}-${i}`}>
              <td>
                <span className="mono">{d.name}</span>
                {d.model && <div className="muted small">{d.model}</div>}
                {d.serialNumber && <div className="muted small">S/N {d.serialNumber}</div>}
              </td>
              <td>{d.mediaType && d.mediaType !== "unknown" ? d.mediaType.toUpperCase() : <span className="muted">—</span>}</td>
              <td className="num">{d.sizeBytes > 0n ? formatBytes(d.sizeBytes) : "—"}</td>
              <td>
                <span className={`badge ${healthBadge[d.health] ?? "badge-muted"}`}>{d.health || "unknown"}</span>
              </td>
              <td>
                {d.smartFailurePredicted ? (
                  <span className="badge badge-danger">Failure predicted</span>
                ) : (
                  <span className="muted">No failure predicted</span>
                )}
              </td>
              <td className={`num${d.reallocatedSectors > 0n || d.pendingSectors > 0n ? " text-warn" : ""}`}>
                {formatCount(d.reallocatedSectors)} / {formatCount(d.pendingSectors)}
              </td>
              <td className="num">{d.powerOnHours > 0n ? `${formatCount(d.powerOnHours)} h` : "—"}</td>
              <td className="num">{d.temperatureCelsius > 0 ? `${d.temperatureCelsius} °C` : "—"}</td>
              <td className={`num${d.wearPercent >= 80 ? " text-warn" : ""}`}>
                {d.wearPercent > 0 ? `${d.wearPercent} %` : "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
