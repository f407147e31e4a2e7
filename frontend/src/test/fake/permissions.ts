import { Role } from "../../gen/wegweiser/v1/common_pb";
import policyCsv from "../../../../backend/internal/authz/policy.csv?raw";

/**
 * rolePermissions reads the server's role table (backend/internal/authz/
 * policy.csv, the file casbin enforces) into "object.action" names per role,
 * as WhoAmI reports them. The fake keeps no role table of its own, so it
 * cannot grant what the server does not.
 */
export function rolePermissions(csv: string = policyCsv): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of csv.split("\n")) {
    const cells = line.split(",").map((c) => c.trim());
    if (cells[0] !== "p" || cells.length < 5) continue;
    const [, role, , object, action] = cells as [string, string, string, string, string];
    out.set(role, [...(out.get(role) ?? []), `${object}.${action}`]);
  }
  return out;
}

const table = rolePermissions();

/** permissionsOf lists what the server grants a role (nothing for an unknown one). */
export function permissionsOf(role: Role): string[] {
  const name = Role[role]?.toLowerCase() ?? "";
  return [...(table.get(name) ?? [])];
}
