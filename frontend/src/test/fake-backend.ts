import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { AuthService, TenantSchema, UserSchema, type User } from "../gen/wegweiser/v1/auth_pb";
import { Role } from "../gen/wegweiser/v1/common_pb";
import { DeviceSchema, DeviceService, DeviceOrder, Platform, type Device } from "../gen/wegweiser/v1/device_pb";
import {
  GroupSchema,
  OrganisationSchema,
  TenantService,
  type Group,
  type Organisation,
} from "../gen/wegweiser/v1/tenant_pb";
import { UserService } from "../gen/wegweiser/v1/user_pb";
import { SnapshotSchema, type InstalledSoftware, type Snapshot } from "../gen/wegweiser/agent/v1/snapshot_pb";
import { EnrolmentKeySchema, EnrolmentService, type EnrolmentKey } from "../gen/wegweiser/v1/enrolment_pb";
import { InventoryService } from "../gen/wegweiser/v1/inventory_pb";

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
];

/** Permissions of a viewer: reads only. */
export const VIEWER_PERMISSIONS = ["organisation.read", "device.read"];

/** Call records one request that reached the fake server. */
export interface Call {
  method: string;
  authorization: string | null;
  request: unknown;
}

const PUBLIC = new Set(["SignUp", "Login", "Refresh", "AcceptInvitation"]);

/**
 * FakeBackend is an in-memory Wegweiser server for createRouterTransport: it
 * checks bearer tokens, rotates refresh tokens and keeps organisations,
 * groups, devices and users in arrays that tests can seed and inspect.
 */
export class FakeBackend {
  role: Role;
  permissions: string[];
  accessToken = "access-1";
  refreshToken = "refresh-1";
  private generation = 1;
  calls: Call[] = [];
  tenant = create(TenantSchema, { id: "t1", name: "Acme IT Services" });
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

  constructor(opts: { role?: Role; permissions?: string[] } = {}) {
    this.role = opts.role ?? Role.OWNER;
    this.permissions = opts.permissions ?? (this.role === Role.OWNER ? OWNER_PERMISSIONS : VIEWER_PERMISSIONS);
    this.me = create(UserSchema, {
      id: "u1",
      email: "ada@example.com",
      displayName: "Ada",
      role: this.role,
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

  /** routes registers the services on a ConnectRouter. */
  routes = (router: ConnectRouter) => {
    router.service(AuthService, {
      signUp: (req, ctx) => {
        this.enter("SignUp", req, ctx);
        this.tenant = create(TenantSchema, { id: "t1", name: req.tenantName });
        this.me = create(UserSchema, { id: "u1", email: req.email, displayName: req.displayName, role: Role.OWNER });
        this.users = [this.me];
        return { tenant: this.tenant, user: this.me, ...this.issue() };
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
    });

    router.service(TenantService, {
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
        return { user, invitationToken: "invite-token-123" };
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
