// End to end: a new owner registers a passkey on /settings/security with
// Chromium's virtual authenticator (DevTools WebAuthn domain), signs out and
// signs in again with "Sign in with a passkey".
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch, type Browser } from "./browser";
import { ARTIFACTS } from "./setup";

// WebAuthn needs a secure context and a domain: http://localhost is both,
// and the server's public URL (its relying party) is localhost too.
const baseUrl = inject("baseUrl").replace("127.0.0.1", "localhost");

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launch(baseUrl);
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
});

describe("passkeys", () => {
  it("registers a passkey and signs in with it", async () => {
    const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const email = `passkey-${suffix}@e2e.example.com`;
    try {
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send("WebAuthn.enable");
      const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
        options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
      });

      await page.goto("/signup");
      await page.getByRole("heading", { name: "Create your account" }).waitFor();
      await page.getByLabel("Company name", { exact: true }).fill(`Passkey MSP ${suffix}`);
      await page.getByLabel("Your name", { exact: true }).fill("Pat Key");
      await page.getByLabel("Email", { exact: true }).fill(email);
      await page.getByLabel("Password", { exact: true }).fill("correct-horse-battery-staple");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();

      // Register a passkey; the first factor shows the recovery codes once.
      await page.getByRole("link", { name: "Account security" }).click();
      await page.getByRole("heading", { level: 1, name: "Account security" }).waitFor();
      await page.getByRole("button", { name: "Add a passkey" }).click();
      await page.getByRole("region", { name: "Recovery codes" }).waitFor();
      await page.getByRole("list", { name: "Passkeys" }).getByRole("listitem").first().waitFor();
      const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
      expect(credentials).toHaveLength(1);
      expect(credentials[0]?.isResidentCredential).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, "passkey-1-registered.png"), fullPage: true });
      await page.getByRole("button", { name: "I saved them" }).click();

      // Sign out (from the Overview, where signing in returns), then in
      // with the passkey alone.
      await page.getByRole("link", { name: "Overview" }).click();
      await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
      await page.locator(".sidebar-footer").getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      await page.getByRole("button", { name: "Sign in with a passkey" }).click();
      await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
      expect(new URL(page.url()).pathname).toBe("/");

      // A password sign-in now asks for the second factor.
      await page.locator(".sidebar-footer").getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      await page.getByLabel("Email", { exact: true }).fill(email);
      await page.getByLabel("Password", { exact: true }).fill("correct-horse-battery-staple");
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByRole("button", { name: "Use your passkey" }).click();
      await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    } catch (err) {
      await page.screenshot({ path: join(ARTIFACTS, "passkey-failure.png"), fullPage: true }).catch(() => {});
      if (browser.errors.length) console.error(`[e2e] browser errors:\n${browser.errors.join("\n")}`);
      throw err;
    }
  });
});
