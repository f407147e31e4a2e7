/** Numbers from the API: int64 fields arrive as bigint, the others as number. */
type Num = bigint | number;

const byteUnits = ["B", "KB", "MB", "GB", "TB", "PB"];
const count = new Intl.NumberFormat("en");

/**
 * formatBytes renders a size in binary steps (1 KB = 1024 B), as Windows
 * and most admin tools show it: "512 B", "3.4 GB", "931 GB".
 */
export function formatBytes(value: Num): string {
  let n = Number(value);
  if (!Number.isFinite(n) || n < 0) return "—";
  let unit = 0;
  while (n >= 1024 && unit < byteUnits.length - 1) {
    n /= 1024;
    unit++;
  }
  const digits = unit === 0 || n >= 100 ? 0 : 1;
  return `${n.toFixed(digits)} ${byteUnits[unit]}`;
}

/** formatCount renders an integer with thousands separators ("12,345"). */
export function formatCount(value: Num): string {
  return count.format(value);
}

/** percentOf returns part/whole in percent, or undefined when whole is not positive. */
export function percentOf(part: Num, whole: Num): number | undefined {
  const w = Number(whole);
  if (!(w > 0)) return undefined;
  return (Number(part) / w) * 100;
}

/** formatPercent renders a percentage without false precision ("7 %", "0.4 %"). */
export function formatPercent(value: number): string {
  const digits = value > 0 && value < 1 ? 1 : 0;
  return `${value.toFixed(digits)} %`;
}

/** formatDuration renders seconds as the two largest units: "3 days 4 hours", "12 minutes". */
export function formatDuration(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds < 0) return "—";
  const parts: [number, string][] = [
    [Math.floor(totalSeconds / 86400), "day"],
    [Math.floor((totalSeconds % 86400) / 3600), "hour"],
    [Math.floor((totalSeconds % 3600) / 60), "minute"],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return "less than a minute";
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}${n === 1 ? "" : "s"}`)
    .join(" ");
}

/** formatSpeed renders a link speed in Mbit/s ("100 Mbit/s", "2.5 Gbit/s"); 0 is unknown. */
export function formatSpeed(mbps: Num): string {
  const n = Number(mbps);
  if (!(n > 0)) return "—";
  return n >= 1000 ? `${Number((n / 1000).toFixed(1))} Gbit/s` : `${n} Mbit/s`;
}
