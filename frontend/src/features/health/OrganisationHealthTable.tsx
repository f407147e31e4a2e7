import { Link } from "react-router";
import { BandBar } from "../../components/charts/BandBar";
import { DataTable, type Columns } from "../../components/DataTable";
import { Band, type OrganisationHealth } from "../../gen/wegweiser/v1/health_pb";
import { BANDS, deltaClass, formatDelta, formatScore, formatShare } from "./labels";
import { ScoreBadge } from "./ScoreBadge";

/**
 * OrganisationHealthTable compares organisations: score, change against the
 * organisation's own 14-day baseline (and whether it regressed), devices by
 * band, coverage, cap.
 */
export function OrganisationHealthTable({
  organisations,
  label,
  narrow = false,
}: {
  organisations: OrganisationHealth[];
  label: string;
  /** In a narrow column (the overview's worst organisations): coverage is left out. */
  narrow?: boolean;
}) {
  return (
    <DataTable
      label={label}
      data={organisations}
      columns={organisationColumns}
      getRowId={(o) => o.organisationId}
      compact
      defaultHidden={narrow ? narrowHidden : undefined}
      empty="No organisations to compare yet."
    />
  );
}

const narrowHidden = ["coverage"];

const organisationColumns: Columns<OrganisationHealth> = [
  {
    id: "name",
    header: "Organisation",
    accessorFn: (o) => o.name,
    cell: ({ row: { original: o } }) => (
      <>
        <Link className="wrap-anywhere" to={`/organisations/${o.organisationId}`}>
          {o.name}
        </Link>
        {o.regressed && (
          <span className="badge badge-danger badge-inline" title="More than 10 % below its 14-day baseline">
            Regressed
          </span>
        )}
        {o.health?.capReason && <div className="muted small">Held down by: {o.health.capReason}</div>}
      </>
    ),
  },
  {
    id: "score",
    header: "Score",
    accessorFn: (o) => (o.health?.scored ? o.health.score : -1),
    meta: { className: "num" },
    cell: ({ row: { original: o } }) => (
      <ScoreBadge score={o.health?.score ?? 0} band={o.health?.scored ? o.health.band : Band.UNSPECIFIED} />
    ),
  },
  {
    id: "baseline",
    header: () => <abbr title="Change against the organisation's 14-day baseline (its median score)">vs baseline</abbr>,
    meta: { className: "num", label: "vs baseline" },
    accessorFn: (o) => (o.health?.scored && o.baseline > 0 ? o.health.score - o.baseline : 0),
    cell: ({ row: { original: o } }) => (
      <BaselineDelta score={o.health?.scored ? o.health.score : null} baseline={o.baseline} />
    ),
  },
  {
    id: "bands",
    header: "Devices by band",
    enableSorting: false,
    meta: { className: "band-cell" },
    cell: ({ row: { original: o } }) => {
      const h = o.health;
      return (
        <>
          <BandBar
            title={`Devices of ${o.name} by band`}
            legend={false}
            unit={["device", "devices"]}
            segments={BANDS.map((b) => ({
              label: b.label,
              tone: `tone-${b.tone}`,
              value: h?.bands.find((c) => c.band === b.band)?.devices ?? 0,
            }))}
          />
          <span className="muted small">
            {h?.deviceCount ?? 0} {h?.deviceCount === 1 ? "device" : "devices"}
          </span>
        </>
      );
    },
  },
  {
    id: "coverage",
    header: "Coverage",
    accessorFn: (o) => o.health?.coverage ?? 0,
    meta: { className: "num" },
    cell: ({ row: { original: o } }) => (o.health && o.health.deviceCount > 0 ? formatShare(o.health.coverage) : "—"),
  },
];

/** BaselineDelta shows a score's change against its baseline as an arrow and points ("↓ −12"). */
function BaselineDelta({ score, baseline }: { score: number | null; baseline: number }) {
  if (score === null || !(baseline > 0)) {
    return (
      <span className="muted" title="No 14-day history yet">
        —
      </span>
    );
  }
  const delta = Math.round(score - baseline);
  const arrow = delta < 0 ? "↓" : delta > 0 ? "↑" : "→";
  return (
    <span className={`baseline-delta ${deltaClass(delta)}`} title={`14-day baseline: ${formatScore(baseline)}`}>
      <span aria-hidden="true">{arrow} </span>
      {formatDelta(delta)}
      <span className="sr-only"> against the 14-day baseline of {formatScore(baseline)}</span>
    </span>
  );
}
