// End to end: a new MSP gets from sign-up to a scored device using only the
// SPA and the install command it shows. The command is run on this machine
// as shown (without sudo when already root) with --root pointing at a
// throwaway directory, so the install script downloads the agent from the
// server, verifies its checksum, enrols and sends a first report, and skips
// the service manager step.
import { exec } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch, type Browser } from "./browser";
import { ARTIFACTS } from "./setup";

const run = promisify(exec);
const baseUrl = inject("baseUrl");
const DOCS = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));
const shot = (name: string) => join(process.env.UPDATE_SCREENSHOTS === "1" ? DOCS : ARTIFACTS, name);

let browser: Browser;
let page: Page;
let root = "";

beforeAll(async () => {
  if (!process.env.WEGWEISER_AGENT_BIN) {
    throw new Error("WEGWEISER_AGENT_BIN is not set: build the agent (make agent) and pass its path.");
  }
  root = await mkdtemp(join(tmpdir(), "wegweiser-e2e-root-"));
  browser = await launch(baseUrl);
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** untilFound reloads the page until the locator matches (background analysis), then returns it. */
async function untilFound(go: () => Promise<unknown>, locator: ReturnType<Page["locator"]>, what: string) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    await go();
    if ((await locator.count()) > 0) return locator.first();
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await page.waitForTimeout(2_000);
  }
}

describe("a new MSP", () => {
  it("signs up, creates a key, runs the install command it shows, and sees the device scored", async () => {
    const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const orgName = `Onboarding ${suffix}`;
    try {
      // Sign up and create the first organisation.
      await page.goto("/signup");
      await page.getByLabel("Company name", { exact: true }).fill(`Onboarding MSP ${suffix}`);
      await page.getByLabel("Your name", { exact: true }).fill("Erika Muster");
      await page.getByLabel("Email", { exact: true }).fill(`onboarding-${suffix}@e2e.example.com`);
      await page.getByLabel("Password", { exact: true }).fill("correct-horse-battery-staple");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
      const nav = page.getByRole("navigation", { name: "Main" });
      await nav.getByRole("link", { name: "Organisations" }).click();
      await page.getByRole("button", { name: "New organisation" }).click();
      await page.getByLabel("Organisation name", { exact: true }).fill(orgName);
      await page.getByRole("button", { name: "Create organisation" }).click();
      await page.getByRole("table").getByRole("link", { name: orgName, exact: true }).waitFor();

      // The enrolment page warns that 127.0.0.1 is out of reach of other
      // endpoints, and offers the agent build of this machine.
      await nav.getByRole("link", { name: "Enrolment" }).click();
      await page.getByRole("heading", { level: 1, name: "Enrolment" }).waitFor();
      const warning = page.getByRole("alert", { name: "Public URL warnings" });
      await warning.waitFor();
      expect(await warning.textContent()).toMatch(/loopback[\s\S]*WEGWEISER_PUBLIC_URL/);
      const downloads = page.getByRole("table", { name: "Agent downloads" });
      await downloads.getByRole("link", { name: /^wegweiser-agent_0\.0\.0-e2e_linux_/ }).first().waitFor();

      // Create a key and read the Linux command from the page.
      const form = page.getByRole("form", { name: "New enrolment key" });
      await form.getByLabel("Organisation").selectOption({ label: orgName });
      await form.getByLabel("Description").fill("First customer laptops");
      await form.getByRole("button", { name: "Create key" }).click();
      const linux = page.getByRole("group", { name: "Linux" });
      const command = ((await linux.locator("pre code").textContent()) ?? "").trim();
      expect(command).toMatch(/^curl -fsSL http:\/\/(127\.0\.0\.1|localhost):\d+\/install\.sh \| sudo sh -s -- --key \S+$/);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: shot("enrolment.png"), fullPage: true });

      // Run it as shown, in a throwaway root (no sudo needed when root).
      const asRoot = process.getuid?.() === 0;
      const line = `${asRoot ? command.replace("| sudo sh", "| sh") : command} --root ${root}`;
      const { stderr } = await run(line, { shell: "/bin/sh", timeout: 300_000 });
      expect(stderr).toMatch(/checksum verified/);
      expect(stderr).toMatch(/enrolled with/);
      expect(stderr).toMatch(/service step skipped/);
      await stat(join(root, "usr/local/bin/wegweiser-agent"));

      // The device appears and gets its score.
      await nav.getByRole("link", { name: "Devices" }).click();
      const table = page.getByRole("table", { name: "Devices" });
      const row = table.locator("tbody tr").filter({ has: page.getByRole("link", { name: hostname(), exact: true }) });
      const badge = await untilFound(
        async () => {
          await page.goto("/devices");
          await table.waitFor();
        },
        row.locator(".score-badge"),
        "the device's score in the device list",
      );
      expect(Number.parseInt((await badge.textContent()) ?? "", 10)).toBeGreaterThanOrEqual(0);
      await row.getByRole("link", { name: hostname(), exact: true }).first().click();
      await page
        .getByRole("region", { name: "Score and top reasons" })
        .getByRole("img", { name: /^Device health score: \d+ of 100/ })
        .waitFor();
      await page.screenshot({ path: join(ARTIFACTS, "onboarding-device.png"), fullPage: true });
      expect(browser.errors).toEqual([]);
    } catch (err) {
      await page.screenshot({ path: join(ARTIFACTS, "onboarding-failure.png"), fullPage: true }).catch(() => {});
      if (browser.errors.length) console.error(`[e2e] browser errors:\n${browser.errors.join("\n")}`);
      throw err;
    }
  });
});
