import { useId } from "react";

/** Segment is one part of a distribution. */
export interface Segment {
  label: string;
  value: number;
  /** CSS tone class (tone-healthy, …). */
  tone: string;
}

/**
 * BandBar is a stacked horizontal bar as inline SVG, with a text legend
 * below it: each segment's width is its share of the total. The title
 * (the SVG's accessible name) lists every non-empty segment.
 */
export function BandBar({
  title,
  segments,
  unit = ["item", "items"],
  legend = true,
}: {
  /** What is distributed, e.g. "Devices by band". */
  title: string;
  segments: Segment[];
  /** Singular and plural of what is counted. */
  unit?: [string, string];
  /** Show the counts as a text legend below the bar. */
  legend?: boolean;
}) {
  const id = useId();
  const total = segments.reduce((sum, s) => sum + Math.max(0, s.value), 0);
  const count = (n: number) => `${n} ${n === 1 ? unit[0] : unit[1]}`;
  const summary = total === 0 ? `no ${unit[1]}` : segments.filter((s) => s.value > 0).map((s) => `${s.label}: ${count(s.value)}`).join(", ");
  let offset = 0;
  return (
    <figure className="band-bar">
      <svg
        className="chart band-bar-svg"
        viewBox="0 0 100 10"
        preserveAspectRatio="none"
        role="img"
        aria-labelledby={`${id}-title`}
      >
        <title id={`${id}-title`}>{`${title}: ${summary}`}</title>
        {total === 0 ? (
          <rect className="band-seg band-seg-empty" x={0} y={0} width={100} height={10} />
        ) : (
          segments
            .filter((s) => s.value > 0)
            .map((s) => {
              const width = (s.value / total) * 100;
              const rect = (
                <rect key={s.label} className={`band-seg ${s.tone}`} x={offset} y={0} width={width} height={10}>
                  <title>{`${s.label}: ${count(s.value)}`}</title>
                </rect>
              );
              offset += width;
              return rect;
            })
        )}
      </svg>
      {legend && (
        <figcaption>
          <ul className="legend" aria-label={title}>
            {segments.map((s) => (
              <li key={s.label} className={s.tone}>
                <span className="legend-swatch" aria-hidden="true" />
                {s.label} <strong>{s.value}</strong>
              </li>
            ))}
          </ul>
        </figcaption>
      )}
    </figure>
  );
}
