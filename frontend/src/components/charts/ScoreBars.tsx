import { useId } from "react";

/** ScoreBar is one row of a ScoreBars chart. */
export interface ScoreBar {
  /** Row label, e.g. an organisation's name (shortened when long). */
  label: string;
  /** 0 to 100. */
  value: number;
  /** CSS tone class of the bar (tone-healthy, …). */
  tone: string;
  /** Optional second value drawn as a tick across the bar, e.g. a baseline. */
  marker?: number;
  /** Tooltip of the row, e.g. "Contoso: 40 (baseline 55, regressed)". */
  title: string;
}

const W = 640;
const LABEL_W = 150;
const RIGHT = 36;
const ROW = 24;
const BAR_H = 12;
const TOP = 22;
const BOTTOM = 20;
const LABEL_MAX = 22;
const round = (n: number) => Math.round(n * 10) / 10;

/**
 * ScoreBars draws 0–100 scores as horizontal bars in inline SVG, one row
 * per item, with an optional marker per bar (e.g. its baseline) and an
 * optional reference line across all rows (e.g. the median).
 */
export function ScoreBars({
  title,
  description,
  bars,
  reference,
}: {
  /** Accessible title. */
  title: string;
  /** Accessible summary of what the chart shows. */
  description: string;
  bars: ScoreBar[];
  /** A value marked across every row, with its label ("median 78"). */
  reference?: { value: number; label: string };
}) {
  const id = useId();
  const innerW = W - LABEL_W - RIGHT;
  const H = TOP + bars.length * ROW + BOTTOM;
  const x = (v: number) => round(LABEL_W + (Math.min(Math.max(v, 0), 100) / 100) * innerW);
  const short = (s: string) => (s.length > LABEL_MAX ? `${s.slice(0, LABEL_MAX - 1)}…` : s);
  return (
    <svg
      className="chart score-bars"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-desc`}
      preserveAspectRatio="xMidYMid meet"
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{description}</desc>
      <g aria-hidden="true">
        {[0, 50, 100].map((t) => (
          <g key={t}>
            <line className="chart-grid" x1={x(t)} x2={x(t)} y1={TOP - 4} y2={H - BOTTOM} />
            <text className="chart-label" x={x(t)} y={H - 6} textAnchor="middle">
              {t}
            </text>
          </g>
        ))}
      </g>
      {bars.map((b, i) => {
        const y = TOP + i * ROW + (ROW - BAR_H) / 2;
        return (
          <g key={i} className={`score-bar ${b.tone}`}>
            <title>{b.title}</title>
            <text className="chart-label score-bar-label" x={LABEL_W - 8} y={y + BAR_H / 2} textAnchor="end" dominantBaseline="middle">
              {short(b.label)}
            </text>
            <rect className="score-bar-fill" x={LABEL_W} y={y} width={round(x(b.value) - LABEL_W)} height={BAR_H} rx={2} />
            {b.marker !== undefined && (
              <line className="score-bar-marker" x1={x(b.marker)} x2={x(b.marker)} y1={y - 3} y2={y + BAR_H + 3} />
            )}
            <text className="chart-label score-bar-value" x={x(b.value) + 4} y={y + BAR_H / 2} dominantBaseline="middle">
              {b.value}
            </text>
          </g>
        );
      })}
      {reference && (
        <g className="chart-reference" aria-hidden="true">
          <line className="chart-reference-line" x1={x(reference.value)} x2={x(reference.value)} y1={TOP - 6} y2={H - BOTTOM} />
          <text className="chart-label chart-reference-label" x={x(reference.value)} y={TOP - 10} textAnchor="middle">
            {reference.label}
          </text>
        </g>
      )}
    </svg>
  );
}
