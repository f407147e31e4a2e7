// End to end: an MSP brands its dashboard and invites a customer for one of
// its two organisations; the customer accepts the mailed invitation (the
// default mail sender writes it to the server's output), signs in and sees
// the MSP's name and logo and only their own organisation. With
// UPDATE_SCREENSHOTS=1 it writes docs/screenshots/customer-portal.png.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch, type Browser } from "./browser";
import { ARTIFACTS } from "./setup";

const baseUrl = inject("baseUrl");
const serverLog = inject("serverLog");
const DOCS = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));
// The screenshot is of the SPA; the PostgreSQL pass adds nothing to it.
const shot = process.env.UPDATE_SCREENSHOTS === "1" && !process.env.WEGWEISER_DATABASE_URL ? DOCS : ARTIFACTS;

// A 48×48 PNG: an orange disc.
const LOGO = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAADAAAAAwCAYAAABXAvmHAAAAkUlEQVR42u3ZwQ3AIAwEQReQptJ6GnMqCAFkifNpH3zRzg/syMzofAIAAAA1Fz33latHArATXgk5Gl4BkYnfRciE70Ik41cQsvGzCH/AyfgZhHz8H8IXoBQ/QngCFOO/EAAAAAAAAAAAAAB4TgsC+FIqANpPJRhsqQDaz0YtptMW+wGbDY3FjsxmS8miG0BzwAvIclv4LYYCtwAAAABJRU5ErkJggg==",
  "base64",
);

let browser: Browser;
let page: Page;
let browserErrors: string[] = [];

beforeAll(async () => {
  browser = await launch(baseUrl);
  page = browser.page;
  browserErrors = browser.errors;
});

afterAll(async () => {
  await browser?.close();
});

/** invitationToken waits for the invitation mailed to email in the server's output and returns its token. */
async function invitationToken(email: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const log = await readFile(serverLog, "utf8").catch(() => "");
    for (const line of log.split("\n")) {
      if (!line.includes(email)) continue;
      const m = /accept-invitation\?token=([A-Za-z0-9%._~-]+)/.exec(line);
      if (m?.[1]) return decodeURIComponent(m[1]);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no invitation for ${email} in the server's output`);
}

describe("the customer portal", () => {
  it("shows an invited customer the MSP's brand and only their organisation", async () => {
    const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const brand = `Northwind IT ${suffix}`;
    const customerEmail = `customer-${suffix}@e2e.example.com`;
    const mine = `Fabrikam ${suffix}`;
    const theirs = `Tailspin ${suffix}`;
    const nav = () => page.getByRole("navigation", { name: "Main" });

    try {
      await page.goto("/signup");
      await page.getByLabel("Company name", { exact: true }).fill(`MSP ${suffix}`);
      await page.getByLabel("Your name", { exact: true }).fill("Olga Owner");
      await page.getByLabel("Email", { exact: true }).fill(`owner-${suffix}@e2e.example.com`);
      await page.getByLabel("Password", { exact: true }).fill("correct-horse-battery-staple");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();

      for (const name of [mine, theirs]) {
        await nav().getByRole("link", { name: "Organisations" }).click();
        await page.getByRole("heading", { level: 1, name: "Organisations" }).waitFor();
        // After the first, the form stays open for the next one.
        const newOrg = page.getByRole("button", { name: "New organisation" });
        if (await newOrg.isVisible()) await newOrg.click();
        await page.getByLabel("Organisation name", { exact: true }).fill(name);
        await page.getByRole("button", { name: "Create organisation" }).click();
        await page.getByRole("table").getByRole("link", { name, exact: true }).waitFor();
      }

      // Branding: name, logo and colour.
      await nav().getByRole("link", { name: "Branding" }).click();
      const form = page.getByRole("form", { name: "Branding" });
      await form.getByLabel("Display name").fill(brand);
      await form.getByLabel("Logo").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: LOGO });
      await form.getByLabel("Accent colour").fill("#c2410c");
      await form.getByRole("group", { name: "Preview" }).locator("img").waitFor();
      await form.getByRole("button", { name: "Save branding" }).click();
      await form.getByText("Branding saved.").waitFor();
      await page.locator(".sidebar").getByText(brand).waitFor();

      // Invite a customer for the first organisation.
      await nav().getByRole("link", { name: "Users" }).click();
      await page.getByRole("button", { name: "Invite user" }).click();
      const invite = page.getByRole("form", { name: "Invite user" });
      await invite.getByLabel("Email").fill(customerEmail);
      await invite.getByLabel("Role").selectOption({ label: "Customer" });
      await invite.getByLabel(mine).check();
      await invite.getByRole("button", { name: "Send invitation" }).click();
      const token = await invitationToken(customerEmail);

      // The customer accepts in a fresh session.
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: /sign in/i }).first().waitFor();
      await page.goto(`/accept-invitation?token=${encodeURIComponent(token)}`);
      await page.getByLabel("Your name").fill("Carla Customer");
      await page.getByLabel("Password").fill("another-horse-battery-staple");
      await page.getByRole("button", { name: "Accept invitation" }).click();
      await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();

      const sidebar = page.locator(".sidebar");
      await sidebar.getByText(brand).waitFor();
      await sidebar.getByText("Customer portal").waitFor();
      const logo = sidebar.getByRole("img", { name: `${brand} logo` });
      expect(await logo.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
      expect(await nav().getByRole("link", { name: "Software" }).count()).toBe(0);
      expect(await nav().getByRole("link", { name: "Users" }).count()).toBe(0);
      const accent = await page.evaluate(() => document.documentElement.style.getPropertyValue("--brand-color"));
      expect(accent).toBe("#c2410c");

      await nav().getByRole("link", { name: "Organisations" }).click();
      await page.getByRole("table").getByRole("link", { name: mine, exact: true }).waitFor();
      expect(await page.getByText(theirs).count()).toBe(0);
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
      await page.getByText(/Customer portal: a read-only view/).waitFor();
      await page.screenshot({ path: join(shot, "customer-portal.png") });

      expect(browserErrors).toEqual([]);
    } catch (err) {
      await page.screenshot({ path: join(ARTIFACTS, "portal-failure.png"), fullPage: true }).catch(() => {});
      if (browserErrors.length) console.error(`[e2e] browser errors:\n${browserErrors.join("\n")}`);
      throw err;
    }
  });
});
