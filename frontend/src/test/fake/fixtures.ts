import { create, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  EntityKind,
  GetHealthResponseSchema,
  GetScoringModelResponseSchema,
  HealthSchema,
  ListChecksResponseSchema,
  ListFindingsResponseSchema,
  type DeviceScore,
  type Finding,
  type GetHealthResponse,
  type Health,
} from "../../gen/wegweiser/v1/health_pb";
import fixtures from "../fixtures/health.json";

/**
 * The health fixtures are the server's own answers for the analyzer's golden
 * devices, written by `go test ./backend/internal/api/healthapi -run
 * TestHealthFixtures -update` (a Go test fails when they are stale). The fake
 * backend replays them and computes no score, penalty or band itself.
 */
const data = fixtures as unknown as {
  scoringModel: JsonValue;
  checks: JsonValue;
  devices: Record<string, { server: boolean; health: JsonValue; findings: JsonValue }>;
  rollUps: Record<string, JsonValue>;
};

/** DeviceFixture names a golden device of the analyzer (see backend/internal/analyzer/testdata/corpus.json). */
export type DeviceFixture = keyof typeof fixtures.devices;

/** SCORING_MODEL is what the server's GetScoringModel answers. */
export const SCORING_MODEL = fromJson(GetScoringModelResponseSchema, data.scoringModel);

/** CHECKS is the analyzer's check catalogue as the server's ListChecks answers it. */
export const CHECKS = fromJson(ListChecksResponseSchema, data.checks).checks;

/** deviceFixtures lists the device fixtures. */
export const deviceFixtures = Object.keys(data.devices) as DeviceFixture[];

/** FakeDeviceHealth is one analysed device, as the server stores it. */
export interface FakeDeviceHealth {
  /** The golden device it replays. */
  fixture: DeviceFixture;
  health: Health;
  findings: Finding[];
  score: number;
  scored: boolean;
  stale: boolean;
  server: boolean;
  computeTime: Date;
}

/** deviceHealthFrom replays a golden device's GetHealth and ListFindings for one of the fake's devices. */
export function deviceHealthFrom(
  fixture: DeviceFixture,
  device: { id: string; hostname: string },
  opts: { server: boolean; stale?: boolean; computeTime: Date },
): FakeDeviceHealth {
  const f = data.devices[fixture];
  if (!f) throw new Error(`no health fixture "${fixture}"; fixtures: ${deviceFixtures.join(", ")}`);
  const health = fromJson(GetHealthResponseSchema, f.health).health ?? create(HealthSchema);
  const stale = opts.stale ?? health.stale;
  health.entity = { $typeName: "wegweiser.v1.EntityRef", kind: EntityKind.DEVICE, id: device.id };
  health.stale = stale;
  health.freshness = stale ? 0 : 1;
  health.computeTime = timestampFromDate(opts.computeTime);
  const findings = fromJson(ListFindingsResponseSchema, f.findings).findings.map((x) => {
    x.deviceId = device.id;
    x.hostname = device.hostname;
    return x;
  });
  return {
    fixture,
    health,
    findings,
    score: health.score,
    scored: health.scored,
    stale,
    server: opts.server,
    computeTime: opts.computeTime,
  };
}

/** Member is a device in a roll-up: the fake's device and its analysed health, if any. */
export interface Member {
  device: { id: string; hostname: string; organisationId: string };
  health: FakeDeviceHealth | undefined;
}

/** memberToken names a member as the fixtures' roll-up keys do. */
function memberToken(m: Member): string {
  if (!m.health) return "unscored";
  return m.health.server ? `${m.health.fixture}@server` : m.health.fixture;
}

/**
 * rollUpFrom replays the server's roll-up of these devices. The fixtures
 * hold roll-ups for the member sets listed in backend/internal/api/healthapi
 * (rollUps); for any other set, and for an entity without devices, it
 * answers as the server does before the first roll-up: no score.
 */
export function rollUpFrom(entity: { kind: EntityKind; id: string }, members: Member[]): GetHealthResponse {
  const sorted = members.map((m) => ({ m, token: memberToken(m) })).sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));
  const json = members.length > 0 ? data.rollUps[sorted.map((s) => s.token).join("+")] : undefined;
  if (!json) {
    return create(GetHealthResponseSchema, { health: { entity } });
  }
  const out = fromJson(GetHealthResponseSchema, json);
  const member = (id: string) => sorted[Number(/^member-(\d+)$/.exec(id)?.[1] ?? -1)]?.m;
  const h = out.health ?? create(HealthSchema);
  h.entity = { $typeName: "wegweiser.v1.EntityRef", ...entity };
  h.capReason = h.capReason.replace(/member-\d+/g, (id) => member(id)?.device.hostname ?? id);
  const times = members.flatMap((m) => (m.health ? [m.health.computeTime.getTime()] : []));
  h.computeTime = times.length ? timestampFromDate(new Date(Math.max(...times))) : undefined;
  out.health = h;
  out.worst = out.worst.map((w): DeviceScore => {
    const m = member(w.deviceId);
    return { ...w, deviceId: m?.device.id ?? w.deviceId, hostname: m?.device.hostname ?? "", organisationId: m?.device.organisationId ?? "" };
  });
  return out;
}
