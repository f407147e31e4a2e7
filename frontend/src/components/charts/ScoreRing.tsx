import { useId } from "react";

const R = 50;
const C = 2 * Math.PI * R;

/**
 * ScoreRing shows a 0–100 value as a ring filled to that share, with the
 * number in the middle; null draws an empty ring with a dash.
 */
export function ScoreRing({ value, tone, label, size = 112 }: { value: number | null; tone: string; label: string; size?: number }) {
  const id = useId();
  const share = value === null ? 0 : Math.min(Math.max(value, 0), 100) / 100;
  return (
    <svg
      className={`chart score-ring ${tone}`}
      viewBox="0 0 120 120"
      width={size}
      height={size}
      role="img"
      aria-labelledby={`${id}-title`}
    >
      <title id={`${id}-title`}>{label}</title>
      <circle className="ring-track" cx={60} cy={60} r={R} />
      {share > 0 && (
        <circle
          className="ring-value"
          cx={60}
          cy={60}
          r={R}
          strokeDasharray={`${(share * C).toFixed(1)} ${C.toFixed(1)}`}
          transform="rotate(-90 60 60)"
        />
      )}
      <text className="ring-number" x={60} y={60} textAnchor="middle" dominantBaseline="central" aria-hidden="true">
        {value === null ? "—" : value}
      </text>
    </svg>
  );
}
