import { ScoreBars } from "../../components/charts/ScoreBars";
import type { OrganisationHealth } from "../../gen/wegweiser/v1/health_pb";
import { bandTone, formatScore } from "./labels";

/** COMPARED_ORGANISATIONS is how many organisations the comparison chart draws (worst first). */
export const COMPARED_ORGANISATIONS = 10;

/**
 * OrganisationComparison charts the worst organisations' scores against
 * the tenant median (a line across) and their own 14-day baselines (ticks).
 */
export function OrganisationComparison({
  organisations,
  median,
}: {
  organisations: OrganisationHealth[];
  /** Median score of the scored organisations (0 when none is scored). */
  median: number;
}) {
  const scored = organisations.filter((o) => o.health?.scored);
  if (scored.length === 0) return null;
  const shown = scored.slice(0, COMPARED_ORGANISATIONS);
  const regressed = scored.filter((o) => o.regressed).length;
  const m = formatScore(median);
  return (
    <figure className="comparison">
      <ScoreBars
        title={median > 0 ? `Organisation scores against the tenant median of ${m}` : "Organisation scores"}
        description={
          `${shown.length === scored.length ? `All ${scored.length}` : `The ${shown.length} worst of ${scored.length}`} scored organisations; ` +
          `ticks mark each one's 14-day baseline. ${regressed} regressed below its baseline.`
        }
        reference={median > 0 ? { value: median, label: `median ${m}` } : undefined}
        bars={shown.map((o) => {
          const h = o.health!;
          return {
            label: o.name,
            value: h.score,
            tone: `tone-${bandTone(h.band)}`,
            marker: o.baseline > 0 ? o.baseline : undefined,
            title:
              `${o.name}: ${h.score}` +
              (o.baseline > 0 ? ` (14-day baseline ${formatScore(o.baseline)}${o.regressed ? ", regressed" : ""})` : " (no baseline yet)"),
          };
        })}
      />
      <figcaption className="muted small">
        Tenant median <strong>{median > 0 ? m : "—"}</strong> across {scored.length} scored{" "}
        {scored.length === 1 ? "organisation" : "organisations"}. Ticks mark each organisation's 14-day baseline.
      </figcaption>
    </figure>
  );
}
