import { create, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { AuthService, TenantSchema, UserSchema, type User } from "../gen/wegweiser/v1/auth_pb";
import { Role } from "../gen/wegweiser/v1/common_pb";
import { DeviceRole, DeviceSchema, DeviceService, DeviceOrder, Platform, type Device } from "../gen/wegweiser/v1/device_pb";
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
import { SnapshotSchema, type InstalledSoftware, type Snapshot } from "../gen/wegweiser/agent/v1/snapshot_pb";
import { EnrolmentKeySchema, EnrolmentService, type EnrolmentKey } from "../gen/wegweiser/v1/enrolment_pb";
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
import {
  Band,
  CheckInfoSchema,
  EntityKind,
  ExplainChangeResponseSchema,
  FindingSchema,
  HealthService,
  HistoryRange,
  type CheckInfo,
  type EntityRef,
  type Finding,
  type HealthSchema,
} from "../gen/wegweiser/v1/health_pb";

/** Permissions of an owner: everything the SPA gates on. */
export const OWNER_PERMISSIONS = [
  "tenant.write",
  "organisation.read",
  "organisation.write",
  "group.write",
  "device.read",
  "device.write",
  "user.read",
  "user.manage",
  "enrolment.manage",
  "policy.read",
  "policy.manage",
  "alert.manage",
];

/** Permissions of a viewer: reads only. */
export const VIEWER_PERMISSIONS = ["organisation.read", "device.read", "policy.read"];

/** Permissions of a technician (usually limited to some organisations). */
export const TECHNICIAN_PERMISSIONS = [
  "tenant.read",
  "organisation.read",
  "group.read",
  "group.write",
  "device.read",
  "device.write",
  "policy.read",
];

/** Permissions of a customer (limited to its organisations): reads only. */
export const CUSTOMER_PERMISSIONS = ["tenant.read", "organisation.read", "group.read", "device.read"];

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
 */
const RETENTION_DEFAULTS = { snapshotDays: 90, historyDays: 400, notificationDays: 90, webhookDeliveryDays: 30, auditDays: 365 };
const RETENTION_MIN = { snapshotDays: 7, historyDays: 90, notificationDays: 7, webhookDeliveryDays: 1, auditDays: 90 };
const RETENTION_MAX = { snapshotDays: 730, historyDays: 1825, notificationDays: 730, webhookDeliveryDays: 365, auditDays: 2555 };

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
  users: User[] = [];
  enrolmentKeys: EnrolmentKey[] = [];
  /** Latest snapshot per device id, as GetDeviceInventory returns it. */
  inventories = new Map<string, { snapshot: Snapshot; receivedTime: Date; snapshotCount: number }>();
  /** When set, the next call of this method (e.g. "Login") fails with the error. */
  failures = new Map<string, ConnectError>();
  /** The analysed health of each device, by device id (set with setDeviceHealth). */
  deviceHealth = new Map<string, FakeDeviceHealth>();
  /** Score history per entity ("device:dev-1", "organisation:org-1", "tenant:"), oldest first. */
  history = new Map<string, FakePoint[]>();
  /** ExplainChange answers by device id. */
  explanations = new Map<string, MessageInitShape<typeof ExplainChangeResponseSchema>>();
  /** The check catalogue ListChecks returns. */
  checks: CheckInfo[] = CHECKS.map((c) => create(CheckInfoSchema, c));
  /** 14-day baseline of each organisation, by id (ListOrganisationHealth; missing means no history). */
  organisationBaselines = new Map<string, number>();
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
   * setDeviceHealth stores an analysis of a device: the findings decide its
   * domain scores, score, cap and coverage exactly as the server's analyzer
   * does (penalties by severity, weighted domains, caps at 40 and 70).
   */
  setDeviceHealth(
    deviceId: string,
    findings: FindingInit[],
    extra: { stale?: boolean; computeTime?: Date } = {},
  ): FakeDeviceHealth {
    const d = this.device(deviceId);
    const full = findings.map((f) => makeFinding({ ...f, deviceId, hostname: d.hostname }));
    const h: FakeDeviceHealth = {
      ...scoreFindings(full),
      findings: full,
      stale: extra.stale ?? false,
      server: d.role === DeviceRole.SERVER,
      computeTime: extra.computeTime ?? new Date(Date.now() - 5 * 60_000),
    };
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

  private issue() {
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

  private enter(method: string, request: unknown, ctx: HandlerContext) {
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

  private need(permission: string) {
    if (!this.permissions.includes(permission)) {
      throw new ConnectError(`missing permission ${permission}`, Code.PermissionDenied);
    }
  }

  private org(id: string) {
    const o = this.organisations.find((x) => x.id === id);
    if (!o) throw new ConnectError("organisation not found", Code.NotFound);
    return o;
  }

  private device(id: string) {
    const d = this.devices.find((x) => x.id === id);
    if (!d) throw new ConnectError("device not found", Code.NotFound);
    return d;
  }

  private entity(ref: EntityRef | undefined): { kind: EntityKind; id: string } {
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
  private policyScope(scope: PolicyScope | undefined): { level: PolicyLevel; id: string } {
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
  private devicesBelow(scope: { level: PolicyLevel; id: string }): Device[] {
    const kind = {
      [PolicyLevel.ORGANISATION]: EntityKind.ORGANISATION,
      [PolicyLevel.GROUP]: EntityKind.GROUP,
      [PolicyLevel.DEVICE]: EntityKind.DEVICE,
    }[scope.level as number];
    return kind ? this.devicesOf({ kind, id: scope.id }) : this.devices;
  }

  private audit(action: string, scope: { level: PolicyLevel; id: string }, checkId: string, reason: string, detail: string) {
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
  private devicesOf(entity: { kind: EntityKind; id: string }): Device[] {
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

  private deviceHealthOf(id: string): MessageInitShape<typeof HealthSchema> {
    const h = this.deviceHealth.get(id);
    const entity = { kind: EntityKind.DEVICE, id };
    if (!h) {
      return { entity, stale: true, deviceCount: 1, bands: [{ band: Band.UNSPECIFIED, devices: 1 }] };
    }
    return {
      entity,
      score: h.score,
      band: h.scored ? bandOf(h.score) : Band.UNSPECIFIED,
      scored: h.scored,
      capReason: h.capReason,
      domains: h.domains,
      bands: [{ band: h.scored ? bandOf(h.score) : Band.UNSPECIFIED, devices: 1 }],
      coverage: h.coverage,
      freshness: h.stale ? 0 : 1,
      stale: h.stale,
      deviceCount: 1,
      computeTime: timestampFromDate(h.computeTime),
    };
  }

  private worstOf(devices: Device[]) {
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
        band: bandOf(h.score),
        stale: h.stale,
        server: h.server,
      }));
  }

  /**
   * rollUp computes a group's, organisation's or the tenant's health like
   * the server: servers weigh three times a workstation, and a critical
   * device caps the entity at 60 (a sick device is never hidden).
   */
  private rollUp(entity: { kind: EntityKind; id: string }, devices: Device[]) {
    const rows = devices.map((d) => ({ d, h: this.deviceHealth.get(d.id) }));
    const scored = rows.filter((r) => r.h?.scored);
    const bands = new Map<Band, number>();
    for (const r of rows) {
      const b = r.h?.scored ? bandOf(r.h.score) : Band.UNSPECIFIED;
      bands.set(b, (bands.get(b) ?? 0) + 1);
    }
    let score = 0;
    let capReason = "";
    if (scored.length > 0) {
      const weight = (r: (typeof rows)[number]) => (r.h?.server ? 3 : 1);
      const total = scored.reduce((n, r) => n + weight(r), 0);
      score = Math.round(scored.reduce((n, r) => n + weight(r) * (r.h?.score ?? 0), 0) / total);
      const critical = scored.filter((r) => (r.h?.score ?? 100) < 50).sort((a, b) => (a.h?.score ?? 0) - (b.h?.score ?? 0))[0];
      if (critical && score > 60) {
        score = 60;
        capReason = `critical device: ${critical.d.hostname}`;
      }
    }
    const times = rows.flatMap((r) => (r.h ? [r.h.computeTime.getTime()] : []));
    const health: MessageInitShape<typeof HealthSchema> & { score: number; scored: boolean } = {
      entity,
      score,
      band: scored.length > 0 ? bandOf(score) : Band.UNSPECIFIED,
      scored: scored.length > 0,
      capReason,
      bands: [...bands].map(([band, n]) => ({ band, devices: n })),
      coverage: rows.length ? scored.length / rows.length : 0,
      freshness: rows.length ? rows.filter((r) => r.h && !r.h.stale).length / rows.length : 0,
      deviceCount: rows.length,
      computeTime: times.length ? timestampFromDate(new Date(Math.max(...times))) : undefined,
    };
    return { health, worst: this.worstOf(devices).slice(0, 5) };
  }

  /** routes registers the services on a ConnectRouter. */
  routes = (router: ConnectRouter) => {
    router.service(AuthService, {
      signUp: (req, ctx) => {
        this.enter("SignUp", req, ctx);
        this.tenant = create(TenantSchema, { id: "t1", name: req.tenantName });
        this.me = create(UserSchema, { id: "u1", email: req.email, displayName: req.displayName, role: Role.OWNER });
        this.users = [this.me];
        // As the server: an empty answer, whether or not the email was taken.
        return {};
      },
      login: (req, ctx) => {
        this.enter("Login", req, ctx);
        return this.issue();
      },
      refresh: (req, ctx) => {
        this.enter("Refresh", req, ctx);
        if (req.refreshToken !== this.refreshToken) {
          throw new ConnectError("refresh token already used", Code.Unauthenticated);
        }
        return this.issue();
      },
      logout: (req, ctx) => {
        this.calls.push({ method: "Logout", authorization: ctx.requestHeader.get("Authorization"), request: req });
        this.refreshToken = "revoked";
        return {};
      },
      acceptInvitation: (req, ctx) => {
        this.enter("AcceptInvitation", req, ctx);
        return this.issue();
      },
      whoAmI: (req, ctx) => {
        this.enter("WhoAmI", req, ctx);
        return { user: this.me, tenant: this.tenant, permissions: this.permissions };
      },
      getAuthConfig: (req, ctx) => {
        this.enter("GetAuthConfig", req, ctx);
        return { publicSignup: this.publicSignup };
      },
      verifyEmail: (req, ctx) => {
        this.enter("VerifyEmail", req, ctx);
        if (!this.verificationTokens.delete(req.verificationToken)) {
          throw new ConnectError("verification link not found", Code.NotFound);
        }
        this.me.emailVerified = true;
        return {};
      },
      resendVerificationEmail: (req, ctx) => {
        this.enter("ResendVerificationEmail", req, ctx);
        return {};
      },
      requestPasswordReset: (req, ctx) => {
        this.enter("RequestPasswordReset", req, ctx);
        return {};
      },
      resetPassword: (req, ctx) => {
        this.enter("ResetPassword", req, ctx);
        if (!this.resetTokens.delete(req.resetToken)) {
          throw new ConnectError("reset link not found", Code.NotFound);
        }
        return {};
      },
    });

    router.service(TenantService, {
      getRetention: (req, ctx) => {
        this.enter("GetRetention", req, ctx);
        return {
          retention: this.retention,
          minimum: RETENTION_MIN,
          maximum: RETENTION_MAX,
          defaults: RETENTION_DEFAULTS,
        };
      },
      updateRetention: (req, ctx) => {
        this.enter("UpdateRetention", req, ctx);
        this.need("tenant.write");
        const r = req.retention;
        if (!r) throw new ConnectError("retention is required", Code.InvalidArgument);
        for (const key of Object.keys(RETENTION_MIN) as (keyof typeof RETENTION_MIN)[]) {
          if (r[key] < RETENTION_MIN[key] || r[key] > RETENTION_MAX[key]) {
            throw new ConnectError(
              `retention.${key}: must be between ${RETENTION_MIN[key]} and ${RETENTION_MAX[key]} days`,
              Code.InvalidArgument,
            );
          }
        }
        this.retention = create(RetentionSchema, r);
        return { retention: this.retention };
      },
      getTenant: (req, ctx) => {
        this.enter("GetTenant", req, ctx);
        return {
          tenant: this.tenant,
          organisationCount: this.organisations.length,
          groupCount: this.groups.length,
          deviceCount: this.devices.length,
        };
      },
      listOrganisations: (req, ctx) => {
        this.enter("ListOrganisations", req, ctx);
        const q = req.query.toLowerCase();
        const all = this.organisations
          .filter((o) => o.name.toLowerCase().includes(q))
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((o) => ({
            ...o,
            groupCount: this.groups.filter((g) => g.organisationId === o.id).length,
            deviceCount: this.devices.filter((d) => d.organisationId === o.id).length,
          }));
        return page(all, req.pageSize || 100, req.pageToken, (organisations, nextPageToken) => ({
          organisations,
          nextPageToken,
        }));
      },
      getOrganisation: (req, ctx) => {
        this.enter("GetOrganisation", req, ctx);
        const o = this.org(req.id);
        return {
          organisation: {
            ...o,
            groupCount: this.groups.filter((g) => g.organisationId === o.id).length,
            deviceCount: this.devices.filter((d) => d.organisationId === o.id).length,
          },
        };
      },
      createOrganisation: (req, ctx) => {
        this.enter("CreateOrganisation", req, ctx);
        this.need("organisation.write");
        if (!req.name) throw new ConnectError("name must not be empty", Code.InvalidArgument);
        if (this.organisations.some((o) => o.name.toLowerCase() === req.name.toLowerCase())) {
          throw new ConnectError(`an organisation named "${req.name}" already exists`, Code.AlreadyExists);
        }
        return { organisation: this.addOrganisation(req.name, { description: req.description }) };
      },
      updateOrganisation: (req, ctx) => {
        this.enter("UpdateOrganisation", req, ctx);
        this.need("organisation.write");
        const o = this.org(req.id);
        o.name = req.name;
        o.description = req.description;
        return { organisation: o };
      },
      deleteOrganisation: (req, ctx) => {
        this.enter("DeleteOrganisation", req, ctx);
        this.need("organisation.write");
        this.org(req.id);
        this.organisations = this.organisations.filter((o) => o.id !== req.id);
        return {};
      },
      listGroups: (req, ctx) => {
        this.enter("ListGroups", req, ctx);
        return {
          groups: this.groups
            .filter((g) => !req.organisationId || g.organisationId === req.organisationId)
            .map((g) => ({ ...g, deviceCount: this.devices.filter((d) => d.groupId === g.id).length })),
        };
      },
      getGroup: (req, ctx) => {
        this.enter("GetGroup", req, ctx);
        const g = this.groups.find((x) => x.id === req.id);
        if (!g) throw new ConnectError("group not found", Code.NotFound);
        return { group: g };
      },
      createGroup: (req, ctx) => {
        this.enter("CreateGroup", req, ctx);
        this.need("group.write");
        this.org(req.organisationId);
        return { group: this.addGroup(req.organisationId, req.name) };
      },
    });

    router.service(DeviceService, {
      listDevices: (req, ctx) => {
        this.enter("ListDevices", req, ctx);
        const matching = this.devices
          .filter((d) => !req.organisationId || d.organisationId === req.organisationId)
          .filter((d) => !req.groupId || d.groupId === req.groupId)
          .filter((d) => req.platform === Platform.UNSPECIFIED || d.platform === req.platform)
          .filter((d) => !req.tag || d.tags.includes(req.tag))
          .filter((d) => d.hostname.toLowerCase().includes(req.query.toLowerCase()))
          .sort((a, b) =>
            req.orderBy === DeviceOrder.LAST_SEEN
              ? Number(a.lastSeenTime?.seconds ?? 0n) - Number(b.lastSeenTime?.seconds ?? 0n)
              : a.hostname.localeCompare(b.hostname),
          );
        if (req.descending) matching.reverse();
        return page(matching, req.pageSize || 50, req.pageToken, (devices, nextPageToken) => ({
          devices,
          nextPageToken,
        }));
      },
      getDevice: (req, ctx) => {
        this.enter("GetDevice", req, ctx);
        const d = this.devices.find((x) => x.id === req.id);
        if (!d) throw new ConnectError("device not found", Code.NotFound);
        return { device: d };
      },
      tagDevices: (req, ctx) => {
        this.enter("TagDevices", req, ctx);
        this.need("device.write");
        const changed = req.ids.map((id) => {
          const d = this.devices.find((x) => x.id === id);
          if (!d) throw new ConnectError("device not found", Code.NotFound);
          d.tags = [...new Set([...d.tags, ...req.addTags])].filter((t) => !req.removeTags.includes(t)).sort();
          return d;
        });
        return { devices: changed };
      },
    });

    router.service(EnrolmentService, {
      createEnrolmentKey: (req, ctx) => {
        this.enter("CreateEnrolmentKey", req, ctx);
        this.need("enrolment.manage");
        this.org(req.organisationId);
        if (req.groupId && !this.groups.some((g) => g.id === req.groupId && g.organisationId === req.organisationId)) {
          throw new ConnectError("group not found in this organisation", Code.InvalidArgument);
        }
        const key = this.addEnrolmentKey(req.organisationId, {
          groupId: req.groupId,
          description: req.description,
          maxUses: req.maxUses,
          expireTime: req.expireTime,
          createTime: timestampFromDate(new Date()),
        });
        const secret = `${key.prefix}_s3cr3t`;
        return {
          key,
          secret,
          installCommands: [
            { platform: "linux", command: `curl -fsSL https://wegweiser.example/install.sh | sudo sh -s -- --key ${secret}` },
            { platform: "macos", command: `curl -fsSL https://wegweiser.example/install-macos.sh | sudo sh -s -- --key ${secret}` },
            { platform: "windows", command: `& ([scriptblock]::Create((irm https://wegweiser.example/install.ps1))) -Key ${secret}` },
          ],
        };
      },
      listEnrolmentKeys: (req, ctx) => {
        this.enter("ListEnrolmentKeys", req, ctx);
        this.need("enrolment.manage");
        const now = Date.now();
        const keys = this.enrolmentKeys
          .filter((k) => !req.organisationId || k.organisationId === req.organisationId)
          .filter(
            (k) =>
              req.includeInactive ||
              (!k.revokeTime && !(k.expireTime && Number(k.expireTime.seconds) * 1000 < now)),
          )
          .sort((a, b) => Number((b.createTime?.seconds ?? 0n) - (a.createTime?.seconds ?? 0n)));
        return { keys };
      },
      revokeEnrolmentKey: (req, ctx) => {
        this.enter("RevokeEnrolmentKey", req, ctx);
        this.need("enrolment.manage");
        const k = this.enrolmentKeys.find((x) => x.id === req.id);
        if (!k) throw new ConnectError("enrolment key not found", Code.NotFound);
        k.revokeTime ??= timestampFromDate(new Date());
        return { key: k };
      },
      revokeDeviceToken: (req, ctx) => {
        this.enter("RevokeDeviceToken", req, ctx);
        this.need("enrolment.manage");
        if (!this.devices.some((d) => d.id === req.deviceId)) throw new ConnectError("device not found", Code.NotFound);
        return {};
      },
    });

    router.service(InventoryService, {
      getDeviceInventory: (req, ctx) => {
        this.enter("GetDeviceInventory", req, ctx);
        this.need("device.read");
        this.device(req.deviceId);
        const inv = this.inventories.get(req.deviceId);
        if (!inv) return {};
        return {
          snapshot: inv.snapshot,
          receivedTime: timestampFromDate(inv.receivedTime),
          snapshotCount: inv.snapshotCount,
        };
      },
      listDeviceSoftware: (req, ctx) => {
        this.enter("ListDeviceSoftware", req, ctx);
        this.need("device.read");
        this.device(req.deviceId);
        const q = req.query.toLowerCase();
        const all = (this.inventories.get(req.deviceId)?.snapshot.software ?? [])
          .filter((s) => s.name.toLowerCase().includes(q) || s.publisher.toLowerCase().includes(q))
          .sort((a, b) => a.name.localeCompare(b.name));
        return page(all, req.pageSize || 200, req.pageToken, (software, nextPageToken) => ({ software, nextPageToken }));
      },
      listDeviceEventLogs: (req, ctx) => {
        this.enter("ListDeviceEventLogs", req, ctx);
        this.need("device.read");
        this.device(req.deviceId);
        const q = req.query.toLowerCase();
        const all = (this.inventories.get(req.deviceId)?.snapshot.eventLogs ?? [])
          .filter((e) => !req.level || e.level === req.level)
          .filter((e) => e.source.toLowerCase().includes(q) || e.sampleMessage.toLowerCase().includes(q))
          .sort((a, b) => Number((b.lastTime?.seconds ?? 0n) - (a.lastTime?.seconds ?? 0n)));
        return page(all, req.pageSize || 200, req.pageToken, (eventLogs, nextPageToken) => ({ eventLogs, nextPageToken }));
      },
      listSoftware: (req, ctx) => {
        this.enter("ListSoftware", req, ctx);
        this.need("device.read");
        const q = req.query.toLowerCase();
        const byVersion = new Map<string, { s: InstalledSoftware; devices: number }>();
        for (const d of this.devices) {
          if (req.organisationId && d.organisationId !== req.organisationId) continue;
          for (const s of this.inventories.get(d.id)?.snapshot.software ?? []) {
            if (!s.name.toLowerCase().includes(q)) continue;
            const k = `${s.name}\u0000${s.version}`;
            const entry = byVersion.get(k) ?? { s, devices: 0 };
            entry.devices++;
            byVersion.set(k, entry);
          }
        }
        const all = [...byVersion.values()]
          .map(({ s, devices }) => ({ name: s.name, version: s.version, publisher: s.publisher, deviceCount: devices }))
          .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
        return page(all, req.pageSize || 200, req.pageToken, (software, nextPageToken) => ({ software, nextPageToken }));
      },
    });

    router.service(HealthService, {
      getHealth: (req, ctx) => {
        this.enter("GetHealth", req, ctx);
        this.need("device.read");
        const entity = this.entity(req.entity);
        if (entity.kind === EntityKind.DEVICE) return { health: this.deviceHealthOf(entity.id) };
        const { health, worst } = this.rollUp(entity, this.devicesOf(entity));
        return { health, worst };
      },
      listFindings: (req, ctx) => {
        this.enter("ListFindings", req, ctx);
        this.need("device.read");
        const entity = this.entity(req.entity);
        const out: Finding[] = [];
        for (const d of this.devicesOf(entity)) {
          for (const f of this.deviceHealth.get(d.id)?.findings ?? []) {
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
        this.enter("GetHistory", req, ctx);
        this.need("device.read");
        const entity = this.entity(req.entity);
        const days = { [HistoryRange.HISTORY_RANGE_7_DAYS]: 7, [HistoryRange.HISTORY_RANGE_90_DAYS]: 90 }[req.range as number] ?? 30;
        const since = Date.now() - days * 86_400_000;
        let all = this.history.get(entityKey(entity));
        if (!all && entity.kind === EntityKind.DEVICE) {
          const h = this.deviceHealth.get(entity.id);
          all = h?.scored ? [{ time: h.computeTime, score: h.score }] : [];
        }
        const before = (all ?? []).filter((p) => p.time.getTime() < since).at(-1);
        const inRange = (all ?? []).filter((p) => p.time.getTime() >= since);
        const points = [...(before ? [{ ...before, time: new Date(since) }] : []), ...inRange].map((p) => ({
          time: timestampFromDate(p.time),
          score: p.scored === false ? 0 : p.score,
          band: p.scored === false ? Band.UNSPECIFIED : bandOf(p.score),
        }));
        return { points };
      },
      explainChange: (req, ctx) => {
        this.enter("ExplainChange", req, ctx);
        this.need("device.read");
        this.device(req.deviceId);
        const set = this.explanations.get(req.deviceId);
        if (set) return set;
        const h = this.deviceHealth.get(req.deviceId);
        if (!h?.scored) {
          throw new ConnectError("the device has no analysed score at that time yet", Code.FailedPrecondition);
        }
        return { toScore: h.score, toComputeTime: timestampFromDate(h.computeTime) };
      },
      listWorstDevices: (req, ctx) => {
        this.enter("ListWorstDevices", req, ctx);
        this.need("device.read");
        const entity = this.entity(req.entity);
        const limit = Math.min(req.limit || 10, 100);
        return { devices: this.worstOf(this.devicesOf(entity)).slice(0, limit) };
      },
      listOrganisationHealth: (req, ctx) => {
        this.enter("ListOrganisationHealth", req, ctx);
        this.need("organisation.read");
        const scope = this.me.organisationIds;
        const organisations = this.organisations
          .filter((o) => scope.length === 0 || scope.includes(o.id))
          .map((o) => {
            const entity = { kind: EntityKind.ORGANISATION, id: o.id };
            const health = this.rollUp(entity, this.devicesOf(entity)).health;
            const baseline = this.organisationBaselines.get(o.id) ?? 0;
            const regressed = health.scored && baseline > 0 && health.score < baseline * 0.9;
            return { organisationId: o.id, name: o.name, health, baseline, regressed };
          })
          .sort(
            (a, b) =>
              Number(b.health.scored) - Number(a.health.scored) ||
              a.health.score - b.health.score ||
              a.name.localeCompare(b.name),
          );
        const scores = organisations.filter((o) => o.health.scored).map((o) => o.health.score).sort((a, b) => a - b);
        const mid = Math.floor(scores.length / 2);
        const tenantMedian =
          scores.length === 0 ? 0 : scores.length % 2 ? scores[mid]! : (scores[mid - 1]! + scores[mid]!) / 2;
        return { organisations, tenantMedian };
      },
      listChecks: (req, ctx) => {
        this.enter("ListChecks", req, ctx);
        this.need("device.read");
        return { checks: this.checks };
      },
      recompute: (req, ctx) => {
        this.enter("Recompute", req, ctx);
        this.need("device.write");
        return { queuedDevices: this.devicesOf(this.entity(req.entity)).length };
      },
    });

    router.service(PolicyService, {
      listPolicies: (req, ctx) => {
        this.enter("ListPolicies", req, ctx);
        this.need("policy.read");
        const scope = this.policyScope(req.scope);
        return {
          overrides: this.overrides
            .filter((o) => o.scope?.level === scope.level && o.scope.id === scope.id)
            .sort((a, b) => a.checkId.localeCompare(b.checkId)),
          guidance: this.guidance.get(`${PolicyLevel[scope.level].toLowerCase()}:${scope.id}`) ?? "",
        };
      },
      getEffectivePolicy: (req, ctx) => {
        this.enter("GetEffectivePolicy", req, ctx);
        this.need("policy.read");
        const d = this.device(req.deviceId);
        const levels: [PolicyLevel, string][] = [
          [PolicyLevel.TENANT, this.tenant.id],
          [PolicyLevel.ORGANISATION, d.organisationId],
          [PolicyLevel.GROUP, d.groupId],
          [PolicyLevel.DEVICE, d.id],
        ];
        const winners = new Map<string, Override>();
        for (const [level, id] of levels) {
          for (const o of this.overrides) {
            if (id && o.scope?.level === level && o.scope.id === id) winners.set(o.checkId, o);
          }
        }
        const guidance = levels.flatMap(([level, id]) => {
          const text = id ? this.guidance.get(`${PolicyLevel[level].toLowerCase()}:${id}`) : undefined;
          return text ? [text] : [];
        });
        return {
          overrides: this.checks.flatMap((c) => {
            const o = winners.get(c.id);
            return o ? [o] : [];
          }),
          guidance,
        };
      },
      setOverride: (req, ctx) => {
        this.enter("SetOverride", req, ctx);
        this.need("policy.manage");
        const scope = this.policyScope(req.scope);
        const check = this.checks.find((c) => c.id === req.checkId);
        if (!check) throw new ConnectError(`check_id: unknown check "${req.checkId}"`, Code.InvalidArgument);
        const reason = req.reason.trim();
        if (!reason || reason.length > 500) throw new ConnectError("reason: say why, in 1 to 500 characters", Code.InvalidArgument);
        if (req.severity && !["info", "low", "medium", "high", "critical"].includes(req.severity)) {
          throw new ConnectError("severity: must be info, low, medium, high or critical", Code.InvalidArgument);
        }
        if (req.warn !== undefined && !isNumericThreshold(check.warn)) {
          throw new ConnectError(`warn: check ${check.id} has no warn threshold`, Code.InvalidArgument);
        }
        if (req.fail !== undefined && !isNumericThreshold(check.fail)) {
          throw new ConnectError(`fail: check ${check.id} has no fail threshold`, Code.InvalidArgument);
        }
        if (req.enabled === undefined && req.warn === undefined && req.fail === undefined && !req.severity && !req.suppress) {
          throw new ConnectError("check_id: the override changes nothing", Code.InvalidArgument);
        }
        const fields = {
          enabled: req.enabled,
          warn: req.warn,
          fail: req.fail,
          severity: req.severity,
          suppress: req.suppress,
          reason,
          updatedBy: this.me.email,
          updateTime: timestampFromDate(new Date()),
        };
        let o = this.overrides.find((x) => x.scope?.level === scope.level && x.scope.id === scope.id && x.checkId === req.checkId);
        if (o) Object.assign(o, fields);
        else o = this.addOverride(scope, { checkId: req.checkId, ...fields });
        this.audit("set", scope, req.checkId, reason, JSON.stringify({
          enabled: req.enabled ?? null,
          warn: req.warn ?? null,
          fail: req.fail ?? null,
          severity: req.severity,
          suppress: req.suppress,
        }));
        return { override: o, queuedDevices: this.devicesBelow(scope).length };
      },
      deleteOverride: (req, ctx) => {
        this.enter("DeleteOverride", req, ctx);
        this.need("policy.manage");
        const reason = req.reason.trim();
        if (!reason || reason.length > 500) throw new ConnectError("reason: say why, in 1 to 500 characters", Code.InvalidArgument);
        const o = this.overrides.find((x) => x.id === req.id);
        if (!o?.scope) throw new ConnectError("override not found", Code.NotFound);
        this.overrides = this.overrides.filter((x) => x !== o);
        const scope = { level: o.scope.level, id: o.scope.id };
        this.audit("delete", scope, o.checkId, reason, "");
        return { queuedDevices: this.devicesBelow(scope).length };
      },
      setGuidance: (req, ctx) => {
        this.enter("SetGuidance", req, ctx);
        this.need("policy.manage");
        const scope = this.policyScope(req.scope);
        const text = req.text.trim();
        if (text.length > 4000) throw new ConnectError("text: must be at most 4000 characters", Code.InvalidArgument);
        const key = `${PolicyLevel[scope.level].toLowerCase()}:${scope.id}`;
        if (text) this.guidance.set(key, text);
        else this.guidance.delete(key);
        this.audit("guidance", scope, "", "", text);
        return {};
      },
      listPolicyAudit: (req, ctx) => {
        this.enter("ListPolicyAudit", req, ctx);
        this.need("policy.read");
        return { events: this.policyAudit.slice(0, req.pageSize || 100) };
      },
    });

    router.service(AlertService, {
      listNotifications: (req, ctx) => {
        this.enter("ListNotifications", req, ctx);
        const all = this.notifications
          .filter((n) => !req.unreadOnly || !n.read)
          .sort((a, b) => Number((b.createTime?.seconds ?? 0n) - (a.createTime?.seconds ?? 0n)));
        const unreadCount = this.notifications.filter((n) => !n.read).length;
        return page(all, req.pageSize || 50, req.pageToken, (notifications, nextPageToken) => ({
          notifications,
          nextPageToken,
          unreadCount,
        }));
      },
      markNotificationsRead: (req, ctx) => {
        this.enter("MarkNotificationsRead", req, ctx);
        for (const n of this.notifications) {
          if (req.all || req.ids.includes(n.id)) n.read = true;
        }
        return { unreadCount: this.notifications.filter((n) => !n.read).length };
      },
      createWebhook: (req, ctx) => {
        this.enter("CreateWebhook", req, ctx);
        this.need("alert.manage");
        if (!/^https:\/\/[^/\s]+/.test(req.url.trim())) {
          throw new ConnectError("url: must be an absolute https:// URL without credentials", Code.InvalidArgument);
        }
        const unknown = req.kinds.find((k) => !NOTIFICATION_KINDS.includes(k));
        if (unknown) throw new ConnectError(`kinds: unknown kind "${unknown}"`, Code.InvalidArgument);
        const webhook = this.addWebhook({
          url: req.url.trim(),
          description: req.description.trim(),
          kinds: req.kinds,
          createTime: timestampFromDate(new Date()),
        });
        return { webhook, secret: `whsec_${String(this.webhooks.length).padStart(4, "0")}_s3cr3t` };
      },
      listWebhooks: (req, ctx) => {
        this.enter("ListWebhooks", req, ctx);
        this.need("alert.manage");
        return { webhooks: this.webhooks };
      },
      deleteWebhook: (req, ctx) => {
        this.enter("DeleteWebhook", req, ctx);
        this.need("alert.manage");
        if (!this.webhooks.some((h) => h.id === req.id)) throw new ConnectError("webhook not found", Code.NotFound);
        this.webhooks = this.webhooks.filter((h) => h.id !== req.id);
        this.deliveries = this.deliveries.filter((d) => d.webhookId !== req.id);
        return {};
      },
      sendTestWebhook: (req, ctx) => {
        this.enter("SendTestWebhook", req, ctx);
        this.need("alert.manage");
        if (!this.webhooks.some((h) => h.id === req.id)) throw new ConnectError("webhook not found", Code.NotFound);
        const n = this.addNotification({
          kind: "test",
          severity: "info",
          title: "Test notification from Wegweiser",
          body: "If you can read this, the webhook works.",
          createTime: timestampFromDate(new Date()),
        });
        const delivery = this.addDelivery(req.id, { notificationId: n.id, createTime: timestampFromDate(new Date()) });
        return { delivery };
      },
      listWebhookDeliveries: (req, ctx) => {
        this.enter("ListWebhookDeliveries", req, ctx);
        this.need("alert.manage");
        if (!this.webhooks.some((h) => h.id === req.webhookId)) throw new ConnectError("webhook not found", Code.NotFound);
        const deliveries = this.deliveries.filter((d) => d.webhookId === req.webhookId).reverse();
        return { deliveries: deliveries.slice(0, req.pageSize || 50) };
      },
    });

    router.service(UserService, {
      listUsers: (req, ctx) => {
        this.enter("ListUsers", req, ctx);
        return { users: this.users };
      },
      inviteUser: (req, ctx) => {
        this.enter("InviteUser", req, ctx);
        this.need("user.manage");
        const user = create(UserSchema, {
          id: `u${this.users.length + 1}`,
          email: req.email,
          role: req.role,
          organisationIds: req.organisationIds,
          invitationPending: true,
        });
        this.users.push(user);
        // As the server: the link is mailed to the invitee, never returned.
        return { user };
      },
      disableUser: (req, ctx) => {
        this.enter("DisableUser", req, ctx);
        this.need("user.manage");
        const u = this.users.find((x) => x.id === req.userId);
        if (!u) throw new ConnectError("user not found", Code.NotFound);
        u.disabled = true;
        return { user: u };
      },
    });
  };
}

/** page slices a sorted list with numeric offsets as page tokens. */
function page<T, R>(all: T[], size: number, token: string, wrap: (items: T[], next: string) => R): R {
  const start = token ? Number(token) : 0;
  const end = start + size;
  return wrap(all.slice(start, end), end < all.length ? String(end) : "");
}

function defaultPermissions(role: Role): string[] {
  switch (role) {
    case Role.OWNER:
    case Role.ADMIN:
      return OWNER_PERMISSIONS;
    case Role.TECHNICIAN:
      return TECHNICIAN_PERMISSIONS;
    case Role.CUSTOMER:
      return CUSTOMER_PERMISSIONS;
    default:
      return VIEWER_PERMISSIONS;
  }
}

// ---------- Health ----------

/** FindingInit is a finding as tests write it; penalty defaults to the analyzer's. */
export type FindingInit = MessageInitShape<typeof FindingSchema> & { checkId: string; domain: string; status: string };

/** FakePoint is one score change of an entity's history. */
export interface FakePoint {
  time: Date;
  score: number;
  /** false for a point without a score. */
  scored?: boolean;
}

/** FakeDeviceHealth is one analysed device. */
export interface FakeDeviceHealth {
  score: number;
  scored: boolean;
  capReason: string;
  coverage: number;
  domains: { domain: string; score: number; scored: boolean }[];
  findings: Finding[];
  stale: boolean;
  server: boolean;
  computeTime: Date;
}

/** The analyzer's domains and their weights (sum 100). */
const DOMAIN_WEIGHTS: [string, number][] = [
  ["hardware", 10],
  ["storage", 20],
  ["performance", 8],
  ["network", 7],
  ["system", 15],
  ["software", 5],
  ["security", 20],
  ["logs", 10],
  ["platform", 5],
];
const FAIL_PENALTY: Record<string, number> = { info: 0, low: 3, medium: 8, high: 15, critical: 30 };

function severityRank(s: string) {
  return ["info", "low", "medium", "high", "critical"].indexOf(s);
}

function entityKey(e: { kind: EntityKind; id: string }) {
  return `${EntityKind[e.kind].toLowerCase()}:${e.kind === EntityKind.TENANT ? "" : e.id}`;
}

/** bandOf maps a score to its band like the server. */
export function bandOf(score: number): Band {
  if (score >= 90) return Band.HEALTHY;
  if (score >= 70) return Band.FAIR;
  if (score >= 50) return Band.POOR;
  if (score >= 1) return Band.CRITICAL;
  return Band.UNSPECIFIED;
}

/** makeFinding fills in a finding's penalty (fail: by severity; warn: half, rounded up; suppressed: 0). */
export function makeFinding(f: FindingInit): Finding {
  const severity = f.severity ?? "medium";
  const full = FAIL_PENALTY[severity] ?? 0;
  const penalty =
    f.penalty ?? (f.suppressed ? 0 : f.status === "fail" ? full : f.status === "warn" ? Math.ceil(full / 2) : 0);
  return create(FindingSchema, { ...f, severity, penalty });
}

/** scoreFindings scores a device from its findings like the server's analyzer. */
export function scoreFindings(findings: Finding[]) {
  let sum = 0;
  let weights = 0;
  const domains = DOMAIN_WEIGHTS.map(([domain, weight]) => {
    const mine = findings.filter((f) => f.domain === domain);
    const known = mine.filter((f) => f.status !== "unknown");
    if (known.length === 0) return { domain, score: 0, scored: false };
    const score = Math.min(100, Math.max(1, 100 - mine.reduce((n, f) => n + f.penalty, 0)));
    sum += weight * score;
    weights += weight;
    return { domain, score, scored: true };
  });
  const coverage = domains.filter((d) => d.scored).length / domains.length;
  if (weights === 0) return { score: 0, scored: false, capReason: "", coverage, domains };
  let score = Math.min(100, Math.max(1, Math.round(sum / weights)));
  let capReason = "";
  const cap = findings
    .filter((f) => !f.suppressed && (f.status === "fail" || f.status === "warn"))
    .filter((f) => f.severity === "critical" || f.severity === "high")
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity))[0];
  if (cap) {
    const limit = cap.severity === "critical" ? 40 : 70;
    if (score > limit) {
      score = limit;
      capReason = `${cap.severity} finding: ${cap.checkId}${cap.subject ? ` (${cap.subject})` : ""}`;
    }
  }
  return { score, scored: true, capReason, coverage, domains };
}

/**
 * sickWorkstation is what the analyzer finds on a neglected Windows laptop:
 * a nearly full system volume (critical: caps the device at 40), a firewall
 * profile off, stale antivirus signatures, disk errors in the System log, a
 * pending reboot, a worn battery, a suppressed encryption warning, and no
 * platform data. Domain scores: storage 66, security 70, logs 85, system 96,
 * hardware 96, the rest 100; platform unscored.
 */
export function sickWorkstation(): FindingInit[] {
  return [
    {
      checkId: "storage.volume_free_space",
      subject: "volume C:",
      domain: "storage",
      status: "fail",
      severity: "critical",
      title: "Volume C: has 4.1 % free",
      detail: "10.2 GiB of 250.0 GiB free on C: (NTFS).",
      evidence: [{ label: "free space", value: "4.1 % (10.2 GiB of 250.0 GiB)", source: "storage.volumes[C:].free_bytes" }],
      recommendation:
        "Free space on C:: clear temporary files and old update caches (Disk Cleanup / storage sense), move user data elsewhere, or extend the volume.",
    },
    {
      checkId: "storage.smart_reallocated_sectors",
      subject: "disk \\\\.\\PHYSICALDRIVE0",
      domain: "storage",
      status: "warn",
      severity: "medium",
      title: "Disk \\\\.\\PHYSICALDRIVE0 has 12 reallocated sectors",
      detail: "SMART counts 12 reallocated sectors on \\\\.\\PHYSICALDRIVE0 (Samsung 980).",
      evidence: [{ label: "reallocated sectors", value: "12", source: "storage.disks[\\\\.\\PHYSICALDRIVE0].reallocated_sectors" }],
      recommendation: "Make sure backups are current and plan to replace the drive.",
    },
    {
      checkId: "security.firewall",
      subject: "profile public",
      domain: "security",
      status: "fail",
      severity: "high",
      title: "Firewall is off on the public profile",
      detail: "Windows Firewall is disabled for the public network profile.",
      evidence: [
        { label: "enabled", value: "false", source: "security.firewall[public].enabled" },
        { label: "product", value: "windows-firewall", source: "security.firewall[public].product" },
      ],
      recommendation: "Turn the firewall on for every profile (Set-NetFirewallProfile -All -Enabled True) or by group policy.",
    },
    {
      checkId: "security.antivirus",
      subject: "Microsoft Defender",
      domain: "security",
      status: "fail",
      severity: "high",
      title: "Microsoft Defender signatures are 10.0 days old",
      detail: "Signatures older than 3 days miss current threats.",
      evidence: [
        { label: "signature age", value: "10.0 days", source: "security.antivirus[Microsoft Defender].signature_time" },
        { label: "enabled", value: "true", source: "security.antivirus[Microsoft Defender].enabled" },
      ],
      recommendation: "Update the signatures (Update-MpSignature) and check why automatic updates stopped.",
    },
    {
      checkId: "security.disk_encryption",
      subject: "",
      domain: "security",
      status: "warn",
      severity: "low",
      title: "Disk encryption is off",
      detail: "BitLocker does not protect the system volume.",
      evidence: [{ label: "encryption", value: "off", source: "security.encryption.enabled" }],
      recommendation: "Turn on BitLocker for the system volume and escrow the recovery key.",
      suppressed: true,
      suppressReason: "Shop-floor kiosk without user data (policy by Ada, 2 May)",
    },
    {
      checkId: "logs.disk_events",
      subject: "",
      domain: "logs",
      status: "fail",
      severity: "high",
      title: "14 disk errors in the System log in the last 24 hours",
      detail: "Event ID 7 (disk) reports bad blocks on the system disk.",
      evidence: [
        { label: "events", value: "14 (event ID 7, source disk)", source: "event_logs[System/disk/7].count" },
        { label: "last", value: "2025-06-15T11:02:00Z", source: "event_logs[System/disk/7].last_time" },
      ],
      recommendation: "Check the drive with the vendor's tool and replace it if errors continue.",
    },
    {
      checkId: "system.pending_reboot",
      subject: "",
      domain: "system",
      status: "warn",
      severity: "medium",
      title: "Reboot pending for 5.0 days",
      detail: "Windows Update and a file rename wait for a reboot.",
      evidence: [{ label: "reasons", value: "windows-update, file-rename", source: "pending_reboot.reasons" }],
      recommendation: "Schedule a reboot outside working hours.",
    },
    {
      checkId: "hardware.battery_capacity",
      subject: "",
      domain: "hardware",
      status: "warn",
      severity: "medium",
      title: "Battery holds 72.0 % of its design capacity",
      evidence: [{ label: "capacity", value: "72.0 % (36000 of 50000 mWh)", source: "hardware.battery.full_charge_capacity_mwh" }],
      recommendation: "Plan a battery replacement.",
    },
    { checkId: "performance.cpu_load", domain: "performance", status: "pass", severity: "high", title: "CPU load 12.0 % on average" },
    { checkId: "network.interface_errors", subject: "Ethernet", domain: "network", status: "pass", severity: "low", title: "No errors on Ethernet" },
    { checkId: "software.end_of_life", domain: "software", status: "pass", severity: "high", title: "No end-of-life software" },
    {
      checkId: "platform.windows_drivers",
      domain: "platform",
      status: "unknown",
      severity: "low",
      title: "Driver ages not reported",
      detail: "The snapshot has no driver list.",
    },
  ];
}

/** healthyDevice passes every check it can judge (platform has no data). */
export function healthyDevice(): FindingInit[] {
  return DOMAIN_WEIGHTS.filter(([d]) => d !== "platform").map(([domain]) => ({
    checkId: `${domain}.sample`,
    domain,
    status: "pass",
    severity: "medium",
    title: `${domain} is fine`,
  }));
}

/** The notification kinds a webhook can subscribe to. */
const NOTIFICATION_KINDS = ["band_worse", "critical_finding", "regression", "agent_silent", "test"];

/** isNumericThreshold says whether a ListChecks threshold ("< 20") can be overridden. */
function isNumericThreshold(display: string): boolean {
  return /^(<=|>=|<|>)?\s*-?\d+(\.\d+)?$/.test(display.trim());
}

/**
 * CHECKS is a realistic slice of the analyzer's catalogue, one or more per
 * domain. Thresholds read as the server sends them ("< 20"); a check without
 * a numeric threshold has none (and no unit).
 */
const CHECKS: MessageInitShape<typeof CheckInfoSchema>[] = [
  { id: "hardware.battery_capacity", domain: "hardware", title: "Battery capacity", severity: "medium", warn: "< 80", fail: "< 60", unit: "% of design capacity", source: "Apple battery service threshold (80 % of original capacity); Wegweiser default 60 % for replacement" },
  { id: "storage.volume_free_space", domain: "storage", title: "Volume free space", severity: "high", warn: "< 20", fail: "< 10", unit: "% free", source: "Zabbix/PRTG default free-space triggers (20 % / 10 %); Wegweiser default 5 % critical" },
  { id: "storage.smart_health", domain: "storage", title: "Disk health (SMART)", severity: "critical", warn: "", fail: "", unit: "", source: "SMART overall-health self-assessment (ATA/NVMe critical warning)" },
  { id: "performance.cpu_load", domain: "performance", title: "Sustained CPU load", severity: "high", warn: "> 80", fail: "> 95", unit: "% mean utilisation", source: "Wegweiser default (80 % / 95 %) around the Zabbix OS templates' High CPU utilization trigger (90 %)" },
  { id: "network.interface_errors", domain: "network", title: "Interface errors", severity: "low", warn: ">= 0.01", fail: ">= 1", unit: "% of estimated packets", source: "Common NMS defaults" },
  { id: "system.pending_reboot", domain: "system", title: "Pending reboot", severity: "medium", warn: "> 3", fail: "> 14", unit: "days pending", source: "Wegweiser default (3 / 14 days; Windows update, file rename and component servicing flags)" },
  { id: "software.end_of_life", domain: "software", title: "Unsupported software", severity: "high", warn: "< 180", fail: "< 0", unit: "days until end of support", source: "endoflife.date" },
  { id: "security.firewall", domain: "security", title: "Firewall", severity: "high", warn: "", fail: "", unit: "", source: "CIS Windows 9.1.1/9.2.1/9.3.1, CIS macOS 2.2.1, CIS Linux 3.5" },
  { id: "security.antivirus", domain: "security", title: "Antivirus", severity: "high", warn: "", fail: "> 3", unit: "days since signature update", source: "CIS Controls v8 10.1 / 10.2; Wegweiser default (signatures older than 3 days)" },
  { id: "logs.disk_events", domain: "logs", title: "Disk hardware events", severity: "high", warn: "<= 168", fail: "<= 24", unit: "hours since the last disk error", source: "Microsoft storage event ids 7, 9, 11, 15, 51, 52, 129, 153, Ntfs 55/98; Linux kernel block-layer errors; Wegweiser default (any in 7 days / in 24 h)" },
  { id: "platform.windows_drivers", domain: "platform", title: "Windows driver problems", severity: "low", warn: ">= 1", fail: ">= 10", unit: "driver problem events in 7 days", source: "Vendor support cycles" },
];
