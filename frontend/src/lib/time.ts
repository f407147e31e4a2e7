import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const absolute = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });

/** toDate converts an optional protobuf Timestamp to a Date (undefined when unset). */
export function toDate(ts: Timestamp | undefined): Date | undefined {
  return ts ? timestampDate(ts) : undefined;
}

/**
 * formatRelative says how long ago (or how far ahead) a date is, e.g.
 * "just now", "5 minutes ago", "yesterday", "3 weeks ago".
 */
export function formatRelative(date: Date, now: Date = new Date()): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return "just now";
  const sign = Math.sign(seconds);
  for (const [unit, size] of units) {
    // Round the magnitude, not the signed value: Math.round(-1.5) is -1.
    if (abs >= size) return relative.format(sign * Math.round(abs / size), unit);
  }
  return relative.format(sign, "minute");
}

/** formatAbsolute renders a date for tooltips and detail pages. */
export function formatAbsolute(date: Date): string {
  return absolute.format(date);
}
