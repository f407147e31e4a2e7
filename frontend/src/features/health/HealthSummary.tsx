import { BandBar } from "../../components/charts/BandBar";
import { ScoreRing } from "../../components/charts/ScoreRing";
import { RelativeTime } from "../../components/RelativeTime";
import { Band, type Health } from "../../gen/wegweiser/v1/health_pb";
import { BANDS, bandLabel, bandTone, DOMAINS, formatShare } from "./labels";
import { BandPill } from "./ScoreBadge";

/**
 * HealthSummary is an entity's score as a ring with its band, how many
 * devices need attention, the reason written for people (a device: its most
 * severe finding; above devices: what holds the score down), and how much of
 * it is known: coverage and freshness (devices: domains scored and whether
 * the data is stale).
 */
export function HealthSummary({ health, what, device = false }: { health: Health; what: string; device?: boolean }) {
  const band = health.scored ? health.band : Band.UNSPECIFIED;
  const label = health.scored
    ? `${what} health score: ${health.score} of 100 (${bandLabel(band).toLowerCase()})`
    : `${what} health: no score yet`;
  const scoredDomains = health.domains.filter((d) => d.scored).length;
  return (
    <div className="health-summary">
      <ScoreRing value={health.scored ? health.score : null} tone={`tone-${bandTone(band)}`} label={label} />
      <div className="health-summary-text">
        <p className="row">
          <BandPill band={band} />
          {health.scored && health.needsAttention > 0 && (
            <span
              className="badge badge-warn"
              title="Poor or critical, or with an unsuppressed high or critical finding"
            >
              {device ? "Needs attention" : `${health.needsAttention} need${health.needsAttention === 1 ? "s" : ""} attention`}
            </span>
          )}
          {health.stale && (
            <span className="badge badge-warn" title="The last snapshot is older than the freshness limit">
              Stale data
            </span>
          )}
        </p>
        {health.capReason && (
          <p className="cap-reason">
            <strong>{device ? "Main reason:" : "Held down by:"}</strong> {health.capReason}
          </p>
        )}
        {!health.scored && (
          <p className="muted small">
            {device
              ? "No score yet: the agent has not sent a snapshot, or it has not been analysed."
              : "No score yet: none of its devices has been analysed."}
          </p>
        )}
        {health.stale && device && (
          <p className="muted small">The last snapshot is older than the freshness limit; this score may be out of date.</p>
        )}
        <dl className="health-facts">
          {device ? (
            <div>
              <dt>Domains scored</dt>
              <dd>
                {health.domains.length > 0 ? scoredDomains : Math.round(health.coverage * DOMAINS.length)} of {DOMAINS.length}
              </dd>
            </div>
          ) : (
            <>
              <div>
                <dt>Devices</dt>
                <dd>{health.deviceCount}</dd>
              </div>
              <div>
                <dt>Coverage</dt>
                <dd title="Share of devices with a score">{formatShare(health.coverage)}</dd>
              </div>
              <div>
                <dt>Freshness</dt>
                <dd title="Share of devices whose data is fresh">{formatShare(health.freshness)}</dd>
              </div>
            </>
          )}
          <div>
            <dt>Computed</dt>
            <dd>
              <RelativeTime value={health.computeTime} never="not yet" />
            </dd>
          </div>
        </dl>
      </div>
    </div>
  );
}

/** BandDistribution shows how many devices are in each band. */
export function BandDistribution({ health }: { health: Health }) {
  const segments = BANDS.map((b) => ({
    label: b.label,
    tone: `tone-${b.tone}`,
    value: health.bands.find((c) => c.band === b.band)?.devices ?? 0,
  }));
  return <BandBar title="Devices by band" segments={segments} unit={["device", "devices"]} />;
}
