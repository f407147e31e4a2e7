import { clone, create, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { AuthService, TenantSchema, UserSchema, type User } from "../gen/wegweiser/v1/auth_pb";
import { Role } from "../gen/wegweiser/v1/common_pb";
import { DeviceRole, DeviceSchema, DeviceService, Platform, type BulkOperation, type Device } from "../gen/wegweiser/v1/device_pb";
import {
  GroupSchema,
  OrganisationSchema,
  RetentionSchema,
  TenantService,
  type Group,
  type Organisation,
  type Retention,
} from "../gen/wegweiser/v1/tenant_pb";
import { UserService } from "../gen/wegweiser/v1/user_pb";
import { SnapshotSchema, type Snapshot } from "../gen/wegweiser/agent/v1/snapshot_pb";
import {
  EnrolmentKeySchema,
  EnrolmentService,
  GetAgentDistributionResponseSchema,
  type EnrolmentKey,
  type GetAgentDistributionResponse,
} from "../gen/wegweiser/v1/enrolment_pb";
import { InventoryService } from "../gen/wegweiser/v1/inventory_pb";
import {
  NotificationSchema,
  AlertService,
  WebhookDeliverySchema,
  WebhookSchema,
  type Notification,
  type Webhook,
  type WebhookDelivery,
} from "../gen/wegweiser/v1/alert_pb";
import {
  OverrideSchema,
  PolicyAuditEventSchema,
  PolicyLevel,
  PolicyService,
  type Override,
  type PolicyAuditEvent,
  type PolicyScope,
} from "../gen/wegweiser/v1/policy_pb";
import { permissionsOf } from "./fake/permissions";
import { summaryOf } from "./fake/triage";
import { CHECKS, deviceHealthFrom, rollUpFrom, SCORING_MODEL, type DeviceFixture, type FakeDeviceHealth } from "./fake/fixtures";
import {
  Band,
  CheckInfoSchema,
  EntityKind,
  ExplainChangeResponseSchema,
  GetScoringModelResponseSchema,
  HealthSchema,
  HealthService,
  type CheckInfo,
  type EntityRef,
} from "../gen/wegweiser/v1/health_pb";

import { authService } from "./fake/auth";
import { tenantService } from "./fake/tenant";
import { deviceService } from "./fake/device";
import { enrolmentService } from "./fake/enrolment";
import { inventoryService } from "./fake/inventory";
import { healthService } from "./fake/health";
import { policyService } from "./fake/policy";
import { alertService } from "./fake/alert";
import { userService } from "./fake/user";
import { aiService, chatService, FakeAI } from "./fake/ai";
import { FakeOnboarding, onboardingService } from "./fake/onboarding";
import { FakeAudit, auditService } from "./fake/audit";
import { AuditService } from "../gen/wegweiser/v1/audit_pb";
import { OnboardingService } from "../gen/wegweiser/v1/onboarding_pb";
import { transferService, type FakePreregistration } from "./fake/transfer";
import { TransferService } from "../gen/wegweiser/v1/transfer_pb";
import { AIService } from "../gen/wegweiser/v1/ai_pb";
import { ChatService } from "../gen/wegweiser/v1/chat_pb";
import { entityKey, RETENTION_DEFAULTS } from "./fake/shared";
import { FakeReports, reportService } from "./fake/report";
import { ReportService } from "../gen/wegweiser/v1/report_pb";
import { SingleSignOnService } from "../gen/wegweiser/v1/sso_pb";
import { ssoService } from "./fake/sso";

export type { DeviceFixture, FakeDeviceHealth } from "./fake/fixtures";

/** Permissions of an owner, as the server's policy.csv grants them. */
export const OWNER_PERMISSIONS = permissionsOf(Role.OWNER);

/** Permissions of a viewer: reads only. */
export const VIEWER_PERMISSIONS = permissionsOf(Role.VIEWER);

/** Permissions of a technician (usually limited to some organisations). */
export const TECHNICIAN_PERMISSIONS = permissionsOf(Role.TECHNICIAN);

/** Permissions of a customer (limited to its organisations): reads only. */
export const CUSTOMER_PERMISSIONS = permissionsOf(Role.CUSTOMER);

/** Init is what tests pass to seed a message: plain fields, nested messages as plain objects too. */
type Init<Desc extends DescMessage> = Exclude<MessageInitShape<Desc>, { $typeName: string }>;

/** Call records one request that reached the fake server. */
export interface Call {
  method: string;
  authorization: string | null;
  request: unknown;
}

const PUBLIC = new Set([
  "SignUp",
  "Login",
  "Refresh",
  "AcceptInvitation",
  "GetAuthConfig",
  "VerifyEmail",
  "RequestPasswordReset",
  "ResetPassword",
]);

/**
 * FakeBackend is an in-memory Wegweiser server for createRouterTransport: it
 * checks bearer tokens, rotates refresh tokens and keeps organisations,
 * groups, devices and users in arrays that tests can seed and inspect.
 * Each service's handlers live in test/fake/<service>.ts; health answers
 * are the server's own, replayed from test/fixtures/health.json.
 */
export class FakeBackend {
  role: Role;
  permissions: string[];
  accessToken = "access-1";
  refreshToken = "refresh-1";
  private generation = 1;
  calls: Call[] = [];
  tenant = create(TenantSchema, { id: "t1", name: "Acme IT Services" });
  /** The tenant's retention; the bounds and defaults mirror the server's (backend/internal/retention). */
  retention: Retention = create(RetentionSchema, RETENTION_DEFAULTS);
  me: User;
  organisations: Organisation[] = [];
  groups: Group[] = [];
  devices: Device[] = [];
  /** Device rows imported from CSV, waiting for their agent. */
  preregistrations: FakePreregistration[] = [];
  /** Bulk operations, newest last; each GetBulkOperation moves one on by bulkStep devices. */
  bulkOperations: BulkOperation[] = [];
  /** How many devices a bulk operation gets through per GetBulkOperation (default: all at once). */
  bulkStep = Infinity;
  users: User[] = [];
  enrolmentKeys: EnrolmentKey[] = [];
  /** What GetAgentDistribution answers; tests change its warnings and artifacts. */
  agentDistribution: GetAgentDistributionResponse = create(GetAgentDistributionResponseSchema, FAKE_AGENT_DISTRIBUTION);
  /** Latest snapshot per device id, as GetDeviceInventory returns it. */
  inventories = new Map<string, { snapshot: Snapshot; receivedTime: Date; snapshotCount: number }>();
  /** When set, the next call of this method (e.g. "Login") fails with the error. */
  failures = new Map<string, ConnectError>();
  /** Report schedules and mailed reports (ReportService). */
  reports = new FakeReports();
  /** The analysed health of each device, by device id (set with setDeviceHealth). */
  deviceHealth = new Map<string, FakeDeviceHealth>();
  /** Score history per entity ("device:dev-1", "organisation:org-1", "tenant:"), oldest first. */
  history = new Map<string, FakePoint[]>();
  /** ExplainChange answers by device id. */
  explanations = new Map<string, MessageInitShape<typeof ExplainChangeResponseSchema>>();
  /** The scoring model GetScoringModel returns: the server's (test/fixtures/health.json); tests may change it. */
  scoringModel = clone(GetScoringModelResponseSchema, SCORING_MODEL);
  /** The check catalogue ListChecks returns. */
  checks: CheckInfo[] = CHECKS.map((c) => clone(CheckInfoSchema, c));
  /** 14-day baseline of each organisation, by id (ListOrganisationHealth; missing means no history). */
  /** ListOrganisationHealth's baseline and regression per organisation, as the server would answer. */
  organisationComparisons = new Map<string, { baseline: number; regressed: boolean }>();
  /** ListOrganisationHealth's tenant median, as the server would answer. */
  tenantMedian = 0;
  /** Policy overrides at every level (tenant overrides carry the tenant's id, as the server's do). */
  overrides: Override[] = [];
  /** AI guidance per level ("organisation:org-1", "tenant:t1"). */
  guidance = new Map<string, string>();
  /** Policy changes, newest first. */
  policyAudit: PolicyAuditEvent[] = [];
  /** The caller's notifications with their read state. */
  notifications: Notification[] = [];
  webhooks: Webhook[] = [];
  /** Whether GetAuthConfig reports public sign-up as open. */
  publicSignup = true;
  /** Verification and reset tokens the fake accepts (each works once). */
  verificationTokens = new Set<string>();
  resetTokens = new Set<string>();
  /** Webhook deliveries, in the order they were queued. */
  deliveries: WebhookDelivery[] = [];
  /** The assistant: conversations, memories, narratives, AI settings and usage (test/fake/ai.ts). */
  ai = new FakeAI();
  /** The getting-started checklist's state and the caller's seen tours (test/fake/onboarding.ts). */
  onboarding = new FakeOnboarding();
  /** The tenant's audit log, newest first (test/fake/audit.ts). */
  auditLog = new FakeAudit();

  /**
   * role picks default permissions; organisationIds limits the caller to
   * those organisations (technicians and customers), as the server does.
   */
  constructor(opts: { role?: Role; permissions?: string[]; organisationIds?: string[] } = {}) {
    this.role = opts.role ?? Role.OWNER;
    this.permissions = opts.permissions ?? defaultPermissions(this.role);
    this.me = create(UserSchema, {
      id: "u1",
      email: "ada@example.com",
      displayName: "Ada",
      role: this.role,
      organisationIds: opts.organisationIds ?? [],
      emailVerified: true,
    });
    this.users = [this.me];
  }

  /** tokens returns the pair the server currently accepts, as the SPA stores it. */
  tokens() {
    return {
      accessToken: this.accessToken,
      accessTokenExpiresAt: Date.now() + 15 * 60_000,
      refreshToken: this.refreshToken,
      refreshTokenExpiresAt: Date.now() + 30 * 86_400_000,
    };
  }

  /** expireAccessToken makes the current access token invalid (as after 15 minutes). */
  expireAccessToken() {
    // The server now wants a token it has not handed out yet: only a refresh helps.
    this.accessToken = `access-${this.generation}-not-issued`;
  }

  addOrganisation(name: string, extra: Partial<Omit<Organisation, "$typeName" | "$unknown">> = {}): Organisation {
    const o = create(OrganisationSchema, {
      id: `org-${this.organisations.length + 1}`,
      name,
      createTime: timestampFromDate(new Date()),
      ...extra,
    });
    this.organisations.push(o);
    return o;
  }

  addGroup(organisationId: string, name: string): Group {
    const g = create(GroupSchema, { id: `grp-${this.groups.length + 1}`, organisationId, name });
    this.groups.push(g);
    return g;
  }

  addDevice(hostname: string, extra: Partial<Omit<Device, "$typeName" | "$unknown">> = {}): Device {
    const d = create(DeviceSchema, {
      id: `dev-${this.devices.length + 1}`,
      hostname,
      platform: Platform.WINDOWS,
      organisationId: this.organisations[0]?.id ?? "",
      ...extra,
    });
    this.devices.push(d);
    return d;
  }

  addEnrolmentKey(organisationId: string, extra: Partial<Omit<EnrolmentKey, "$typeName" | "$unknown">> = {}): EnrolmentKey {
    const n = this.enrolmentKeys.length + 1;
    const k = create(EnrolmentKeySchema, {
      id: `key-${n}`,
      organisationId,
      prefix: `wgk_${String(n).padStart(4, "0")}`,
      createTime: timestampFromDate(new Date(Date.now() - (100 - n) * 60_000)),
      ...extra,
    });
    this.enrolmentKeys.push(k);
    return k;
  }

  /** setInventory stores the latest snapshot of a device. */
  setInventory(deviceId: string, snapshot: MessageInitShape<typeof SnapshotSchema>, receivedTime = new Date()) {
    this.inventories.set(deviceId, { snapshot: create(SnapshotSchema, snapshot), receivedTime, snapshotCount: 1 });
  }

  /**
   * setDeviceHealth stores an analysis of a device: the server's answers for
   * one of the analyzer's golden devices (test/fixtures/health.json), with
   * this device's id and host name. The fake computes no score itself.
   */
  setDeviceHealth(
    deviceId: string,
    fixture: DeviceFixture,
    extra: { stale?: boolean; computeTime?: Date } = {},
  ): FakeDeviceHealth {
    const d = this.device(deviceId);
    const h = deviceHealthFrom(fixture, d, {
      server: d.role === DeviceRole.SERVER,
      stale: extra.stale,
      computeTime: extra.computeTime ?? new Date(Date.now() - 5 * 60_000),
    });
    this.deviceHealth.set(deviceId, h);
    return h;
  }

  /** addOverride stores an override at a level (tenant: id is filled in). */
  addOverride(
    scope: { level: PolicyLevel; id?: string },
    extra: Omit<Init<typeof OverrideSchema>, "scope"> & { checkId: string },
  ): Override {
    const o = create(OverrideSchema, {
      id: `ovr-${this.overrides.length + 1}`,
      scope: { level: scope.level, id: scope.level === PolicyLevel.TENANT ? this.tenant.id : (scope.id ?? "") },
      reason: "Agreed with the customer",
      updatedBy: this.me.email,
      updateTime: timestampFromDate(new Date(Date.now() - 3_600_000)),
      ...extra,
    });
    this.overrides.push(o);
    return o;
  }

  /** addNotification raises a notification; later ones are newer. */
  addNotification(extra: Init<typeof NotificationSchema> = {}): Notification {
    const n = this.notifications.length + 1;
    const note = create(NotificationSchema, {
      id: `ntf-${n}`,
      kind: "band_worse",
      severity: "warning",
      title: `Notification ${n}`,
      entity: { kind: EntityKind.TENANT, id: this.tenant.id },
      createTime: timestampFromDate(new Date(Date.now() - (10_000 - n) * 60_000)),
      ...extra,
    });
    this.notifications.push(note);
    return note;
  }

  addWebhook(extra: Init<typeof WebhookSchema> = {}): Webhook {
    const h = create(WebhookSchema, {
      id: `whk-${this.webhooks.length + 1}`,
      url: `https://hooks.example.com/${this.webhooks.length + 1}`,
      createTime: timestampFromDate(new Date(Date.now() - 86_400_000)),
      ...extra,
    });
    this.webhooks.push(h);
    return h;
  }

  /** addDelivery queues a delivery to a webhook; later ones are newer. */
  addDelivery(webhookId: string, extra: Init<typeof WebhookDeliverySchema> = {}): WebhookDelivery {
    const n = this.deliveries.length + 1;
    const d = create(WebhookDeliverySchema, {
      id: `dlv-${n}`,
      webhookId,
      notificationId: `ntf-${n}`,
      status: "pending",
      createTime: timestampFromDate(new Date(Date.now() - (1000 - n) * 60_000)),
      ...extra,
    });
    this.deliveries.push(d);
    return d;
  }

  /** setHistory stores an entity's score changes (oldest first); tenant id is "". */
  setHistory(entity: { kind: EntityKind; id: string }, points: FakePoint[]) {
    this.history.set(entityKey(entity), points);
  }

  /** callsOf lists the requests one method received. */
  callsOf(method: string) {
    return this.calls.filter((c) => c.method === method);
  }

  /** For the service modules in fake/. */
  issue() {
    this.generation++;
    this.accessToken = `access-${this.generation}`;
    this.refreshToken = `refresh-${this.generation}`;
    return {
      accessToken: this.accessToken,
      accessTokenExpiresAt: timestampFromDate(new Date(Date.now() + 15 * 60_000)),
      refreshToken: this.refreshToken,
      refreshTokenExpiresAt: timestampFromDate(new Date(Date.now() + 30 * 86_400_000)),
      tenantId: this.tenant.id,
    };
  }

  /** For the service modules in fake/. */
  enter(method: string, request: unknown, ctx: HandlerContext) {
    const authorization = ctx.requestHeader.get("Authorization");
    this.calls.push({ method, authorization, request });
    const failure = this.failures.get(method);
    if (failure) {
      this.failures.delete(method);
      throw failure;
    }
    if (!PUBLIC.has(method) && authorization !== `Bearer ${this.accessToken}`) {
      throw new ConnectError("access token is missing or expired", Code.Unauthenticated);
    }
  }

  /** For the service modules in fake/. */
  need(permission: string) {
    if (!this.permissions.includes(permission)) {
      throw new ConnectError(`missing permission ${permission}`, Code.PermissionDenied);
    }
  }

  /** For the service modules in fake/. */
  org(id: string) {
    const o = this.organisations.find((x) => x.id === id);
    if (!o) throw new ConnectError("organisation not found", Code.NotFound);
    return o;
  }

  /** For the service modules in fake/. */
  device(id: string) {
    const d = this.devices.find((x) => x.id === id);
    if (!d) throw new ConnectError("device not found", Code.NotFound);
    return d;
  }

  /** For the service modules in fake/. */
  entity(ref: EntityRef | undefined): { kind: EntityKind; id: string } {
    if (!ref || ref.kind === EntityKind.UNSPECIFIED) throw new ConnectError("entity is required", Code.InvalidArgument);
    if (ref.kind === EntityKind.TENANT) {
      if (this.me.organisationIds.length > 0) {
        throw new ConnectError(
          "your access is limited to chosen organisations; ask for their health instead",
          Code.PermissionDenied,
        );
      }
      return { kind: EntityKind.TENANT, id: "" };
    }
    if (!ref.id) throw new ConnectError("entity.id is required", Code.InvalidArgument);
    return { kind: ref.kind, id: ref.id };
  }

  /** policyScope checks a PolicyScope like the server (tenant: its own id). */
  /** For the service modules in fake/. */
  policyScope(scope: PolicyScope | undefined): { level: PolicyLevel; id: string } {
    if (!scope) throw new ConnectError("scope is required", Code.InvalidArgument);
    switch (scope.level) {
      case PolicyLevel.TENANT:
        if (scope.id && scope.id !== this.tenant.id) throw new ConnectError("tenant not found", Code.NotFound);
        return { level: scope.level, id: this.tenant.id };
      case PolicyLevel.ORGANISATION:
        this.org(scope.id);
        return { level: scope.level, id: scope.id };
      case PolicyLevel.GROUP:
        if (!this.groups.some((g) => g.id === scope.id)) throw new ConnectError("group not found", Code.NotFound);
        return { level: scope.level, id: scope.id };
      case PolicyLevel.DEVICE:
        this.device(scope.id);
        return { level: scope.level, id: scope.id };
      default:
        throw new ConnectError("scope.level must be tenant, organisation, group or device", Code.InvalidArgument);
    }
  }

  /** devicesBelow lists the devices a policy level applies to. */
  /** For the service modules in fake/. */
  devicesBelow(scope: { level: PolicyLevel; id: string }): Device[] {
    const kind = {
      [PolicyLevel.ORGANISATION]: EntityKind.ORGANISATION,
      [PolicyLevel.GROUP]: EntityKind.GROUP,
      [PolicyLevel.DEVICE]: EntityKind.DEVICE,
    }[scope.level as number];
    return kind ? this.devicesOf({ kind, id: scope.id }) : this.devices;
  }

  /** For the service modules in fake/. */
  audit(action: string, scope: { level: PolicyLevel; id: string }, checkId: string, reason: string, detail: string) {
    this.policyAudit.unshift(
      create(PolicyAuditEventSchema, {
        action,
        scope,
        checkId,
        actor: this.me.email,
        reason,
        detail,
        time: timestampFromDate(new Date()),
      }),
    );
  }

  /** devicesOf lists the devices of an entity (throws not_found for unknown ones). */
  /** For the service modules in fake/. */
  devicesOf(entity: { kind: EntityKind; id: string }): Device[] {
    switch (entity.kind) {
      case EntityKind.DEVICE:
        return [this.device(entity.id)];
      case EntityKind.GROUP:
        if (!this.groups.some((g) => g.id === entity.id)) throw new ConnectError("group not found", Code.NotFound);
        return this.devices.filter((d) => d.groupId === entity.id);
      case EntityKind.ORGANISATION:
        this.org(entity.id);
        return this.devices.filter((d) => d.organisationId === entity.id);
      default:
        return this.devices;
    }
  }

  /** For the service modules in fake/. */
  deviceHealthOf(id: string): MessageInitShape<typeof HealthSchema> {
    const h = this.deviceHealth.get(id);
    if (!h) {
      // As the server before the first analysis.
      return { entity: { kind: EntityKind.DEVICE, id }, stale: true, deviceCount: 1, bands: [{ band: Band.UNSPECIFIED, devices: 1 }] };
    }
    return h.health;
  }

  /** worstOf lists analysed devices, lowest score first (scores from the fixtures). */
  /** For the service modules in fake/. */
  worstOf(devices: Device[]) {
    return devices
      .flatMap((d) => {
        const h = this.deviceHealth.get(d.id);
        return h?.scored ? [{ d, h }] : [];
      })
      .sort((a, b) => a.h.score - b.h.score || a.d.id.localeCompare(b.d.id))
      .map(({ d, h }) => ({
        deviceId: d.id,
        hostname: d.hostname,
        organisationId: d.organisationId,
        score: h.score,
        band: h.health.band,
        stale: h.stale,
        server: h.server,
        reason: h.health.capReason,
        needsAttention: summaryOf(h).needsAttention,
        topReasonCheckId: summaryOf(h).topReasonCheckId,
      }));
  }

  /** rollUp replays the server's roll-up of an entity's devices (see rollUpFrom). */
  /** For the service modules in fake/. */
  rollUp(entity: { kind: EntityKind; id: string }, devices: Device[]) {
    return rollUpFrom(
      entity,
      devices.map((device) => ({ device, health: this.deviceHealth.get(device.id) })),
    );
  }

  /** routes registers the services on a ConnectRouter. */
  routes = (router: ConnectRouter) => {
    router.service(AuthService, authService(this));
    router.service(TenantService, tenantService(this));
    router.service(DeviceService, deviceService(this));
    router.service(EnrolmentService, enrolmentService(this));
    router.service(InventoryService, inventoryService(this));
    router.service(HealthService, healthService(this));
    router.service(PolicyService, policyService(this));
    router.service(AlertService, alertService(this));
    router.service(UserService, userService(this));
    router.service(ChatService, chatService(this));
    router.service(AIService, aiService(this));
    router.service(OnboardingService, onboardingService(this));
    router.service(TransferService, transferService(this));
    router.service(ReportService, reportService(this));
    router.service(AuditService, auditService(this));
    router.service(SingleSignOnService, ssoService(this));
  };
}

/** defaultPermissions are the server's permissions of a role (backend/internal/authz/policy.csv). */
function defaultPermissions(role: Role): string[] {
  return permissionsOf(role);
}

// ---------- Health ----------

/** FakePoint is one score change of an entity's history. */
export interface FakePoint {
  time: Date;
  score: number;
  /** false for a point without a score. */
  scored?: boolean;
}

/**
 * sickWorkstation is the analyzer's golden Windows laptop with a failing
 * disk: a nearly full C: and failing SMART (critical, score 1), a
 * pending reboot, end-of-life software and disk errors in the logs.
 */
export function sickWorkstation(): DeviceFixture {
  return "windows-laptop-failing-disk";
}

/** healthyDevice is the analyzer's golden healthy Windows workstation (100). */
export function healthyDevice(): DeviceFixture {
  return "windows-workstation-healthy";
}




const FAKE_SERVER = "https://wegweiser.example";
const FAKE_AGENT_VERSION = "1.4.0";

/** FAKE_AGENT_DISTRIBUTION is a server with every build of one version and a public https URL. */
const FAKE_AGENT_DISTRIBUTION: MessageInitShape<typeof GetAgentDistributionResponseSchema> = {
  publicUrl: FAKE_SERVER,
  warnings: [],
  version: FAKE_AGENT_VERSION,
  checksumsUrl: `${FAKE_SERVER}/agent/SHA256SUMS`,
  checksumsSignatureUrl: `${FAKE_SERVER}/agent/SHA256SUMS.sig`,
  signingPublicKey: "3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
  artifacts: (
    [
      ["linux", "amd64", "binary", "", 14_336_000],
      ["linux", "amd64", "deb", ".deb", 5_120_000],
      ["linux", "amd64", "rpm", ".rpm", 5_300_000],
      ["linux", "arm64", "binary", "", 13_700_000],
      ["macos", "arm64", "binary", "", 14_100_000],
      ["windows", "amd64", "binary", ".exe", 14_600_000],
      ["windows", "amd64", "msi", ".msi", 5_900_000],
    ] as const
  ).map(([platform, arch, format, ext, size], i) => {
    const goos = platform === "macos" ? "darwin" : platform;
    const fileName = `wegweiser-agent_${FAKE_AGENT_VERSION}_${goos}_${arch}${ext}`;
    return {
      platform,
      arch,
      format,
      fileName,
      url: `${FAKE_SERVER}/agent/download/${fileName}`,
      sha256: (i + 1).toString(16).repeat(64).slice(0, 64),
      size: BigInt(size),
      version: FAKE_AGENT_VERSION,
    };
  }),
};
