import { useState } from "react";
import { StepChart, type StepPoint } from "../../components/charts/StepChart";
import { QueryState } from "../../components/Feedback";
import { Band, type BandRange } from "../../gen/wegweiser/v1/health_pb";
import { formatAbsolute, toDate } from "../../lib/time";
import { useHistory, useScoringModel } from "./hooks";
import { bandLabel, bandTone, RANGES, type Entity } from "./labels";

const DAY = 86_400_000;

/**
 * bandScale turns the server's band ranges (best first) into background
 * stripes and axis ticks: each band reaches up to the next one, the worst
 * down to 0.
 */
function bandScale(ranges: readonly BandRange[]) {
  const stripes = ranges.map((r, i) => ({
    from: i === ranges.length - 1 ? 0 : r.minScore,
    to: i === 0 ? r.maxScore : ranges[i - 1]!.minScore,
    tone: `tone-${bandTone(r.band)}`,
  }));
  const ticks = [0, ...ranges.slice(0, -1).map((r) => r.minScore).reverse(), ranges[0]?.maxScore ?? 100];
  return { stripes, ticks };
}

/** HealthTrend charts an entity's score over 7, 30 or 90 days as a step line. */
export function HealthTrend({ entity, what }: { entity: Entity; what: string }) {
  const [range, setRange] = useState(RANGES[1]!);
  const history = useHistory(entity, range.range);
  const { stripes, ticks } = bandScale(useScoringModel().data?.bands ?? []);
  // Before the first fetch the window ends when the chart was first shown.
  const [shown] = useState(() => Date.now());
  // The window ends when the data was fetched, so the chart is stable between renders.
  const to = new Date(history.dataUpdatedAt || shown);
  const from = new Date(to.getTime() - range.days * DAY);

  const points: StepPoint[] = (history.data?.points ?? []).map((p) => {
    const time = toDate(p.time) ?? from;
    const scored = p.band !== Band.UNSPECIFIED;
    return {
      time,
      value: scored ? p.score : null,
      tone: `tone-${bandTone(p.band)}`,
      label: `${formatAbsolute(time)}: ${scored ? `${p.score} (${bandLabel(p.band).toLowerCase()})` : "no score"}`,
    };
  });
  const scores = points.flatMap((p) => (p.value === null ? [] : [p.value]));
  const description =
    points.length === 0
      ? "No score recorded in this range."
      : `${points.length} ${points.length === 1 ? "point" : "points"}; ` +
        (scores.length > 0
          ? `first ${scores[0]}, now ${scores[scores.length - 1]}, lowest ${Math.min(...scores)}.`
          : "no score in this range.");

  return (
    <div className="trend">
      <div className="segmented" role="group" aria-label="History range">
        {RANGES.map((r) => (
          <button
            key={r.days}
            type="button"
            className="btn btn-small"
            aria-pressed={r.range === range.range}
            onClick={() => setRange(r)}
          >
            {r.label}
          </button>
        ))}
      </div>
      <QueryState
        query={history}
        loading="Loading history…"
        isEmpty={() => points.length === 0}
        empty={`No score recorded in the last ${range.label} yet.`}
      >
        {() => (
          <StepChart
            title={`${what} score over the last ${range.label}`}
            description={description}
            points={points}
            from={from}
            to={to}
            ticks={ticks}
            stripes={stripes}
          />
        )}
      </QueryState>
    </div>
  );
}
