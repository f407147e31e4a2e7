import { Link } from "react-router";
import { BandBar } from "../../components/charts/BandBar";
import { Empty } from "../../components/Feedback";
import { Band, type OrganisationHealth } from "../../gen/wegweiser/v1/health_pb";
import { BANDS, deltaClass, formatDelta, formatScore, formatShare } from "./labels";
import { ScoreBadge } from "./ScoreBadge";

/**
 * OrganisationHealthTable compares organisations: score, change against the
 * organisation's own 14-day baseline (and whether it regressed), devices by
 * band, coverage, cap.
 */
export function OrganisationHealthTable({ organisations, label }: { organisations: OrganisationHealth[]; label: string }) {
  if (organisations.length === 0) return <Empty>No organisations to compare yet.</Empty>;
  return (
    <div className="table-wrap">
      <table className="table table-compact" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Organisation</th>
            <th scope="col" className="num">Score</th>
            <th scope="col" className="num">
              <abbr title="Change against the organisation's 14-day baseline (its median score)">vs baseline</abbr>
            </th>
            <th scope="col">Devices by band</th>
            <th scope="col" className="num">Coverage</th>
          </tr>
        </thead>
        <tbody>
          {organisations.map((o) => {
            const h = o.health;
            return (
              <tr key={o.organisationId}>
                <td>
                  <Link to={`/organisations/${o.organisationId}`}>{o.name}</Link>
                  {o.regressed && (
                    <span
                      className="badge badge-danger badge-inline"
                      title="More than 10 % below its 14-day baseline"
                    >
                      Regressed
                    </span>
                  )}
                  {h?.capReason && <div className="muted small">Held down by: {h.capReason}</div>}
                </td>
                <td className="num">
                  <ScoreBadge score={h?.score ?? 0} band={h?.scored ? h.band : Band.UNSPECIFIED} />
                </td>
                <td className="num">
                  <BaselineDelta score={h?.scored ? h.score : null} baseline={o.baseline} />
                </td>
                <td className="band-cell">
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
                </td>
                <td className="num">{h && h.deviceCount > 0 ? formatShare(h.coverage) : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

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
