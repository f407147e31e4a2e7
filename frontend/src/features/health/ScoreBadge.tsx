import { Band } from "../../gen/wegweiser/v1/health_pb";
import { useScoringModel } from "./hooks";
import { bandLabel, bandRange, bandTone } from "./labels";

/** ScoreBadge shows a score in its band's colour; an unscored one reads "—". */
export function ScoreBadge({ score, band }: { score: number; band: Band }) {
  const scored = band !== Band.UNSPECIFIED;
  const range = bandRange(useScoringModel().data?.bands, band);
  let title = "No score yet";
  if (scored) title = range ? `${bandLabel(band)} (${range})` : bandLabel(band);
  return (
    <span
      className={`score-badge tone-${bandTone(band)}`}
      title={title}
    >
      {scored ? score : "—"}
      <span className="sr-only"> ({bandLabel(band).toLowerCase()})</span>
    </span>
  );
}

/** BandPill names a band in its colour. */
export function BandPill({ band }: { band: Band }) {
  return <span className={`band-pill tone-${bandTone(band)}`}>{bandLabel(band)}</span>;
}
