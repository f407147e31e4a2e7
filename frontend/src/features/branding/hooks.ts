import { useMutation } from "@connectrpc/connect-query";
import { AuthService } from "../../gen/wegweiser/v1/auth_pb";
import { TenantService } from "../../gen/wegweiser/v1/tenant_pb";
import { useInvalidate } from "../../lib/queries";

/** useUpdateBranding stores the tenant's branding (owners); the tenant and WhoAmI refetch so the sidebar shows it. */
export function useUpdateBranding() {
  const invalidate = useInvalidate();
  return useMutation(TenantService.method.updateBranding, {
    onSuccess: () => {
      invalidate(TenantService);
      invalidate(AuthService);
    },
  });
}
