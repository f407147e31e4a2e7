import { useId } from "react";

/** StepPoint is one value of a step series; value null means "no value from here on". */
export interface StepPoint {
  time: Date;
  value: number | null;
  /** CSS tone of the marker (tone-healthy, …). */
  tone: string;
  /** Tooltip of the marker, e.g. "3 Mar, 14:02: 63 (poor)". */
  label: string;
}

/** Background stripe, e.g. a score band from 70 to 90. */
export interface Stripe {
  from: number;
  to: number;
  tone: string;
}

const W = 640;
const H = 200;
const PAD = { left: 34, right: 12, top: 10, bottom: 24 };
const day = new Intl.DateTimeFormat("en", { month: "short", day: "numeric" });
const round = (n: number) => Math.round(n * 10) / 10;

/**
 * StepChart draws a step function over a time window as inline SVG: the
 * value holds until the next point, and the last one holds until `to`.
 * Every point gets a marker (a circle with its own tooltip), so the chart
 * has exactly one marker per point; a null value breaks the line.
 */
export function StepChart({
  title,
  description,
  points,
  from,
  to,
  min = 0,
  max = 100,
  ticks = [min, max],
  stripes = [],
}: {
  /** Accessible title, e.g. "Score over the last 30 days". */
  title: string;
  /** Accessible summary of what the chart shows. */
  description: string;
  points: StepPoint[];
  from: Date;
  to: Date;
  min?: number;
  max?: number;
  /** Values with a grid line and a label on the y axis. */
  ticks?: number[];
  stripes?: Stripe[];
}) {
  const id = useId();
  const t0 = from.getTime();
  const t1 = Math.max(to.getTime(), t0 + 1);
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const x = (t: Date) => round(PAD.left + ((Math.min(Math.max(t.getTime(), t0), t1) - t0) / (t1 - t0)) * innerW);
  const y = (v: number) => round(PAD.top + ((max - Math.min(Math.max(v, min), max)) / (max - min)) * innerH);

  let d = "";
  let open = false;
  for (const p of points) {
    if (p.value === null) {
      if (open) d += ` H${x(p.time)}`;
      open = false;
    } else if (!open) {
      d += `${d ? " " : ""}M${x(p.time)},${y(p.value)}`;
      open = true;
    } else {
      d += ` H${x(p.time)} V${y(p.value)}`;
    }
  }
  if (open) d += ` H${x(to)}`;

  const mid = new Date((t0 + t1) / 2);
  return (
    <svg
      className="chart step-chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-desc`}
      preserveAspectRatio="xMidYMid meet"
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{description}</desc>
      <g aria-hidden="true">
        {stripes.map((s) => (
          <rect
            key={`${s.from}-${s.to}`}
            className={`chart-stripe ${s.tone}`}
            x={PAD.left}
            width={innerW}
            y={y(s.to)}
            height={round(y(s.from) - y(s.to))}
          />
        ))}
        {ticks.map((t) => (
          <g key={t}>
            <line className="chart-grid" x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} />
            <text className="chart-label" x={PAD.left - 6} y={y(t)} textAnchor="end" dominantBaseline="middle">
              {t}
            </text>
          </g>
        ))}
        <text className="chart-label" x={PAD.left} y={H - 6} textAnchor="start">
          {day.format(from)}
        </text>
        <text className="chart-label" x={PAD.left + innerW / 2} y={H - 6} textAnchor="middle">
          {day.format(mid)}
        </text>
        <text className="chart-label" x={W - PAD.right} y={H - 6} textAnchor="end">
          {day.format(to)}
        </text>
      </g>
      {d && <path className="chart-line" d={d} aria-hidden="true" />}
      <g className="chart-points">
        {points.map((p, i) => (
          <circle
            key={i}
            className={`chart-point ${p.tone}${p.value === null ? " chart-point-empty" : ""}`}
            cx={x(p.time)}
            cy={y(p.value ?? min)}
            r={4}
          >
            <title>{p.label}</title>
          </circle>
        ))}
      </g>
    </svg>
  );
}
