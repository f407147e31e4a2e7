import type { CheckInfo } from "../../gen/wegweiser/v1/health_pb";
import { PolicyLevel, type Override } from "../../gen/wegweiser/v1/policy_pb";

/** Scope is where a policy is set; the tenant's id is empty (the server fills it in). */
export interface Scope {
  level: PolicyLevel;
  id: string;
}

/** LEVELS are the policy levels, widest first, with their ?level= names. */
export const LEVELS: { level: PolicyLevel; name: string; label: string }[] = [
  { level: PolicyLevel.TENANT, name: "tenant", label: "Tenant" },
  { level: PolicyLevel.ORGANISATION, name: "organisation", label: "Organisation" },
  { level: PolicyLevel.GROUP, name: "group", label: "Group" },
  { level: PolicyLevel.DEVICE, name: "device", label: "Device" },
];

/** levelLabel names a level for people ("Organisation"). */
export function levelLabel(level: PolicyLevel): string {
  return LEVELS.find((l) => l.level === level)?.label ?? "Unknown level";
}

/** scopeFromParams reads ?level=&id= (anything unknown is the tenant). */
export function scopeFromParams(params: URLSearchParams): Scope {
  const level = LEVELS.find((l) => l.name === params.get("level"))?.level ?? PolicyLevel.TENANT;
  return { level, id: level === PolicyLevel.TENANT ? "" : (params.get("id") ?? "") };
}

/** policyParams writes a scope as ?level=&id= (the tenant has neither). */
export function policyParams(scope: Scope): URLSearchParams {
  const name = LEVELS.find((l) => l.level === scope.level)?.name;
  if (!name || scope.level === PolicyLevel.TENANT) return new URLSearchParams();
  const params = new URLSearchParams({ level: name });
  if (scope.id) params.set("id", scope.id);
  return params;
}

/** policyHref links to the policy page of a scope. */
export function policyHref(scope: Scope): string {
  const q = policyParams(scope).toString();
  return q ? `/policy?${q}` : "/policy";
}

/** complete says whether a scope names its entity (the tenant always does). */
export function complete(scope: Scope): boolean {
  return scope.level === PolicyLevel.TENANT || scope.id !== "";
}

/** Severities an override may set, mildest first. */
export const SEVERITIES = ["info", "low", "medium", "high", "critical"];

/** Threshold is a parsed ListChecks threshold such as "< 20". */
export interface Threshold {
  /** Comparison, e.g. "<" or ">=" (empty when the server sent a bare number). */
  op: string;
  value: number;
}

/**
 * parseThreshold reads a check's display threshold ("< 20", ">= 0.01"). It
 * returns null when the check has no numeric threshold there (empty or text):
 * then the threshold cannot be overridden.
 */
export function parseThreshold(display: string): Threshold | null {
  const m = /^(<=|>=|<|>)?\s*(-?\d+(?:\.\d+)?)$/.exec(display.trim());
  if (!m) return null;
  return { op: m[1] ?? "", value: Number(m[2]) };
}

/** formatThreshold renders an overridden threshold with the check's comparison ("< 15"). */
export function formatThreshold(value: number, display: string | undefined): string {
  const op = display ? parseThreshold(display)?.op : "";
  return op ? `${op} ${value}` : String(value);
}

/**
 * describeOverride lists what an override changes, e.g. ["switched off"]
 * or ["warn < 15", "fail < 5", "severity high", "suppressed"].
 */
export function describeOverride(o: Pick<Override, "enabled" | "warn" | "fail" | "severity" | "suppress">, check?: CheckInfo): string[] {
  const parts: string[] = [];
  if (o.enabled === false) parts.push("switched off");
  if (o.enabled === true) parts.push("switched on");
  if (o.warn !== undefined) parts.push(`warn ${formatThreshold(o.warn, check?.warn)}`);
  if (o.fail !== undefined) parts.push(`fail ${formatThreshold(o.fail, check?.fail)}`);
  if (o.severity) parts.push(`severity ${o.severity}`);
  if (o.suppress) parts.push("suppressed");
  if ((o.warn !== undefined || o.fail !== undefined) && check?.unit) parts.push(check.unit);
  return parts;
}

/** auditActionLabel names an audit action ("set" → "Override set"). */
export function auditActionLabel(action: string): string {
  switch (action) {
    case "set":
      return "Override set";
    case "delete":
      return "Override removed";
    case "guidance":
      return "Guidance changed";
    default:
      return action;
  }
}

/**
 * describeAuditDetail turns an audit event's detail into plain words: an
 * override's JSON becomes "warn 15 · suppressed", guidance stays its text.
 */
export function describeAuditDetail(action: string, detail: string): string {
  if (action === "guidance") return detail ? detail : "removed";
  if (!detail) return "";
  try {
    const d: unknown = JSON.parse(detail);
    if (typeof d !== "object" || d === null || Array.isArray(d)) return detail;
    const r = d as Record<string, unknown>;
    const num = (v: unknown) => (typeof v === "number" ? v : undefined);
    const parts = describeOverride({
      enabled: typeof r.enabled === "boolean" ? r.enabled : undefined,
      warn: num(r.warn),
      fail: num(r.fail),
      severity: typeof r.severity === "string" ? r.severity : "",
      suppress: r.suppress === true,
    });
    return parts.join(" · ") || "no change";
  } catch {
    return detail;
  }
}
