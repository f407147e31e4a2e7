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
  await page.getByRole("button", { name: "Sign in" }).click();
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

  it("logged no errors in the browser", () => {
    expect(browser.errors).toEqual([]);
  });
});
