import { Link } from "react-router";
import { DataTable, type Columns } from "../../components/DataTable";
import type { DeviceScore } from "../../gen/wegweiser/v1/health_pb";
import { OrganisationName } from "../devices/DeviceTable";
import { ScoreBadge } from "./ScoreBadge";

const worstColumns: Columns<DeviceScore> = [
  {
    id: "device",
    header: "Device",
    accessorFn: (d) => d.hostname || d.deviceId,
    cell: ({ row: { original: d } }) => (
      <>
        <Link className="wrap-anywhere" to={`/devices/${d.deviceId}`}>
          {d.hostname || d.deviceId}
        </Link>
        {d.server && <span className="badge badge-muted badge-inline">server</span>}
        {d.stale && <span className="badge badge-warn badge-inline">stale</span>}
        {d.reason && <div className="muted small wrap-anywhere">{d.reason}</div>}
      </>
    ),
  },
  {
    id: "score",
    header: "Score",
    accessorFn: (d) => d.score,
    meta: { className: "num" },
    cell: ({ row: { original: d } }) => <ScoreBadge score={d.score} band={d.band} />,
  },
];

const organisationColumn: Columns<DeviceScore>[number] = {
  id: "organisation",
  header: "Organisation",
  enableSorting: false,
  cell: ({ row: { original: d } }) => <OrganisationName id={d.organisationId} />,
};

/** WorstDevices lists the lowest-scoring devices with links to them. */
export function WorstDevices({ devices, showOrganisation = false }: { devices: DeviceScore[]; showOrganisation?: boolean }) {
  return (
    <DataTable
      label="Lowest-scoring devices"
      data={devices}
      columns={showOrganisation ? [...worstColumns, organisationColumn] : worstColumns}
      getRowId={(d) => d.deviceId}
      compact
      empty="No scored devices yet."
    />
  );
}
