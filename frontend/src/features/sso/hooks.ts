import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { AuthService } from "../../gen/wegweiser/v1/auth_pb";
import { SingleSignOnService } from "../../gen/wegweiser/v1/sso_pb";
import { useSession } from "../auth/hooks";
import { tokenPairFrom } from "../auth/tokens";

/** useSSOConfig loads the tenant's single sign-on configuration (not_found when none). */
export function useSSOConfig() {
  return useQuery(SingleSignOnService.method.getSingleSignOnConfig, {}, { retry: false });
}

/** useUpdateSSOConfig stores the configuration and refreshes the page's copy. */
export function useUpdateSSOConfig() {
  const qc = useQueryClient();
  return useMutation(SingleSignOnService.method.updateSingleSignOnConfig, {
    onSuccess: () => qc.invalidateQueries(),
  });
}

/** useDeleteSSOConfig removes the configuration. */
export function useDeleteSSOConfig() {
  const qc = useQueryClient();
  return useMutation(SingleSignOnService.method.deleteSingleSignOnConfig, {
    onSuccess: () => qc.invalidateQueries(),
  });
}

/** useStartSSO asks for the identity provider's authorization URL. */
export function useStartSSO() {
  return useMutation(AuthService.method.startSingleSignOn);
}

/** useCompleteSSO redeems the callback's one-time code and signs in. */
export function useCompleteSSO() {
  const { signIn } = useSession();
  return useMutation(AuthService.method.completeSingleSignOn, {
    onSuccess: (res) => signIn(tokenPairFrom(res)),
  });
}
