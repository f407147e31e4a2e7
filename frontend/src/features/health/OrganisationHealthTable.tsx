import { Link } from "react-router";
import { BandBar } from "../../components/charts/BandBar";
import { Empty } from "../../components/Feedback";
import { Band, type OrganisationHealth } from "../../gen/wegweiser/v1/health_pb";
import { BANDS, formatShare } from "./labels";
import { ScoreBadge } from "./ScoreBadge";

/** OrganisationHealthTable compares organisations: score, devices by band, coverage, cap. */
export function OrganisationHealthTable({ organisations, label }: { organisations: OrganisationHealth[]; label: string }) {
  if (organisations.length === 0) return <Empty>No organisations to compare yet.</Empty>;
  return (
    <div className="table-wrap">
      <table className="table table-compact" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Organisation</th>
            <th scope="col" className="num">Score</th>
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
                  {h?.capReason && <div className="muted small">Capped: {h.capReason}</div>}
                </td>
                <td className="num">
                  <ScoreBadge score={h?.score ?? 0} band={h?.scored ? h.band : Band.UNSPECIFIED} />
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
