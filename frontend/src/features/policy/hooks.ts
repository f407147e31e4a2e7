import { skipToken, useMutation, useQuery } from "@connectrpc/connect-query";
import { PolicyService } from "../../gen/wegweiser/v1/policy_pb";
import { useInvalidate } from "../../lib/queries";
import { complete, type Scope } from "./labels";

/** AUDIT_PAGE_SIZE is how many policy changes the audit log shows. */
export const AUDIT_PAGE_SIZE = 100;

/** usePolicies loads the overrides and guidance set at exactly one level (nothing until the scope names its entity). */
export function usePolicies(scope: Scope) {
  return useQuery(PolicyService.method.listPolicies, complete(scope) ? { scope } : skipToken);
}

/** useEffectivePolicy loads the overrides that apply to a device, each with the level it comes from. */
export function useEffectivePolicy(deviceId: string) {
  return useQuery(PolicyService.method.getEffectivePolicy, { deviceId });
}

/** usePolicyAudit lists the latest policy changes, newest first. */
export function usePolicyAudit() {
  return useQuery(PolicyService.method.listPolicyAudit, { pageSize: AUDIT_PAGE_SIZE });
}

/** useSetOverride creates or replaces an override; the response says how many devices are re-analysed. */
export function useSetOverride() {
  const invalidate = useInvalidate();
  return useMutation(PolicyService.method.setOverride, {
    onSuccess: () => invalidate(PolicyService),
  });
}

/** useDeleteOverride removes an override (with a reason). */
export function useDeleteOverride() {
  const invalidate = useInvalidate();
  return useMutation(PolicyService.method.deleteOverride, {
    onSuccess: () => invalidate(PolicyService),
  });
}

/** useSetGuidance stores the AI guidance of a level (empty text removes it). */
export function useSetGuidance() {
  const invalidate = useInvalidate();
  return useMutation(PolicyService.method.setGuidance, {
    onSuccess: () => invalidate(PolicyService),
  });
}
