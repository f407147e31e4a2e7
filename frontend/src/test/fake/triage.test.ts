import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { DeviceSchema, DeviceHealthSummarySchema } from "../../gen/wegweiser/v1/device_pb";
import { Band, FindingSchema, type Finding } from "../../gen/wegweiser/v1/health_pb";
import type { FakeDeviceHealth } from "./fixtures";
import { byScore, checkSummaries, issues, summaryOf } from "./triage";

const finding = (
  checkId: string,
  status: string,
  severity: string,
  penalty: number,
  extra: MessageInitShape<typeof FindingSchema> = {},
) =>
  create(FindingSchema, { checkId, status, severity, penalty, domain: "security", title: `${checkId} ${status}`, ...extra });

function health(findings: Finding[], score: number, band: Band, stale = false): FakeDeviceHealth {
  return {
    findings,
    score,
    scored: true,
    stale,
    server: false,
    computeTime: new Date(),
    health: { band, capReason: "", needsAttention: 0 },
  } as unknown as FakeDeviceHealth;
}

describe("the fake's triage answers", () => {
  it("name the worst unsuppressed issue as the top reason, as the server does", () => {
    const fs = [
      finding("a", "warn", "medium", 5),
      finding("b", "fail", "critical", 0, { suppressed: true }),
      finding("c", "fail", "high", 20),
      finding("d", "pass", "info", 0),
      finding("e", "warn", "high", 20),
    ];
    expect(issues(fs).map((f) => f.checkId)).toEqual(["c", "e", "a"]);
    const s = summaryOf(health(fs, 75, Band.FAIR));
    expect([s.topReasonCheckId, s.topReasonSeverity, s.issueCount, s.needsAttention]).toEqual(["c", "high", 3, true]);
    expect(summaryOf(health([finding("a", "warn", "medium", 5)], 80, Band.FAIR)).needsAttention).toBe(false);
    expect(summaryOf(undefined)).toMatchObject({ scored: false, stale: true, needsAttention: false });
    expect(summaryOf(health([], 95, Band.HEALTHY, true)).needsAttention).toBe(false);
  });

  it("sort by score with unscored devices last both ways and ties by id", () => {
    const dev = (id: string, score?: number) =>
      create(DeviceSchema, {
        id,
        health: create(DeviceHealthSummarySchema, { score: score ?? 0, scored: score !== undefined }),
      });
    const all = [dev("u1"), dev("b", 75), dev("a", 75), dev("c", 40), dev("u0")];
    expect([...all].sort(byScore(false)).map((d) => d.id)).toEqual(["c", "a", "b", "u0", "u1"]);
    expect([...all].sort(byScore(true)).map((d) => d.id)).toEqual(["b", "a", "c", "u1", "u0"]);
  });

  it("count devices per check, a failure beating a warning on the same device, highest impact first", () => {
    const dev = (id: string) => create(DeviceSchema, { id, hostname: `host-${id}` });
    const rows = checkSummaries(
      [
        { device: dev("1"), health: health([finding("fw", "fail", "critical", 30)], 40, Band.CRITICAL) },
        { device: dev("2"), health: health([finding("fw", "warn", "medium", 5), finding("av", "warn", "high", 10)], 80, Band.FAIR) },
        {
          device: dev("3"),
          health: health(
            [finding("fw", "fail", "high", 20, { subject: "public" }), finding("fw", "warn", "medium", 5, { subject: "private" })],
            70,
            Band.FAIR,
          ),
        },
        { device: dev("4"), health: undefined },
      ],
      [],
      "",
    );
    expect(rows.map((r) => [r.checkId, r.devicesFailing, r.devicesWarning, r.impact, r.severity])).toEqual([
      ["fw", 2, 1, 55, "critical"],
      ["av", 0, 1, 10, "high"],
    ]);
    expect(rows[0]?.worst?.hostname).toBe("host-1");
  });
});
