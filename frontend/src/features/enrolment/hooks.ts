import { useMutation, useQuery } from "@connectrpc/connect-query";
import { DeviceService } from "../../gen/wegweiser/v1/device_pb";
import { EnrolmentService, type EnrolmentKey } from "../../gen/wegweiser/v1/enrolment_pb";
import { useInvalidate } from "../../lib/queries";
import { toDate } from "../../lib/time";

/** useEnrolmentKeys lists keys, newest first (of one organisation when organisationId is set). */
export function useEnrolmentKeys(organisationId: string, includeInactive: boolean) {
  return useQuery(EnrolmentService.method.listEnrolmentKeys, { organisationId, includeInactive });
}

/** useCreateEnrolmentKey makes a key; its secret is in the response only. */
export function useCreateEnrolmentKey() {
  const invalidate = useInvalidate();
  return useMutation(EnrolmentService.method.createEnrolmentKey, {
    onSuccess: () => invalidate(EnrolmentService),
  });
}

/** useRevokeEnrolmentKey stops a key from enrolling more devices. */
export function useRevokeEnrolmentKey() {
  const invalidate = useInvalidate();
  return useMutation(EnrolmentService.method.revokeEnrolmentKey, {
    onSuccess: () => invalidate(EnrolmentService),
  });
}

/** useRevokeDeviceToken cuts a device's agent off until it enrols again. */
export function useRevokeDeviceToken() {
  const invalidate = useInvalidate();
  return useMutation(EnrolmentService.method.revokeDeviceToken, {
    onSuccess: () => invalidate(DeviceService),
  });
}

/** KeyStatus is what a key can do now. */
export type KeyStatus = "active" | "revoked" | "expired" | "exhausted";

/** keyStatus derives a key's status; revoked wins over expired, expired over exhausted. */
export function keyStatus(key: EnrolmentKey, now: Date = new Date()): KeyStatus {
  if (key.revokeTime) return "revoked";
  const expires = toDate(key.expireTime);
  if (expires && expires.getTime() <= now.getTime()) return "expired";
  if (key.maxUses > 0 && key.uses >= key.maxUses) return "exhausted";
  return "active";
}

/** INSTALL_PLATFORMS orders the install commands; others the server sends follow. */
export const INSTALL_PLATFORMS = [
  { id: "linux", label: "Linux" },
  { id: "macos", label: "macOS" },
  { id: "windows", label: "Windows" },
] as const;

/** useAgentDistribution lists the agent builds this server offers and warns about its public URL. */
export function useAgentDistribution() {
  return useQuery(EnrolmentService.method.getAgentDistribution, {});
}
