import { Band, EntityKind, HistoryRange } from "../../gen/wegweiser/v1/health_pb";

/** Entity names a level of the hierarchy, as HealthService requests take it. */
export interface Entity {
  kind: EntityKind;
  id: string;
}

/** The caller's tenant (the server fills in the id). */
export const TENANT: Entity = { kind: EntityKind.TENANT, id: "" };

export const deviceEntity = (id: string): Entity => ({ kind: EntityKind.DEVICE, id });
export const groupEntity = (id: string): Entity => ({ kind: EntityKind.GROUP, id });
export const organisationEntity = (id: string): Entity => ({ kind: EntityKind.ORGANISATION, id });

/** Tone is a band as a CSS modifier: tone-healthy, tone-fair, … */
export type Tone = "healthy" | "fair" | "poor" | "critical" | "unscored";

/** BANDS lists the bands best first, "no score" last (legends, distributions). */
export const BANDS: { band: Band; tone: Tone; label: string; range: string }[] = [
  { band: Band.HEALTHY, tone: "healthy", label: "Healthy", range: "90–100" },
  { band: Band.FAIR, tone: "fair", label: "Fair", range: "70–89" },
  { band: Band.POOR, tone: "poor", label: "Poor", range: "50–69" },
  { band: Band.CRITICAL, tone: "critical", label: "Critical", range: "1–49" },
  { band: Band.UNSPECIFIED, tone: "unscored", label: "No score", range: "no data" },
];

/** bandTone returns the CSS tone of a band. */
export function bandTone(band: Band): Tone {
  return BANDS.find((b) => b.band === band)?.tone ?? "unscored";
}

/** bandLabel names a band for people ("Fair"); unscored reads "No score". */
export function bandLabel(band: Band): string {
  return BANDS.find((b) => b.band === band)?.label ?? "No score";
}

/** bandOf maps a score to its band (90–100 healthy … 1–49 critical; below 1 unscored). */
export function bandOf(score: number): Band {
  if (score >= 90) return Band.HEALTHY;
  if (score >= 70) return Band.FAIR;
  if (score >= 50) return Band.POOR;
  if (score >= 1) return Band.CRITICAL;
  return Band.UNSPECIFIED;
}

/**
 * DOMAINS are the nine check domains in the analyzer's order, with their
 * weight in a device's score (percent; they sum to 100). The weights mirror
 * the server's analyzer (docs/scoring.md: security and storage weigh most).
 */
export const DOMAINS: { id: string; label: string; weight: number }[] = [
  { id: "hardware", label: "Hardware", weight: 10 },
  { id: "storage", label: "Storage", weight: 20 },
  { id: "performance", label: "Performance", weight: 8 },
  { id: "network", label: "Network", weight: 7 },
  { id: "system", label: "System", weight: 15 },
  { id: "software", label: "Software", weight: 5 },
  { id: "security", label: "Security", weight: 20 },
  { id: "logs", label: "Logs", weight: 10 },
  { id: "platform", label: "Platform", weight: 5 },
];

/** domainLabel names a domain ("storage" → "Storage"); unknown ones pass through. */
export function domainLabel(id: string): string {
  return DOMAINS.find((d) => d.id === id)?.label ?? id;
}

/** Finding statuses, worst first, with their group headings. */
export const STATUSES: { id: string; label: string; heading: string }[] = [
  { id: "fail", label: "Fail", heading: "Failing" },
  { id: "warn", label: "Warning", heading: "Warnings" },
  { id: "unknown", label: "Unknown", heading: "Unknown (no data or not applicable)" },
  { id: "pass", label: "Pass", heading: "Passed" },
];

/** statusLabel names a finding status ("warn" → "Warning"). */
export function statusLabel(status: string): string {
  return STATUSES.find((s) => s.id === status)?.label ?? status;
}

const severityOrder = ["critical", "high", "medium", "low", "info"];

/** severityRank orders severities: critical 0 … info 4, unknown last. */
export function severityRank(severity: string): number {
  const i = severityOrder.indexOf(severity);
  return i < 0 ? severityOrder.length : i;
}

/** severityBadge is the badge class of a severity. */
export function severityBadge(severity: string): string {
  switch (severity) {
    case "critical":
    case "high":
      return "badge-danger";
    case "medium":
      return "badge-warn";
    default:
      return "badge-muted";
  }
}

/** RANGES are the history ranges the charts offer. */
export const RANGES: { range: HistoryRange; days: number; label: string }[] = [
  { range: HistoryRange.HISTORY_RANGE_7_DAYS, days: 7, label: "7 days" },
  { range: HistoryRange.HISTORY_RANGE_30_DAYS, days: 30, label: "30 days" },
  { range: HistoryRange.HISTORY_RANGE_90_DAYS, days: 90, label: "90 days" },
];

/** formatShare renders a 0..1 share as a whole percentage ("83 %"). */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return "—";
  return `${Math.round(Math.min(1, Math.max(0, share)) * 100)} %`;
}

/** formatDelta renders a point difference with a real minus sign ("−12", "+5", "±0"). */
export function formatDelta(delta: number): string {
  if (delta > 0) return `+${delta}`;
  if (delta < 0) return `−${Math.abs(delta)}`;
  return "±0";
}

/** formatScore renders a score that may be fractional (a median or baseline): "78", "82.5". */
export function formatScore(score: number): string {
  return String(Math.round(score * 10) / 10);
}

/** deltaClass colours a point difference: losses red, gains green. */
export function deltaClass(delta: number): string {
  if (delta < 0) return "change-negative";
  if (delta > 0) return "change-positive";
  return "change-neutral";
}
