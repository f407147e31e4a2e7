import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// End-to-end tests: a real `wegweiser serve` (started by e2e/setup.ts) and a
// headless Chromium driven by playwright-core. Needs WEGWEISER_BIN and a
// built SPA embedded in that binary.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  // Keep caches in the one node_modules at the repository root.
  cacheDir: fileURLToPath(new URL("../node_modules/.vite/frontend", import.meta.url)),
  test: {
    environment: "node",
    include: ["e2e/**/*.test.ts"],
    globalSetup: ["e2e/setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
  },
});
