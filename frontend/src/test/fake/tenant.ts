import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { TenantBrandingSchema } from "../../gen/wegweiser/v1/auth_pb";
import { RetentionSchema, TenantService } from "../../gen/wegweiser/v1/tenant_pb";
import type { FakeBackend } from "../fake-backend";
import { page, RETENTION_DEFAULTS, RETENTION_MIN, RETENTION_MAX } from "./shared";

/** tenantService answers TenantService for the fake backend b. */
export function tenantService(b: FakeBackend): Partial<ServiceImpl<typeof TenantService>> {
  return {
    getRetention: (req, ctx) => {
      b.enter("GetRetention", req, ctx);
      return {
        retention: b.retention,
        minimum: RETENTION_MIN,
        maximum: RETENTION_MAX,
        defaults: RETENTION_DEFAULTS,
      };
    },
    updateRetention: (req, ctx) => {
      b.enter("UpdateRetention", req, ctx);
      b.need("tenant.write");
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
      b.retention = create(RetentionSchema, r);
      return { retention: b.retention };
    },
    updateBranding: (req, ctx) => {
      b.enter("UpdateBranding", req, ctx);
      b.need("tenant.write");
      const br = req.branding;
      const color = br?.accentColor ?? "";
      if (color && !/^#[0-9a-f]{6}$/i.test(color)) {
        throw new ConnectError("branding.accent_color: must be a colour as #rrggbb", Code.InvalidArgument);
      }
      const logo = br?.logo ?? new Uint8Array();
      // The server decodes the image; the fake knows PNG by its signature.
      const isPNG = logo.length > 8 && logo[0] === 0x89 && logo[1] === 0x50 && logo[2] === 0x4e && logo[3] === 0x47;
      if (logo.length && !isPNG) {
        throw new ConnectError("branding.logo: must be a PNG, JPEG or WebP image", Code.InvalidArgument);
      }
      const old = b.tenant.branding;
      const keep = req.keepLogo && !logo.length;
      b.tenant.branding = create(TenantBrandingSchema, {
        displayName: br?.displayName.trim() ?? "",
        accentColor: color.toLowerCase(),
        logo: keep ? (old?.logo ?? new Uint8Array()) : logo,
        logoMediaType: keep ? (old?.logoMediaType ?? "") : logo.length ? "image/png" : "",
      });
      return { branding: b.tenant.branding };
    },
    getTenant: (req, ctx) => {
      b.enter("GetTenant", req, ctx);
      return {
        tenant: b.tenant,
        organisationCount: b.organisations.length,
        groupCount: b.groups.length,
        deviceCount: b.devices.length,
      };
    },
    listOrganisations: (req, ctx) => {
      b.enter("ListOrganisations", req, ctx);
      const q = req.query.toLowerCase();
      const all = b.organisations
        .filter((o) => o.name.toLowerCase().includes(q))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((o) => ({
          ...o,
          groupCount: b.groups.filter((g) => g.organisationId === o.id).length,
          deviceCount: b.devices.filter((d) => d.organisationId === o.id).length,
        }));
      return page(all, req.pageSize || 100, req.pageToken, (organisations, nextPageToken) => ({
        organisations,
        nextPageToken,
      }));
    },
    getOrganisation: (req, ctx) => {
      b.enter("GetOrganisation", req, ctx);
      const o = b.org(req.id);
      return {
        organisation: {
          ...o,
          groupCount: b.groups.filter((g) => g.organisationId === o.id).length,
          deviceCount: b.devices.filter((d) => d.organisationId === o.id).length,
        },
      };
    },
    createOrganisation: (req, ctx) => {
      b.enter("CreateOrganisation", req, ctx);
      b.need("organisation.write");
      if (!req.name) throw new ConnectError("name must not be empty", Code.InvalidArgument);
      if (b.organisations.some((o) => o.name.toLowerCase() === req.name.toLowerCase())) {
        throw new ConnectError(`an organisation named "${req.name}" already exists`, Code.AlreadyExists);
      }
      return { organisation: b.addOrganisation(req.name, { description: req.description }) };
    },
    updateOrganisation: (req, ctx) => {
      b.enter("UpdateOrganisation", req, ctx);
      b.need("organisation.write");
      const o = b.org(req.id);
      o.name = req.name;
      o.description = req.description;
      return { organisation: o };
    },
    deleteOrganisation: (req, ctx) => {
      b.enter("DeleteOrganisation", req, ctx);
      b.need("organisation.write");
      b.org(req.id);
      b.organisations = b.organisations.filter((o) => o.id !== req.id);
      return {};
    },
    listGroups: (req, ctx) => {
      b.enter("ListGroups", req, ctx);
      return {
        groups: b.groups
          .filter((g) => !req.organisationId || g.organisationId === req.organisationId)
          .map((g) => ({ ...g, deviceCount: b.devices.filter((d) => d.groupId === g.id).length })),
      };
    },
    getGroup: (req, ctx) => {
      b.enter("GetGroup", req, ctx);
      const g = b.groups.find((x) => x.id === req.id);
      if (!g) throw new ConnectError("group not found", Code.NotFound);
      return { group: g };
    },
    createGroup: (req, ctx) => {
      b.enter("CreateGroup", req, ctx);
      b.need("group.write");
      b.org(req.organisationId);
      return { group: b.addGroup(req.organisationId, req.name) };
    },
  };
}
