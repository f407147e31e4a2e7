import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { PolicyLevel, PolicyService, type Override } from "../../gen/wegweiser/v1/policy_pb";
import type { FakeBackend } from "../fake-backend";
import { SEVERITIES, isNumericThreshold } from "./shared";

/** policyService answers PolicyService for the fake backend b. */
export function policyService(b: FakeBackend): Partial<ServiceImpl<typeof PolicyService>> {
  return {
    listPolicies: (req, ctx) => {
      b.enter("ListPolicies", req, ctx);
      b.need("policy.read");
      const scope = b.policyScope(req.scope);
      return {
        overrides: b.overrides
          .filter((o) => o.scope?.level === scope.level && o.scope.id === scope.id)
          .sort((a, b) => a.checkId.localeCompare(b.checkId)),
        guidance: b.guidance.get(`${PolicyLevel[scope.level].toLowerCase()}:${scope.id}`) ?? "",
      };
    },
    getEffectivePolicy: (req, ctx) => {
      b.enter("GetEffectivePolicy", req, ctx);
      b.need("policy.read");
      const d = b.device(req.deviceId);
      const levels: [PolicyLevel, string][] = [
        [PolicyLevel.TENANT, b.tenant.id],
        [PolicyLevel.ORGANISATION, d.organisationId],
        [PolicyLevel.GROUP, d.groupId],
        [PolicyLevel.DEVICE, d.id],
      ];
      const winners = new Map<string, Override>();
      for (const [level, id] of levels) {
        for (const o of b.overrides) {
          if (id && o.scope?.level === level && o.scope.id === id) winners.set(o.checkId, o);
        }
      }
      const guidance = levels.flatMap(([level, id]) => {
        const text = id ? b.guidance.get(`${PolicyLevel[level].toLowerCase()}:${id}`) : undefined;
        return text ? [text] : [];
      });
      return {
        overrides: b.checks.flatMap((c) => {
          const o = winners.get(c.id);
          return o ? [o] : [];
        }),
        guidance,
      };
    },
    setOverride: (req, ctx) => {
      b.enter("SetOverride", req, ctx);
      b.need("policy.manage");
      const scope = b.policyScope(req.scope);
      const check = b.checks.find((c) => c.id === req.checkId);
      if (!check) throw new ConnectError(`check_id: unknown check "${req.checkId}"`, Code.InvalidArgument);
      const reason = req.reason.trim();
      if (!reason || reason.length > 500) throw new ConnectError("reason: say why, in 1 to 500 characters", Code.InvalidArgument);
      if (req.severity && !SEVERITIES.includes(req.severity)) {
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
        updatedBy: b.me.email,
        updateTime: timestampFromDate(new Date()),
      };
      let o = b.overrides.find((x) => x.scope?.level === scope.level && x.scope.id === scope.id && x.checkId === req.checkId);
      if (o) Object.assign(o, fields);
      else o = b.addOverride(scope, { checkId: req.checkId, ...fields });
      b.audit("set", scope, req.checkId, reason, JSON.stringify({
        enabled: req.enabled ?? null,
        warn: req.warn ?? null,
        fail: req.fail ?? null,
        severity: req.severity,
        suppress: req.suppress,
      }));
      return { override: o, queuedDevices: b.devicesBelow(scope).length };
    },
    deleteOverride: (req, ctx) => {
      b.enter("DeleteOverride", req, ctx);
      b.need("policy.manage");
      const reason = req.reason.trim();
      if (!reason || reason.length > 500) throw new ConnectError("reason: say why, in 1 to 500 characters", Code.InvalidArgument);
      const o = b.overrides.find((x) => x.id === req.id);
      if (!o?.scope) throw new ConnectError("override not found", Code.NotFound);
      b.overrides = b.overrides.filter((x) => x !== o);
      const scope = { level: o.scope.level, id: o.scope.id };
      b.audit("delete", scope, o.checkId, reason, "");
      return { queuedDevices: b.devicesBelow(scope).length };
    },
    setGuidance: (req, ctx) => {
      b.enter("SetGuidance", req, ctx);
      b.need("policy.manage");
      const scope = b.policyScope(req.scope);
      const text = req.text.trim();
      if (text.length > 4000) throw new ConnectError("text: must be at most 4000 characters", Code.InvalidArgument);
      const key = `${PolicyLevel[scope.level].toLowerCase()}:${scope.id}`;
      if (text) b.guidance.set(key, text);
      else b.guidance.delete(key);
      b.audit("guidance", scope, "", "", text);
      return {};
    },
    listPolicyAudit: (req, ctx) => {
      b.enter("ListPolicyAudit", req, ctx);
      b.need("policy.read");
      return { events: b.policyAudit.slice(0, req.pageSize || 100) };
    },
  };
}
