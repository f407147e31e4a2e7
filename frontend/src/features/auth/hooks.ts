import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useContext } from "react";
import { AuthService, type WhoAmIResponse } from "../../gen/wegweiser/v1/auth_pb";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import type { Permission } from "./permissions";
import { SessionContext, ViewerContext, type Session } from "./session";
import { tokenPairFrom } from "./tokens";

/** useSession returns the browser's session (tokens, signIn, signOut). */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession needs a SessionProvider");
  return session;
}

/** useLogin exchanges email and password for a session. */
export function useLogin() {
  const { signIn } = useSession();
  return useMutation(AuthService.method.login, {
    // With a second factor the password only starts the sign-in (see LoginForm).
    onSuccess: (res) => {
      if (!res.secondFactorRequired) signIn(tokenPairFrom(res));
    },
  });
}

/**
 * useSignUp creates a tenant and its owner. It does not sign in: the server
 * answers alike whether or not the email was taken (see SignUpForm).
 */
export function useSignUp() {
  return useMutation(AuthService.method.signUp);
}

/** useAuthConfig loads the server's sign-in features (public sign-up). */
export function useAuthConfig() {
  return useQuery(AuthService.method.getAuthConfig, {}, { staleTime: 300_000 });
}

/** useVerifyEmail confirms an address with the mailed token. */
export function useVerifyEmail() {
  return useMutation(AuthService.method.verifyEmail);
}

/** useResendVerification mails the caller a new verification link. */
export function useResendVerification() {
  return useMutation(AuthService.method.resendVerificationEmail);
}

/** useRequestPasswordReset asks for a reset link by mail. */
export function useRequestPasswordReset() {
  return useMutation(AuthService.method.requestPasswordReset);
}

/** useResetPassword sets a new password with the mailed token. */
export function useResetPassword() {
  return useMutation(AuthService.method.resetPassword);
}

/** useAcceptInvitation activates an invitation and signs the new member in. */
export function useAcceptInvitation() {
  const { signIn } = useSession();
  return useMutation(AuthService.method.acceptInvitation, {
    onSuccess: (res) => signIn(tokenPairFrom(res)),
  });
}

/** useWhoAmI loads the caller: user, tenant and permissions. */
export function useWhoAmI(enabled = true) {
  return useQuery(AuthService.method.whoAmI, {}, { enabled, staleTime: 60_000 });
}

/** useViewer returns the caller inside the signed-in layout. */
export function useViewer(): WhoAmIResponse {
  const viewer = useContext(ViewerContext);
  if (!viewer) throw new Error("useViewer needs the signed-in layout");
  return viewer;
}

/** useCan says whether the caller holds a permission (the server checks again). */
export function useCan(permission: Permission): boolean {
  const viewer = useContext(ViewerContext);
  return viewer?.permissions.includes(permission) ?? false;
}

/** roleLabel names a role for people. */
export function roleLabel(role: Role): string {
  switch (role) {
    case Role.OWNER:
      return "Owner";
    case Role.ADMIN:
      return "Admin";
    case Role.TECHNICIAN:
      return "Technician";
    case Role.VIEWER:
      return "Viewer";
    case Role.CUSTOMER:
      return "Customer";
    default:
      return "Unknown";
  }
}
