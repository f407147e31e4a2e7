// The assistant in a real browser against the demo: a technician opens the
// worst device, asks "what is wrong with this device?", watches the answer
// stream in (from the built-in answerer: the demo has no model configured)
// and opens a record the answer cites.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, type Browser } from "./browser";
import { startDemo, type Demo } from "./demo";

let demo: Demo;
let browser: Browser;
let page: Page;

beforeAll(async () => {
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

/** worstDeviceHref waits until the demo's devices are analysed and returns the page of the worst one. */
async function worstDeviceHref(p: Page): Promise<string> {
  // The analysis runs in the background after the simulated agents report.
  const deadline = Date.now() + 90_000;
  for (;;) {
    await p.goto("/devices?sort=score");
    const table = p.getByRole("table", { name: "Devices" });
    await table.waitFor();
    const scored = await table.locator("tbody tr .score-badge").count();
    if (scored > 0) {
      const href = await table.locator("tbody tr").first().getByRole("link").first().getAttribute("href");
      if (href) return href;
    }
    if (Date.now() > deadline) throw new Error("no device of the demo was analysed within 90 s");
    await p.waitForTimeout(2_000);
  }
}

describe("the assistant on a device page", () => {
  it("streams an answer to a question and opens a cited record", async () => {
    const href = await worstDeviceHref(page);
    expect(href).toMatch(/^\/devices\/[^/?]+$/);
    await page.goto(href);
    const hostname = (await page.getByRole("heading", { level: 1 }).textContent())?.trim() ?? "";
    expect(hostname.length).toBeGreaterThan(0);

    await page.getByRole("button", { name: "Ask Wegweiser" }).click();
    const panel = page.getByRole("complementary", { name: "Assistant" });
    await panel.getByRole("heading", { name: `Ask about ${hostname}` }).waitFor();
    const question = panel.getByLabel("Question", { exact: true });
    await question.fill("what is wrong with this device?");
    await question.press("Enter");

    // The question shows at once; the answer streams in and ends with its label and rating buttons.
    await panel.locator(".chat-question", { hasText: "what is wrong with this device?" }).waitFor();
    const answer = panel.locator(".chat-answer").last();
    await answer.locator(".markdown").waitFor();
    await answer.getByRole("group", { name: "Rate this answer" }).waitFor({ timeout: 60_000 });
    const text = (await answer.locator(".markdown").textContent()) ?? "";
    expect(text.trim().length).toBeGreaterThan(0);
    // The demo has no model: the built-in answerer says so.
    await answer.getByText(/Built-in answerer/).waitFor();
    // Answers never carry raw HTML, images or links other than citations.
    expect(await answer.locator(".markdown img, .markdown a:not(.citation-chip)").count()).toBe(0);

    // Every citation names a record the caller can open; open one that leads
    // away from this page when there is one.
    const chips = answer.locator(".citation-list a.citation-chip");
    const count = await chips.count();
    expect(count).toBeGreaterThan(0);
    const hrefs: string[] = [];
    for (let i = 0; i < count; i++) hrefs.push((await chips.nth(i).getAttribute("href")) ?? "");
    for (const h of hrefs) {
      expect(h).toMatch(/^\/(devices\/[^/?#]+(\?tab=(health|events|software))?|groups\/[^/?#]+|organisations\/[^/?#]+|checks(#check-.+)?)?$/);
    }
    const pick = Math.max(0, hrefs.findIndex((h) => h !== href));
    const target = hrefs[pick] ?? "";
    await chips.nth(pick).click();
    await page.waitForURL((url) => url.pathname + url.search + url.hash === target);
    await page.getByRole("heading", { level: 1 }).waitFor();
    expect(await page.getByText("Page not found").count()).toBe(0);
    expect(await page.getByRole("alert").count()).toBe(0);
    // Nothing failed on the way: no refused request, no script error.
    expect(browser.errors).toEqual([]);
  });
});
