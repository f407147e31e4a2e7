// Launches Debian's Chromium through playwright-core for the end-to-end
// tests: headless, sandbox off (root in CI), no background networking (the
// machine has no internet), a fresh profile per test file.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Browser is a launched Chromium with one page and the errors it logged. */
export interface Browser {
  context: BrowserContext;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/** launch starts Chromium with baseURL set for page.goto("/path"). */
export async function launch(baseURL: string): Promise<Browser> {
  const userDataDir = await mkdtemp(join(tmpdir(), "wegweiser-e2e-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    baseURL,
    viewport: { width: 1280, height: 860 },
  });
  // Guided tours do not play by themselves in the browser tests, so they
  // cover no page the tests look at (features/onboarding/tours.ts); the
  // screenshots test replays one with its button.
  await context.addInitScript(() => localStorage.setItem("wegweiser.tours", "off"));
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
