import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Device, DeviceHealthSummarySchema, type DeviceHealthSummary } from "../../gen/wegweiser/v1/device_pb";
import { Band, type CheckInfo, type CheckSummary, CheckSummarySchema, type Finding } from "../../gen/wegweiser/v1/health_pb";
import type { FakeDeviceHealth } from "./fixtures";
import { severityRank } from "./shared";

/**
 * Triage answers of the fake backend: the health summary on each device,
 * the ListDevices filters and the "by check" view, derived from the
 * replayed findings the way the server derives them (backend/internal/device
 * triage.go and backend/internal/health bycheck.go).
 */

/** issues are a device's unsuppressed warnings and failures, worst first (the server's health.Issues). */
export function issues(findings: Finding[]): Finding[] {
  return findings
    .filter((f) => !f.suppressed && (f.status === "warn" || f.status === "fail"))
    .sort(
      (a, b) =>
        severityRank(b.severity) - severityRank(a.severity) ||
        b.penalty - a.penalty ||
        Number(b.status === "fail") - Number(a.status === "fail") ||
        a.checkId.localeCompare(b.checkId) ||
        a.subject.localeCompare(b.subject),
    );
}

/** summaryOf is the DeviceHealthSummary the server puts on a device. */
export function summaryOf(h: FakeDeviceHealth | undefined): DeviceHealthSummary {
  if (!h) return create(DeviceHealthSummarySchema, { stale: true });
  const list = issues(h.findings);
  const top = list[0];
  const band = h.scored ? h.health.band : Band.UNSPECIFIED;
  // As the server: the analysis's mark (or a severe issue), or the band; stale is told apart.
  const severe = h.health.needsAttention > 0 || list.some((f) => f.severity === "high" || f.severity === "critical");
  return create(DeviceHealthSummarySchema, {
    score: h.scored ? h.score : 0,
    band,
    scored: h.scored,
    stale: h.stale,
    needsAttention: h.scored && (severe || band === Band.POOR || band === Band.CRITICAL),
    topReasonCheckId: top?.checkId ?? "",
    topReason: top?.title ?? "",
    topReasonSeverity: top?.severity ?? "",
    issueCount: list.length,
    capReason: h.health.capReason,
    computeTime: timestampFromDate(h.computeTime),
  });
}

/** failsCheck says whether a device has an unsuppressed warning or failure of checkId. */
export function failsCheck(h: FakeDeviceHealth | undefined, checkId: string): boolean {
  return issues(h?.findings ?? []).some((f) => f.checkId === checkId);
}

/** byScore orders devices as DEVICE_ORDER_SCORE does: unscored last both ways, ties by id. */
export function byScore(descending: boolean) {
  return (a: Device, b: Device) => {
    const sa = a.health?.scored ? a.health.score : undefined;
    const sb = b.health?.scored ? b.health.score : undefined;
    if (sa === undefined || sb === undefined) {
      if (sa !== sb) return sa === undefined ? 1 : -1;
    } else if (sa !== sb) {
      return descending ? sb - sa : sa - sb;
    }
    return descending ? b.id.localeCompare(a.id) : a.id.localeCompare(b.id);
  };
}

/** checkSummaries is ListCheckSummaries over the given devices, highest impact first. */
export function checkSummaries(
  devices: { device: Device; health: FakeDeviceHealth | undefined }[],
  catalogue: CheckInfo[],
  domain: string,
): CheckSummary[] {
  const rows = new Map<string, { s: CheckSummary; perDevice: Map<string, { fail: boolean; cost: number }> }>();
  for (const { device, health } of devices) {
    for (const f of issues(health?.findings ?? [])) {
      if (domain && f.domain !== domain) continue;
      let row = rows.get(f.checkId);
      if (!row) {
        const info = catalogue.find((c) => c.id === f.checkId);
        row = {
          s: create(CheckSummarySchema, { checkId: f.checkId, title: info?.title ?? f.title, domain: f.domain, severity: f.severity }),
          perDevice: new Map(),
        };
        rows.set(f.checkId, row);
      }
      if (severityRank(f.severity) > severityRank(row.s.severity)) row.s.severity = f.severity;
      const d = row.perDevice.get(device.id) ?? { fail: false, cost: 0 };
      d.fail ||= f.status === "fail";
      d.cost = Math.max(d.cost, f.penalty);
      row.perDevice.set(device.id, d);
      const w = row.s.worst;
      if (!w || f.penalty > w.penalty || (f.penalty === w.penalty && severityRank(f.severity) > severityRank(w.severity))) {
        row.s.worst = { ...f, evidence: [], detail: "", recommendation: "", deviceId: device.id, hostname: device.hostname };
      }
    }
  }
  return [...rows.values()]
    .map(({ s, perDevice }) => {
      for (const d of perDevice.values()) {
        if (d.fail) s.devicesFailing++;
        else s.devicesWarning++;
        s.impact += d.cost;
      }
      return s;
    })
    .sort(
      (a, b) =>
        b.impact - a.impact ||
        b.devicesFailing + b.devicesWarning - (a.devicesFailing + a.devicesWarning) ||
        a.checkId.localeCompare(b.checkId),
    );
}
