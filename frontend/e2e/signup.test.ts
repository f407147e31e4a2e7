// End to end: a new MSP signs up in a real browser against a real server,
// creates an organisation and a group inside it.
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch, type Browser } from "./browser";
import { ARTIFACTS } from "./setup";

const baseUrl = inject("baseUrl");

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

describe("a new MSP", () => {
  it("signs up, creates an organisation and a group, and sees both listed", async () => {
    const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const tenantName = `E2E Managed Services ${suffix}`;
    const email = `owner-${suffix}@e2e.example.com`;
    const orgName = `Contoso ${suffix}`;
    const groupName = "Head office";

    try {
      // Sign up.
      await page.goto("/signup");
      await page.getByRole("heading", { name: "Create your account" }).waitFor();
      await page.getByLabel("Company name", { exact: true }).fill(tenantName);
      await page.getByLabel("Your name", { exact: true }).fill("Erika Muster");
      await page.getByLabel("Email", { exact: true }).fill(email);
      await page.getByLabel("Password", { exact: true }).fill("correct-horse-battery-staple");
      await page.getByRole("button", { name: "Create account" }).click();

      // The overview of the new tenant.
      await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
      await page.getByRole("heading", { name: tenantName }).waitFor();
      expect(new URL(page.url()).pathname).toBe("/");
      await page.screenshot({ path: join(ARTIFACTS, "1-overview.png"), fullPage: true });

      // Create an organisation.
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Organisations" }).click();
      await page.getByRole("heading", { level: 1, name: "Organisations" }).waitFor();
      await page.getByRole("button", { name: "New organisation" }).click();
      await page.getByLabel("Organisation name", { exact: true }).fill(orgName);
      await page.getByLabel("Description", { exact: true }).fill("Created by the end-to-end test");
      await page.getByRole("button", { name: "Create organisation" }).click();
      const orgLink = page.getByRole("table").getByRole("link", { name: orgName, exact: true });
      await orgLink.waitFor();

      // Open it and create a group inside.
      await orgLink.click();
      await page.getByRole("heading", { level: 1, name: orgName }).waitFor();
      expect(new URL(page.url()).pathname).toMatch(/^\/organisations\/[^/]+$/);
      const groups = page.getByRole("region", { name: "Groups" });
      await groups.getByText(/No groups yet/).waitFor();
      await groups.getByRole("button", { name: "New group" }).click();
      await groups.getByLabel("Group name", { exact: true }).fill(groupName);
      await groups.getByRole("button", { name: "Create group" }).click();
      await groups.getByRole("link", { name: groupName, exact: true }).waitFor();
      await page.screenshot({ path: join(ARTIFACTS, "2-organisation.png"), fullPage: true });

      // After a reload (session kept in localStorage), the organisation is
      // listed with its group, and the group on the organisation's page.
      await page.reload();
      await groups.getByRole("link", { name: groupName, exact: true }).waitFor();
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Organisations" }).click();
      const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: orgName, exact: true }) });
      await row.waitFor();
      await expectText(row.getByRole("cell").nth(1), "1"); // one group
      await page.screenshot({ path: join(ARTIFACTS, "3-organisations.png"), fullPage: true });

      // The overview counts what was created.
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
      await page.getByRole("link", { name: "Organisations: 1" }).waitFor();
      await page.getByRole("link", { name: "Groups: 1" }).waitFor();

      expect(browserErrors).toEqual([]);
    } catch (err) {
      await page.screenshot({ path: join(ARTIFACTS, "failure.png"), fullPage: true }).catch(() => {});
      if (browserErrors.length) console.error(`[e2e] browser errors:\n${browserErrors.join("\n")}`);
      throw err;
    }
  });
});

/** expectText waits until the locator's text is exactly `text`. */
async function expectText(locator: ReturnType<Page["locator"]>, text: string, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = (await locator.textContent())?.trim() ?? null;
    if (last === text) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last).toBe(text);
}
