// End to end: an organisation's member signs in through single sign-on. An
// owner configures the tenant's OpenID Connect provider (a provider of the
// test's own, oidc-provider.ts) through the API; a new colleague at the
// tenant's domain clicks "Sign in with SSO" in a real browser, passes the
// provider and lands signed in, a member created just in time.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch, type Browser } from "./browser";
import { startOIDCProvider, type OIDCProvider } from "./oidc-provider";
import { ARTIFACTS } from "./setup";

// The server's public URL names localhost (passkeys need a host name), so
// the browser uses it too: the identity provider sends it back there, and
// the flow's browser binding lives in that origin's sessionStorage.
const baseUrl = inject("baseUrl").replace("127.0.0.1", "localhost");

let browser: Browser;
let idp: OIDCProvider;

async function call(procedure: string, body: unknown, token = ""): Promise<Record<string, unknown>> {
  const res = await fetch(`${baseUrl}/wegweiser.v1.${procedure}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const out = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${procedure}: ${res.status} ${JSON.stringify(out)}`);
  return out;
}

beforeAll(async () => {
  browser = await launch(baseUrl);
});

afterAll(async () => {
  await browser?.close();
  await idp?.close();
});

describe("single sign-on", () => {
  it("signs a new colleague in through the organisation's identity provider", async () => {
    const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const domain = `sso-${suffix}.example.com`;
    const owner = `owner@${domain}`;
    const password = "correct-horse-battery-staple";
    await call("AuthService/SignUp", { tenantName: `SSO Services ${suffix}`, email: owner, password });
    const login = await call("AuthService/Login", { email: owner, password });
    const ownerToken = login.accessToken as string;

    const colleague = { sub: `sub-${suffix}`, email: `erika@${domain}`, name: "Erika Muster" };
    idp = await startOIDCProvider("wegweiser-e2e", `secret-${suffix}`, colleague);
    const saved = await call(
      "SingleSignOnService/UpdateSingleSignOnConfig",
      {
        config: {
          issuerUrl: idp.issuer,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
          domains: [domain],
          defaultRole: "ROLE_TECHNICIAN",
          enabled: true,
        },
      },
      ownerToken,
    );
    expect((saved.config as Record<string, unknown>).redirectUrl).toBe(`${baseUrl}/auth/oidc/callback`);

    const { page } = browser;
    try {
      await page.goto("/login");
      await page.getByRole("button", { name: "Sign in with SSO" }).click();
      await page.getByLabel("Work email", { exact: true }).fill(colleague.email);
      await page.screenshot({ path: join(ARTIFACTS, "sso-1-login.png"), fullPage: true });
      await page.getByRole("button", { name: "Continue with SSO" }).click();

      // Provider, callback, /login/sso and on to the overview.
      await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
      expect(new URL(page.url()).pathname).toBe("/");
      expect(idp.tokens).toBe(1);
      await page.screenshot({ path: join(ARTIFACTS, "sso-2-signed-in.png"), fullPage: true });

      // The session belongs to the new technician.
      const session = await page.evaluate(() => localStorage.getItem("wegweiser.session"));
      const token = (JSON.parse(session ?? "{}") as { accessToken?: string }).accessToken ?? "";
      const me = await call("AuthService/WhoAmI", {}, token);
      expect((me.user as Record<string, unknown>).email).toBe(colleague.email);
      expect((me.user as Record<string, unknown>).role).toBe("ROLE_TECHNICIAN");
      expect(browser.errors.filter((e) => !e.includes("404"))).toEqual([]);
    } catch (err) {
      await page.screenshot({ path: join(ARTIFACTS, "sso-failure.png"), fullPage: true }).catch(() => {});
      throw err;
    }
  });
});
