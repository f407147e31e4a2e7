import { EntityKind, type EntityRef } from "../../gen/wegweiser/v1/health_pb";

/** KINDS are the notification kinds a webhook can subscribe to, with their labels. */
export const KINDS: { id: string; label: string; description: string }[] = [
  { id: "band_worse", label: "Worse band", description: "a device or entity crossed into a worse band" },
  { id: "critical_finding", label: "Critical finding", description: "a new critical finding appeared" },
  { id: "regression", label: "Regression", description: "a score fell more than 10 % below its 14-day baseline" },
  { id: "agent_silent", label: "Agent silent", description: "an agent stopped reporting" },
];

/** kindLabel names a notification kind ("band_worse" → "Worse band"). */
export function kindLabel(kind: string): string {
  if (kind === "test") return "Test";
  return KINDS.find((k) => k.id === kind)?.label ?? kind;
}

/** severityBadge is the badge class of a notification severity. */
export function severityBadge(severity: string): string {
  switch (severity) {
    case "critical":
      return "badge-danger";
    case "warning":
      return "badge-warn";
    default:
      return "badge-muted";
  }
}

/** severityLabel names a notification severity ("warning" → "Warning"). */
export function severityLabel(severity: string): string {
  return severity ? severity.charAt(0).toUpperCase() + severity.slice(1) : "Info";
}

/** entityLink says where a notification's entity lives: its page, or the overview for the tenant. */
export function entityLink(entity: EntityRef | undefined): { to: string; label: string } | null {
  if (!entity) return null;
  switch (entity.kind) {
    case EntityKind.DEVICE:
      return entity.id ? { to: `/devices/${entity.id}`, label: "Open device" } : null;
    case EntityKind.GROUP:
      return entity.id ? { to: `/groups/${entity.id}`, label: "Open group" } : null;
    case EntityKind.ORGANISATION:
      return entity.id ? { to: `/organisations/${entity.id}`, label: "Open organisation" } : null;
    case EntityKind.TENANT:
      return { to: "/", label: "Open overview" };
    default:
      return null;
  }
}

/** deliveryBadge is the label and badge class of a webhook delivery's status. */
export function deliveryBadge(status: string): [label: string, className: string] {
  switch (status) {
    case "delivered":
      return ["Delivered", "badge-ok"];
    case "failed":
      return ["Failed", "badge-danger"];
    case "pending":
      return ["Pending", "badge-warn"];
    default:
      return [status || "Unknown", "badge-muted"];
  }
}
