import { useMutation, useQuery } from "@connectrpc/connect-query";
import { UserService } from "../../gen/wegweiser/v1/user_pb";
import { useInvalidate } from "../../lib/queries";

/** useUsers lists the members of the tenant (up to 500). */
export function useUsers() {
  return useQuery(UserService.method.listUsers, { pageSize: 500 });
}

/** useInviteUser creates a pending membership and returns its one-time token. */
export function useInviteUser() {
  const invalidate = useInvalidate();
  return useMutation(UserService.method.inviteUser, {
    onSuccess: () => invalidate(UserService),
  });
}

/** useChangeUserRole sets a member's role and organisation scope. */
export function useChangeUserRole() {
  const invalidate = useInvalidate();
  return useMutation(UserService.method.changeUserRole, {
    onSuccess: () => invalidate(UserService),
  });
}

/** useDisableUser stops a member from signing in. */
export function useDisableUser() {
  const invalidate = useInvalidate();
  return useMutation(UserService.method.disableUser, {
    onSuccess: () => invalidate(UserService),
  });
}

/** useEnableUser lets a disabled member sign in again. */
export function useEnableUser() {
  const invalidate = useInvalidate();
  return useMutation(UserService.method.enableUser, {
    onSuccess: () => invalidate(UserService),
  });
}
