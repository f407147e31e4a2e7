import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { bandOf } from "../../features/health/labels";
import { Band, EntityKind, HealthSchema, HealthService, HistoryRange, type Finding } from "../../gen/wegweiser/v1/health_pb";
import { SCORING_MODEL } from "./fixtures";
import type { FakeBackend } from "../fake-backend";
import { entityKey, severityRank } from "./shared";
import { checkSummaries } from "./triage";

/** healthService answers HealthService for the fake backend b. */
export function healthService(b: FakeBackend): Partial<ServiceImpl<typeof HealthService>> {
  return {
    getHealth: (req, ctx) => {
      b.enter("GetHealth", req, ctx);
      b.need("device.read");
      const entity = b.entity(req.entity);
      if (entity.kind === EntityKind.DEVICE) return { health: b.deviceHealthOf(entity.id) };
      return b.rollUp(entity, b.devicesOf(entity));
    },
    listFindings: (req, ctx) => {
      b.enter("ListFindings", req, ctx);
      b.need("device.read");
      const entity = b.entity(req.entity);
      const out: Finding[] = [];
      for (const d of b.devicesOf(entity)) {
        for (const f of b.deviceHealth.get(d.id)?.findings ?? []) {
          if (req.domain && f.domain !== req.domain) continue;
          const bad = f.status === "fail" || f.status === "warn";
          if (!bad && !(req.includePassed && entity.kind === EntityKind.DEVICE)) continue;
          out.push(f);
        }
      }
      out.sort(
        (a, b) =>
          Number(b.status === "fail") - Number(a.status === "fail") ||
          severityRank(b.severity) - severityRank(a.severity) ||
          b.penalty - a.penalty ||
          a.hostname.localeCompare(b.hostname) ||
          (a.checkId + a.subject).localeCompare(b.checkId + b.subject),
      );
      return { findings: out.slice(0, req.pageSize || 200) };
    },
    getHistory: (req, ctx) => {
      b.enter("GetHistory", req, ctx);
      b.need("device.read");
      const entity = b.entity(req.entity);
      const days = { [HistoryRange.HISTORY_RANGE_7_DAYS]: 7, [HistoryRange.HISTORY_RANGE_90_DAYS]: 90 }[req.range as number] ?? 30;
      const since = Date.now() - days * 86_400_000;
      let all = b.history.get(entityKey(entity));
      if (!all && entity.kind === EntityKind.DEVICE) {
        const h = b.deviceHealth.get(entity.id);
        all = h?.scored ? [{ time: h.computeTime, score: h.score }] : [];
      }
      const before = (all ?? []).filter((p) => p.time.getTime() < since).at(-1);
      const inRange = (all ?? []).filter((p) => p.time.getTime() >= since);
      const points = [...(before ? [{ ...before, time: new Date(since) }] : []), ...inRange].map((p) => ({
        time: timestampFromDate(p.time),
        score: p.scored === false ? 0 : p.score,
        band: p.scored === false ? Band.UNSPECIFIED : bandOf(SCORING_MODEL.bands, p.score),
      }));
      return { points };
    },
    explainChange: (req, ctx) => {
      b.enter("ExplainChange", req, ctx);
      b.need("device.read");
      b.device(req.deviceId);
      const set = b.explanations.get(req.deviceId);
      if (set) return set;
      const h = b.deviceHealth.get(req.deviceId);
      if (!h?.scored) {
        throw new ConnectError("the device has no analysed score at that time yet", Code.FailedPrecondition);
      }
      return { toScore: h.score, toComputeTime: timestampFromDate(h.computeTime) };
    },
    listWorstDevices: (req, ctx) => {
      b.enter("ListWorstDevices", req, ctx);
      b.need("device.read");
      const entity = b.entity(req.entity);
      const limit = Math.min(req.limit || 10, 100);
      return { devices: b.worstOf(b.devicesOf(entity)).slice(0, limit) };
    },
    listCheckSummaries: (req, ctx) => {
      b.enter("ListCheckSummaries", req, ctx);
      b.need("device.read");
      if (req.entity?.kind === EntityKind.DEVICE) {
        throw new ConnectError("entity.kind: must be tenant, organisation or group", Code.InvalidArgument);
      }
      // Unlike GetHealth, the tenant scope is open to users limited to some
      // organisations: it counts the devices they can see.
      const entity = req.entity?.kind === EntityKind.TENANT ? { kind: EntityKind.TENANT, id: "" } : b.entity(req.entity);
      const scope = b.me.organisationIds;
      const orgOf =
        entity.kind === EntityKind.ORGANISATION
          ? entity.id
          : b.groups.find((g) => entity.kind === EntityKind.GROUP && g.id === entity.id)?.organisationId;
      if (scope.length > 0 && orgOf !== undefined && !scope.includes(orgOf)) {
        throw new ConnectError(`${EntityKind[entity.kind].toLowerCase()} not found`, Code.NotFound);
      }
      const devices = b.devicesOf(entity).filter((d) => scope.length === 0 || scope.includes(d.organisationId));
      return {
        checks: checkSummaries(
          devices.map((device) => ({ device, health: b.deviceHealth.get(device.id) })),
          b.checks,
          req.domain,
        ),
        deviceCount: devices.length,
      };
    },
    listOrganisationHealth: (req, ctx) => {
      b.enter("ListOrganisationHealth", req, ctx);
      b.need("organisation.read");
      const scope = b.me.organisationIds;
      const organisations = b.organisations
        .filter((o) => scope.length === 0 || scope.includes(o.id))
        .map((o) => {
          const entity = { kind: EntityKind.ORGANISATION, id: o.id };
          const health = b.rollUp(entity, b.devicesOf(entity)).health ?? create(HealthSchema, { entity });
          // Baselines, regressions and the median are the server's answer,
          // set by each test: the fake computes none of them.
          const { baseline, regressed } = b.organisationComparisons.get(o.id) ?? { baseline: 0, regressed: false };
          return { organisationId: o.id, name: o.name, health, baseline, regressed };
        })
        .sort(
          (a, b) =>
            Number(b.health.scored) - Number(a.health.scored) ||
            a.health.score - b.health.score ||
            a.name.localeCompare(b.name),
        );
      const tenantMedian = b.tenantMedian;
      return { organisations, tenantMedian };
    },
    getScoringModel: (req, ctx) => {
      b.enter("GetScoringModel", req, ctx);
      b.need("device.read");
      return b.scoringModel;
    },
    listChecks: (req, ctx) => {
      b.enter("ListChecks", req, ctx);
      b.need("device.read");
      return { checks: b.checks };
    },
    recompute: (req, ctx) => {
      b.enter("Recompute", req, ctx);
      b.need("device.write");
      return { queuedDevices: b.devicesOf(b.entity(req.entity)).length };
    },
  };
}
