import { FactList } from "../../components/FactList";
import type { Battery, Snapshot } from "../../gen/wegweiser/agent/v1/snapshot_pb";
import { formatBytes, formatPercent, percentOf } from "../../lib/format";
import { NotReported, Subsection } from "./parts";

/** HardwareTab: machine, firmware, CPU, memory, graphics and battery. */
export function HardwareTab({ snapshot: s }: { snapshot: Snapshot }) {
  const hw = s.hardware;
  if (!hw) return <NotReported what="hardware details" collector="hardware" errors={s.errors} />;
  const cpuCounts = [
    hw.cpuCores > 0 && `${hw.cpuCores} ${hw.cpuCores === 1 ? "core" : "cores"}`,
    hw.cpuThreads > 0 && `${hw.cpuThreads} threads`,
  ].filter(Boolean);
  const bios = [hw.biosVendor, hw.biosVersion].filter(Boolean).join(" ");

  return (
    <div className="grid-2">
      <Subsection title="Machine">
        <FactList
          facts={[
            ["Manufacturer", hw.manufacturer],
            ["Model", hw.model],
            ["Serial number", hw.serialNumber],
            ["Virtual machine", hw.virtual ? "Yes" : "No"],
            ["BIOS", bios && (hw.biosDate ? `${bios} (${hw.biosDate})` : bios)],
            ["CPU", hw.cpuModel && (cpuCounts.length > 0 ? `${hw.cpuModel} · ${cpuCounts.join(", ")}` : hw.cpuModel)],
            ["Memory", hw.memoryBytes > 0n ? formatBytes(hw.memoryBytes) : ""],
            [
              "Graphics",
              hw.gpus.length > 0 ? (
                <ul className="plain-list">
                  {hw.gpus.map((g, i) => (
                    <li key={i}>
                      {g.name}
                      {g.driverVersion && <span className="muted small"> · driver {g.driverVersion}</span>}
                    </li>
                  ))}
                </ul>
              ) : (
                ""
              ),
            ],
          ]}
        />
      </Subsection>
      {hw.battery && (
        <Subsection title="Battery">
          <BatteryFacts battery={hw.battery} />
        </Subsection>
      )}
    </div>
  );
}

function BatteryFacts({ battery: b }: { battery: Battery }) {
  const health = percentOf(b.fullChargeCapacityMwh, b.designCapacityMwh);
  const level = health === undefined ? "" : health < 50 ? "badge-danger" : health < 80 ? "badge-warn" : "badge-ok";
  return (
    <FactList
      facts={[
        [
          "Health",
          health === undefined ? (
            ""
          ) : (
            <>
              <span className={`badge ${level}`}>{formatPercent(health)}</span> of design capacity
            </>
          ),
        ],
        ["Condition", b.condition],
        ["Charge cycles", b.cycleCount > 0 ? String(b.cycleCount) : ""],
        ["Charge", formatPercent(b.chargePercent)],
      ]}
    />
  );
}
