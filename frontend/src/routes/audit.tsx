import { AuditLog } from "../features/audit/AuditLog";

/** /audit: the tenant's audit log (owners, admins) */
export default function Route() {
  return <AuditLog />;
}
