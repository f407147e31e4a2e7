import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { Permission } from "../../features/auth/permissions";
import { FakeBackend } from "../fake-backend";
import { permissionsOf, rolePermissions } from "./permissions";

const SRC = join(__dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "gen" ? [] : sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

describe("role permissions", () => {
  it("are the server's: admins may not change tenant settings, owners may", () => {
    expect(permissionsOf(Role.OWNER)).toContain("tenant.write");
    expect(permissionsOf(Role.ADMIN)).not.toContain("tenant.write");
    expect(new FakeBackend({ role: Role.ADMIN }).permissions).not.toContain("tenant.write");
    expect(permissionsOf(Role.CUSTOMER)).not.toContain("policy.read");
    for (const role of [Role.OWNER, Role.ADMIN, Role.TECHNICIAN, Role.VIEWER, Role.CUSTOMER]) {
      expect(permissionsOf(role).length, Role[role]).toBeGreaterThan(0);
      expect(new FakeBackend({ role }).permissions).toEqual(permissionsOf(role));
    }
  });

  it("every permission the SPA gates on is one the server grants to some role", () => {
    const granted = new Set([...rolePermissions().values()].flat());
    for (const p of Object.values(Permission)) expect(granted, p).toContain(p);
  });

  it("reads casbin's policy lines and skips comments", () => {
    const table = rolePermissions("# role, domain, object, action\np, owner, *, tenant, write\n\np,  viewer , *, device, read\n");
    expect(Object.fromEntries(table)).toEqual({ owner: ["tenant.write"], viewer: ["device.read"] });
  });

  it("no SPA source keeps a role table of its own", () => {
    // Three or more permission names in one list is a role table; roles come from WhoAmI and policy.csv.
    const table = /\[\s*(?:"[a-z]+\.(?:read|write|manage|delete)"\s*,\s*){2,}"[a-z]+\.(?:read|write|manage|delete)"/;
    const offenders = sources(SRC).filter((f) => table.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
});
