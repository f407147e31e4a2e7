import { useInfiniteQuery, useMutation } from "@connectrpc/connect-query";
import { APIKeyService, type APIKey } from "../../gen/wegweiser/v1/apikey_pb";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { useInvalidate } from "../../lib/queries";
import { toDate } from "../../lib/time";

/** useAPIKeyPages pages through the tenant's API keys, newest first (revoked ones included). */
export function useAPIKeyPages() {
  return useInfiniteQuery(
    APIKeyService.method.listAPIKeys,
    { pageSize: 100, pageToken: "" },
    { pageParamKey: "pageToken", getNextPageParam: (last) => last.nextPageToken || undefined },
  );
}

/** useCreateAPIKey makes a key; its secret is in the response only. */
export function useCreateAPIKey() {
  const invalidate = useInvalidate();
  return useMutation(APIKeyService.method.createAPIKey, { onSuccess: () => invalidate(APIKeyService) });
}

/** useRevokeAPIKey stops a key at once. */
export function useRevokeAPIKey() {
  const invalidate = useInvalidate();
  return useMutation(APIKeyService.method.revokeAPIKey, { onSuccess: () => invalidate(APIKeyService) });
}

/** APIKeyStatus is whether a key works now. */
export type APIKeyStatus = "active" | "revoked" | "expired";

/** apiKeyStatus derives a key's status; revoked wins over expired. */
export function apiKeyStatus(key: APIKey, now: Date = new Date()): APIKeyStatus {
  if (key.revokeTime) return "revoked";
  const expires = toDate(key.expireTime);
  if (expires && expires.getTime() <= now.getTime()) return "expired";
  return "active";
}

/** keyRolesFor lists the roles a member may give a key: never above their own, owner keys only from owners. */
export function keyRolesFor(role: Role): Role[] {
  const below = [Role.ADMIN, Role.TECHNICIAN, Role.VIEWER, Role.CUSTOMER];
  switch (role) {
    case Role.OWNER:
      return [Role.OWNER, ...below];
    case Role.ADMIN:
      return below;
    default:
      return [];
  }
}

/** MAX_LIFETIME_DAYS is the server's bound on a key's expiry (two years). */
export const MAX_LIFETIME_DAYS = 730;
