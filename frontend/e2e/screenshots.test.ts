// The demo in a real browser, as a technician triages it: the device list
// sorted by score, the device page, the tenant dashboard with its by-check
// view, and the same pages on a 375 px phone. It asserts what the pages must
// show every time; with UPDATE_SCREENSHOTS=1 it also writes the PNGs under
// docs/screenshots/ (otherwise they go to e2e/artifacts/).
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, type Browser } from "./browser";
import { startDemo, type Demo } from "./demo";
import { ARTIFACTS } from "./setup";

const DOCS = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));
const out = (name: string) => join(process.env.UPDATE_SCREENSHOTS === "1" ? DOCS : ARTIFACTS, name);

// The screenshots are of the SPA; the PostgreSQL pass of `make test-e2e` adds nothing to them.
const skip = Boolean(process.env.WEGWEISER_DATABASE_URL);

let demo: Demo;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (skip) return;
  demo = await startDemo(process.env.WEGWEISER_BIN ?? "");
  browser = await launch(demo.baseUrl);
  page = browser.page;
  await page.goto("/login");
  await page.getByLabel("Email", { exact: true }).fill(demo.email);
  await page.getByLabel("Password", { exact: true }).fill(demo.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

/** scores reads the score column of the device table: numbers, null for unscored rows. */
async function scores(p: Page): Promise<(number | null)[]> {
  return p.getByRole("table", { name: "Devices" }).locator("tbody tr").evaluateAll((rows) =>
    rows.map((r) => {
      const badge = r.querySelector(".score-badge");
      const n = badge ? parseInt(badge.textContent ?? "", 10) : NaN;
      return Number.isFinite(n) ? n : null;
    }),
  );
}

/** pageWidth is how wide the document is; more than the viewport means the page scrolls sideways. */
function pageWidth(p: Page): Promise<number> {
  return p.evaluate(() => document.documentElement.scrollWidth);
}

/** overflowing names the innermost elements that reach past the viewport (for the failure message). */
function overflowing(p: Page): Promise<string> {
  return p.evaluate(() => {
    const wide = [...document.querySelectorAll("body *")].filter((el) => {
      if (el.closest(".table-wrap") && !el.classList.contains("table-wrap")) return false;
      return el.getBoundingClientRect().right > window.innerWidth + 1;
    });
    const innermost = wide.filter((el) => !wide.some((o) => o !== el && el.contains(o)));
    return innermost
      .slice(0, 8)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} (right ${Math.round(el.getBoundingClientRect().right)})`)
      .join("; ");
  });
}

describe.skipIf(skip)("the demo, triaged", () => {
  it("lists devices worst first by score, with band and top reason", async () => {
    // The analysis runs in the background after the simulated agents report: wait for scores.
    const deadline = Date.now() + 90_000;
    let list: (number | null)[];
    for (;;) {
      await page.goto("/devices?sort=score");
      await page.getByRole("table", { name: "Devices" }).waitFor();
      list = await scores(page);
      if (list.filter((s) => s !== null).length >= 10 || Date.now() > deadline) break;
      await page.waitForTimeout(2_000);
    }
    const scored = list.filter((s): s is number => s !== null);
    expect(scored.length).toBeGreaterThanOrEqual(10);
    // Ascending by score; unscored devices (if any) come last.
    expect(scored).toEqual([...scored].sort((a, b) => a - b));
    expect(list.slice(0, scored.length).every((s) => s !== null)).toBe(true);
    expect(await page.getByRole("columnheader", { name: /Score/ }).getAttribute("aria-sort")).toBe("ascending");
    // The worst device has a top reason.
    const first = page.getByRole("table", { name: "Devices" }).locator("tbody tr").first();
    expect((await first.locator(".top-reason").textContent())?.trim().length).toBeGreaterThan(0);
    await page.setViewportSize({ width: 1280, height: 1300 });
    await page.screenshot({ path: out("device-list-by-score.png"), fullPage: false });
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("opens the worst device on its score, band and top reasons", async () => {
    await page.goto("/devices?sort=score");
    const first = page.getByRole("table", { name: "Devices" }).locator("tbody tr").first().getByRole("link").first();
    await first.click();
    const triage = page.getByRole("region", { name: "Score and top reasons" });
    await triage.waitFor();
    await triage.getByRole("img", { name: /^Device health score: \d+ of 100/ }).waitFor();
    const reasons = triage.getByRole("list", { name: "Top reasons" }).getByRole("listitem");
    expect(await reasons.count()).toBeGreaterThan(0);
    // Score first, the tabs below it; facts and actions wait in Details.
    const [triageTop, tabsTop] = await Promise.all([
      triage.evaluate((e) => e.getBoundingClientRect().top),
      page.getByRole("tablist", { name: "Health and inventory" }).evaluate((e) => e.getBoundingClientRect().top),
    ]);
    expect(triageTop).toBeLessThan(tabsTop);
    expect(await page.getByRole("form", { name: "Move device" }).count()).toBe(0);
    await page.setViewportSize({ width: 1280, height: 1100 });
    await page.screenshot({ path: out("device-page.png"), fullPage: false });
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("shows the tenant dashboard with a by-check view whose rows open filtered device lists", async () => {
    await page.goto("/");
    const byCheck = page.getByRole("region", { name: "By check" });
    await byCheck.getByRole("table").waitFor();
    const links = byCheck.getByRole("link", { name: /\d+ devices? →/ });
    expect(await links.count()).toBeGreaterThan(0);
    const href = (await links.first().getAttribute("href")) ?? "";
    expect(href).toMatch(/^\/devices\?check=[a-z_]+\.[a-z_]+&sort=score$/);
    const expected = parseInt((await links.first().textContent()) ?? "", 10);
    await page.screenshot({ path: out("tenant-dashboard.png"), fullPage: true });
    await byCheck.screenshot({ path: out("by-check.png") });

    await links.first().click();
    await page.getByRole("list", { name: "Active filters" }).getByText("Failing check:").waitFor();
    await page.getByRole("table", { name: "Devices" }).waitFor();
    const rows = await page.getByRole("table", { name: "Devices" }).locator("tbody tr").count();
    expect(rows).toBe(expected);
    expect(new URL(page.url()).search).toBe(href.slice("/devices".length));
  });

  it("does not scroll sideways on a 375 px phone", async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    for (const path of ["/", "/devices?sort=score"]) {
      await page.goto(path);
      await page.getByRole("heading", { level: 1 }).waitFor();
      await page.locator("table").first().waitFor();
      expect(await pageWidth(page), `${path}: ${await overflowing(page)}`).toBeLessThanOrEqual(375);
    }
    await page.screenshot({ path: out("device-list-phone.png"), fullPage: false });
    await page.getByRole("table", { name: "Devices" }).locator("tbody tr").first().getByRole("link").first().click();
    await page.getByRole("region", { name: "Score and top reasons" }).getByRole("list", { name: "Top reasons" }).waitFor();
    expect(await pageWidth(page), await overflowing(page)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: out("device-page-phone.png"), fullPage: false });
    // A 120-character host name wraps instead of widening the page (the name is set in the page, not the demo).
    const long = `${"very-long-host-name-".repeat(6)}`.slice(0, 120);
    await page.evaluate((name) => {
      const h1 = document.querySelector("h1");
      if (h1) h1.textContent = name;
    }, long);
    expect(await pageWidth(page), await overflowing(page)).toBeLessThanOrEqual(375);
    expect(await page.locator("h1").evaluate((h) => h.getBoundingClientRect().height)).toBeGreaterThan(60);
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("answers a question on the worst device, with its narrative, in the assistant panel", async () => {
    await page.goto("/devices?sort=score");
    await page.getByRole("table", { name: "Devices" }).locator("tbody tr").first().getByRole("link").first().click();
    await page.getByRole("region", { name: "Score and top reasons" }).waitFor();
    await page.getByRole("button", { name: "Ask Wegweiser" }).click();
    const panel = page.getByRole("complementary", { name: "Assistant" });
    const question = panel.getByLabel("Question", { exact: true });
    await question.fill("what is wrong with this device?");
    await question.press("Enter");
    const answer = panel.locator(".chat-answer").last();
    await answer.getByRole("group", { name: "Rate this answer" }).waitFor({ timeout: 60_000 });
    expect(await answer.locator(".citation-list a.citation-chip").count()).toBeGreaterThan(0);
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.screenshot({ path: out("assistant-device.png"), fullPage: false });
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("puts together a discovery report of the worst organisation", async () => {
    await page.goto("/organisations");
    const org = page.getByRole("table").first().locator("tbody tr").first().getByRole("link").first();
    const href = (await org.getAttribute("href")) ?? "";
    expect(href).toMatch(/^\/organisations\/[^/]+$/);
    await page.goto(`${href}/discovery`);
    await page.getByRole("heading", { level: 1, name: /^Discovery report: / }).waitFor();
    await page.getByRole("heading", { name: "Top risks" }).waitFor();
    await page.locator("table").first().locator("tbody tr").first().waitFor();
    await page.screenshot({ path: out("discovery-report.png"), fullPage: true });
  });

  it("previews the health report of the worst organisation", async () => {
    await page.goto("/organisations");
    const org = page.getByRole("table").first().locator("tbody tr").first().getByRole("link").first();
    const href = (await org.getAttribute("href")) ?? "";
    expect(href).toMatch(/^\/organisations\/[^/]+$/);
    await page.goto(`${href}/report`);
    await page.getByRole("heading", { level: 1, name: /^Health report: / }).waitFor();
    const report = page.frameLocator('iframe[title="Report preview"]');
    await report.getByRole("heading", { name: "Top risks by check" }).waitFor();
    await report.locator("svg#trend polyline").waitFor();
    await page.screenshot({ path: out("health-report.png"), fullPage: true });
  });

  it("shows the AI settings with the built-in answerer in effect", async () => {
    await page.goto("/settings/ai");
    await page.getByRole("heading", { level: 1, name: "AI assistant" }).waitFor();
    await page.getByRole("form", { name: "Language model settings" }).waitFor();
    await page.screenshot({ path: out("ai-settings.png"), fullPage: true });
  });

  it("guides a new tenant with the getting-started checklist and a tour", async () => {
    const fresh = await launch(demo.baseUrl);
    try {
      const p = fresh.page;
      const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
      await p.goto("/signup");
      await p.getByLabel("Company name", { exact: true }).fill(`Northwind IT ${suffix}`);
      await p.getByLabel("Your name", { exact: true }).fill("Erika Muster");
      await p.getByLabel("Email", { exact: true }).fill(`owner-${suffix}@e2e.example.com`);
      await p.getByLabel("Password", { exact: true }).fill("correct-horse-battery-staple");
      await p.getByRole("button", { name: "Create account" }).click();
      await p.getByRole("heading", { level: 1, name: "Overview" }).waitFor();

      // The first organisation ticks its step; the card then waits for a device.
      await p.goto("/organisations");
      await p.getByRole("button", { name: "New organisation" }).click();
      await p.getByLabel("Organisation name", { exact: true }).fill("Contoso");
      await p.getByRole("button", { name: "Create organisation" }).click();
      await p.getByRole("table").getByRole("link", { name: "Contoso", exact: true }).waitFor();
      await p.goto("/");
      const card = p.getByRole("region", { name: "Get started" });
      await card.getByText("1 of 6 steps done").waitFor();
      await card.getByText("Waiting for your first device…").waitFor();
      await card.screenshot({ path: out("getting-started.png") });

      await p.getByRole("button", { name: "Take the tour" }).click();
      const dialog = p.getByRole("dialog", { name: "Find your way" });
      await dialog.waitFor();
      await dialog.getByRole("button", { name: "Next" }).click();
      await p.getByRole("dialog", { name: "Get started" }).waitFor();
      await p.screenshot({ path: out("tour-step.png"), fullPage: false });
      await p.keyboard.press("Escape");
      await p.getByRole("dialog").waitFor({ state: "detached" });
      expect(fresh.errors).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it("previews a CSV import with its row errors marked and import refused", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto("/transfer");
    await page.getByRole("heading", { level: 1, name: "Import and export" }).waitFor();
    await page.getByLabel("What to import").selectOption({ label: "Devices" });
    const csv = [
      "organisation,group,hostname,serial_number,tags",
      "Harbour Logistics,,HL-LT-101,5CG2210ABC,laptop;warehouse",
      "Harbour Logistics,,HL-LT-102,5CG2210ABD,laptop",
      "Harbour Logistics,Night shift,HL-LT-103,,laptop",
      "Nordwind Logistik GmbH,,NW-PC-01,,",
      "Harbour Logistics,,HL-LT-101,5CG2210ABC,laptop",
      "Harbour Logistics,,,,",
    ].join("\r\n");
    await page.getByLabel("CSV file").setInputFiles({ name: "harbour-devices.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    const summary = page.getByLabel("Preview summary");
    await summary.waitFor();
    expect(await summary.textContent()).toContain("6 rows — 2 to create, 0 to update, 0 unchanged, 4 with errors");
    expect(await page.locator("tr.row-error").count()).toBe(4);
    expect(await page.getByRole("button", { name: "Import 6 devices" }).isDisabled()).toBe(true);
    await page.screenshot({ path: out("import-preview.png"), fullPage: true });
  });

  it("tags ticked devices in bulk after a confirmation, and follows the progress", async () => {
    await page.goto("/devices?sort=score");
    const table = page.getByRole("table", { name: "Devices" });
    await table.waitFor();
    const boxes = table.locator("tbody tr").getByRole("checkbox");
    for (let i = 0; i < 3; i++) await boxes.nth(i).check();
    const bar = page.getByRole("region", { name: "Bulk actions" });
    await bar.getByText("3 devices selected.").waitFor();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: out("device-list-bulk.png"), fullPage: false });
    await bar.getByRole("button", { name: "Tag…" }).click();
    await bar.getByLabel("Add tags").fill("review");
    await bar.getByRole("button", { name: "Tag 3 devices" }).click();
    const progress = page.getByRole("region", { name: "Bulk operation progress" });
    await progress.getByText("Tagged 3 devices.").waitFor({ timeout: 60_000 });
    await page.getByRole("table", { name: "Devices" }).waitFor();
    await page.screenshot({ path: out("bulk-progress.png"), fullPage: false });
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto("/devices?tag=review");
    await page.getByRole("table", { name: "Devices" }).waitFor();
    expect(await page.getByRole("table", { name: "Devices" }).locator("tbody tr").count()).toBe(3);
  });

  it("logged no errors in the browser", () => {
    expect(browser.errors).toEqual([]);
  });
});
