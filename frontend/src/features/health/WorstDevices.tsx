import { Link } from "react-router";
import { Empty } from "../../components/Feedback";
import type { DeviceScore } from "../../gen/wegweiser/v1/health_pb";
import { OrganisationName } from "../devices/DeviceTable";
import { ScoreBadge } from "./ScoreBadge";

/** WorstDevices lists the lowest-scoring devices with links to them. */
export function WorstDevices({ devices, showOrganisation = false }: { devices: DeviceScore[]; showOrganisation?: boolean }) {
  if (devices.length === 0) return <Empty>No scored devices yet.</Empty>;
  return (
    <div className="table-wrap">
      <table className="table table-compact">
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col" className="num">Score</th>
            {showOrganisation && <th scope="col">Organisation</th>}
          </tr>
        </thead>
        <tbody>
          {devices.map((d) => (
            <tr key={d.deviceId}>
              <td>
                <Link to={`/devices/${d.deviceId}`}>{d.hostname || d.deviceId}</Link>
                {d.server && <span className="badge badge-muted badge-inline">server</span>}
                {d.stale && <span className="badge badge-warn badge-inline">stale</span>}
              </td>
              <td className="num">
                <ScoreBadge score={d.score} band={d.band} />
              </td>
              {showOrganisation && (
                <td>
                  <OrganisationName id={d.organisationId} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
