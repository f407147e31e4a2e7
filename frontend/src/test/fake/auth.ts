import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { AuthService, TenantSchema, UserSchema } from "../../gen/wegweiser/v1/auth_pb";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import type { FakeBackend } from "../fake-backend";
import { ssoAuthMethods, ssoOf } from "./sso";

/** authService answers AuthService for the fake backend b. */
export function authService(b: FakeBackend): Partial<ServiceImpl<typeof AuthService>> {
  return {
    ...ssoAuthMethods(b),
    signUp: (req, ctx) => {
      b.enter("SignUp", req, ctx);
      b.tenant = create(TenantSchema, { id: "t1", name: req.tenantName });
      b.me = create(UserSchema, { id: "u1", email: req.email, displayName: req.displayName, role: Role.OWNER });
      b.users = [b.me];
      // As the server: an empty answer, whether or not the email was taken.
      return {};
    },
    login: (req, ctx) => {
      b.enter("Login", req, ctx);
      return b.issue();
    },
    refresh: (req, ctx) => {
      b.enter("Refresh", req, ctx);
      if (req.refreshToken !== b.refreshToken) {
        throw new ConnectError("refresh token already used", Code.Unauthenticated);
      }
      return b.issue();
    },
    logout: (req, ctx) => {
      b.calls.push({ method: "Logout", authorization: ctx.requestHeader.get("Authorization"), request: req });
      b.refreshToken = "revoked";
      return {};
    },
    acceptInvitation: (req, ctx) => {
      b.enter("AcceptInvitation", req, ctx);
      return b.issue();
    },
    whoAmI: (req, ctx) => {
      b.enter("WhoAmI", req, ctx);
      return { user: b.me, tenant: b.tenant, permissions: b.permissions };
    },
    getAuthConfig: (req, ctx) => {
      b.enter("GetAuthConfig", req, ctx);
      return { publicSignup: b.publicSignup, singleSignOn: ssoOf(b).offered };
    },
    verifyEmail: (req, ctx) => {
      b.enter("VerifyEmail", req, ctx);
      if (!b.verificationTokens.delete(req.verificationToken)) {
        throw new ConnectError("verification link not found", Code.NotFound);
      }
      b.me.emailVerified = true;
      return {};
    },
    resendVerificationEmail: (req, ctx) => {
      b.enter("ResendVerificationEmail", req, ctx);
      return {};
    },
    requestPasswordReset: (req, ctx) => {
      b.enter("RequestPasswordReset", req, ctx);
      return {};
    },
    resetPassword: (req, ctx) => {
      b.enter("ResetPassword", req, ctx);
      if (!b.resetTokens.delete(req.resetToken)) {
        throw new ConnectError("reset link not found", Code.NotFound);
      }
      return {};
    },
  };
}
