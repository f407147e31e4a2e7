import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { DeviceHealthSummarySchema, DeviceOrder, type Device, type ListDevicesRequest } from "../../gen/wegweiser/v1/device_pb";
import { Band, type CheckSummary, type Finding, type ListCheckSummariesResponse } from "../../gen/wegweiser/v1/health_pb";
import type { FakeBackend } from "../fake-backend";
import { severityRank } from "./shared";

/** Triage answers of the fake backend: device health summaries, the triage filters of ListDevices, the by-check view. */

const costs = (f: Finding) => !f.suppressed && (f.status === "fail" || f.status === "warn");

/** summaryOf is a device's DeviceHealthSummary from its replayed analysis (unscored and stale before one). */
export function summaryOf(b: FakeBackend, d: Device) {
  const h = b.deviceHealth.get(d.id);
  if (!h) return create(DeviceHealthSummarySchema, { stale: true, needsAttention: true });
  const issues = h.findings.filter(costs);
  const top = [...issues].sort(
    (x, y) =>
      y.penalty - x.penalty ||
      severityRank(y.severity) - severityRank(x.severity) ||
      (x.checkId + x.subject).localeCompare(y.checkId + y.subject),
  )[0];
  const band = h.scored ? h.health.band : Band.UNSPECIFIED;
  return create(DeviceHealthSummarySchema, {
    score: h.scored ? h.score : 0,
    band,
    scored: h.scored,
    stale: h.stale,
    needsAttention:
      h.stale ||
      band === Band.POOR ||
      band === Band.CRITICAL ||
      issues.some((f) => f.severity === "high" || f.severity === "critical"),
    topReasonCheckId: top && top.penalty > 0 ? top.checkId : "",
    topReason: top && top.penalty > 0 ? top.title : "",
    topReasonSeverity: top && top.penalty > 0 ? top.severity : "",
    issueCount: issues.length,
    capReason: h.health.capReason,
    computeTime: timestampFromDate(h.computeTime),
  });
}

/** triageFilter applies ListDevices' health and software filters. */
export function triageFilter(b: FakeBackend, req: ListDevicesRequest, d: Device): boolean {
  const s = summaryOf(b, d);
  if (req.bands.length > 0 && !req.bands.includes(s.scored ? s.band : Band.UNSPECIFIED)) return false;
  if (req.staleOnly && !s.stale) return false;
  if (req.needsAttention && !s.needsAttention) return false;
  if (req.failingCheckId && !(b.deviceHealth.get(d.id)?.findings ?? []).some((f) => f.checkId === req.failingCheckId && costs(f))) {
    return false;
  }
  if (req.software?.name) {
    const sw = b.inventories.get(d.id)?.snapshot.software ?? [];
    if (!sw.some((x) => x.name === req.software?.name && x.version === req.software.version)) return false;
  }
  return true;
}

/** withSummaries orders devices by score when asked (unscored last either way) and attaches each one's summary. */
export function withSummaries(b: FakeBackend, req: ListDevicesRequest, devices: Device[]): Device[] {
  let out = devices.map((d) => ({ ...d, health: summaryOf(b, d) }));
  if (req.orderBy === DeviceOrder.SCORE) {
    const scored = out.filter((d) => d.health.scored);
    const unscored = out.filter((d) => !d.health.scored).sort((x, y) => x.id.localeCompare(y.id));
    scored.sort((x, y) => x.health.score - y.health.score || x.id.localeCompare(y.id));
    if (req.descending) scored.reverse();
    out = [...scored, ...unscored];
  }
  return out;
}

/** checkSummaries is the by-check view over devices. */
export function checkSummaries(b: FakeBackend, devices: Device[], domain: string): Omit<ListCheckSummariesResponse, "$typeName"> {
  const byCheck = new Map<string, { fail: Set<string>; warn: Set<string>; cost: Map<string, number>; worst: Finding; severity: string }>();
  for (const d of devices) {
    for (const f of b.deviceHealth.get(d.id)?.findings ?? []) {
      if (!costs(f) || (domain && f.domain !== domain)) continue;
      const e = byCheck.get(f.checkId) ?? { fail: new Set(), warn: new Set(), cost: new Map(), worst: f, severity: f.severity };
      (f.status === "fail" ? e.fail : e.warn).add(d.id);
      e.cost.set(d.id, Math.max(e.cost.get(d.id) ?? 0, f.penalty));
      if (f.penalty > e.worst.penalty) e.worst = f;
      if (severityRank(f.severity) > severityRank(e.severity)) e.severity = f.severity;
      byCheck.set(f.checkId, e);
    }
  }
  const checks = [...byCheck.entries()]
    .map(([checkId, e]) => ({
      $typeName: "wegweiser.v1.CheckSummary" as const,
      checkId,
      title: b.checks.find((c) => c.id === checkId)?.title ?? e.worst.title,
      domain: e.worst.domain,
      severity: e.severity,
      devicesFailing: e.fail.size,
      devicesWarning: [...e.warn].filter((id) => !e.fail.has(id)).length,
      impact: [...e.cost.values()].reduce((n, c) => n + c, 0),
      worst: { ...e.worst, evidence: [], detail: "", recommendation: "" },
    }))
    .sort(
      (x, y) =>
        y.impact - x.impact ||
        y.devicesFailing + y.devicesWarning - (x.devicesFailing + x.devicesWarning) ||
        x.checkId.localeCompare(y.checkId),
    ) as CheckSummary[];
  return { checks, deviceCount: devices.length };
}
