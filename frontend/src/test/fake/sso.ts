import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import type { AuthService } from "../../gen/wegweiser/v1/auth_pb";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { SingleSignOnConfigSchema, type SingleSignOnConfig, type SingleSignOnService } from "../../gen/wegweiser/v1/sso_pb";
import type { FakeBackend } from "../fake-backend";

/** FakeSSO is the fake server's single sign-on: its configuration and the codes its callback handed out. */
export class FakeSSO {
  config: SingleSignOnConfig | null = null;
  secret = "";
  /** Offered is GetAuthConfig.single_sign_on. */
  offered = false;
  /** Codes maps a one-time code to the SHA-256 (hex) of its browser binding. */
  codes = new Map<string, string>();
  /** Started are the binding hashes StartSingleSignOn received, in order. */
  started: string[] = [];
}

const state = new WeakMap<FakeBackend, FakeSSO>();

/** ssoOf returns (and creates) the single sign-on state of a fake backend. */
export function ssoOf(b: FakeBackend): FakeSSO {
  let s = state.get(b);
  if (!s) {
    s = new FakeSSO();
    state.set(b, s);
  }
  return s;
}

async function sha256Hex(s: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
  return Array.from(new Uint8Array(d), (x) => x.toString(16).padStart(2, "0")).join("");
}

/** ssoAuthMethods are AuthService's single sign-on methods of the fake backend b. */
export function ssoAuthMethods(b: FakeBackend): Partial<ServiceImpl<typeof AuthService>> {
  return {
    startSingleSignOn: (req, ctx) => {
      b.calls.push({ method: "StartSingleSignOn", authorization: ctx.requestHeader.get("Authorization"), request: req });
      const s = ssoOf(b);
      const domain = req.email.split("@")[1] ?? "";
      if (!s.config?.enabled || !s.config.domains.includes(domain)) {
        throw new ConnectError("single sign-on for this address not found", Code.NotFound);
      }
      s.started.push(req.browserBindingHash);
      return { authorizationUrl: `https://idp.example.com/authorize?state=s${s.started.length}` };
    },
    completeSingleSignOn: async (req, ctx) => {
      b.calls.push({ method: "CompleteSingleSignOn", authorization: ctx.requestHeader.get("Authorization"), request: req });
      const s = ssoOf(b);
      const want = s.codes.get(req.code);
      s.codes.delete(req.code);
      if (!want || want !== (await sha256Hex(req.browserBinding))) {
        throw new ConnectError("the sign-in code is invalid, used or expired; sign in again", Code.Unauthenticated);
      }
      return b.issue();
    },
  };
}

/** ssoService answers SingleSignOnService for the fake backend b. */
export function ssoService(b: FakeBackend): Partial<ServiceImpl<typeof SingleSignOnService>> {
  return {
    getSingleSignOnConfig: (req, ctx) => {
      b.enter("GetSingleSignOnConfig", req, ctx);
      b.need("sso.manage");
      const s = ssoOf(b);
      if (!s.config) throw new ConnectError("single sign-on configuration not found", Code.NotFound);
      return { config: s.config };
    },
    updateSingleSignOnConfig: (req, ctx) => {
      b.enter("UpdateSingleSignOnConfig", req, ctx);
      b.need("sso.manage");
      const s = ssoOf(b);
      const c = req.config;
      if (!c?.issuerUrl.startsWith("https://")) {
        throw new ConnectError("config.issuer_url: must use https (http only on a loopback address)", Code.InvalidArgument);
      }
      if (c.defaultRole === Role.OWNER) {
        throw new ConnectError("config.default_role: must not be owner", Code.InvalidArgument);
      }
      if (c.clientSecret) s.secret = c.clientSecret;
      s.config = create(SingleSignOnConfigSchema, {
        issuerUrl: c.issuerUrl,
        clientId: c.clientId,
        clientSecretSet: s.secret !== "",
        domains: c.domains.map((d) => d.toLowerCase()),
        defaultRole: c.defaultRole,
        ssoOnly: c.ssoOnly,
        enabled: c.enabled,
        redirectUrl: "https://wegweiser.example.com/auth/oidc/callback",
        updateTime: timestampFromDate(new Date()),
      });
      s.offered = c.enabled;
      return { config: s.config };
    },
    deleteSingleSignOnConfig: (req, ctx) => {
      b.enter("DeleteSingleSignOnConfig", req, ctx);
      b.need("sso.manage");
      const s = ssoOf(b);
      if (!s.config) throw new ConnectError("single sign-on configuration not found", Code.NotFound);
      s.config = null;
      s.secret = "";
      s.offered = false;
      return {};
    },
  };
}
