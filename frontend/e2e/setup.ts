// Global setup of the end-to-end tests: starts a real `wegweiser serve` on a
// free port with a fresh data directory, waits for /readyz, hands the base URL
// to the tests (inject("baseUrl")) and stops the server afterwards.
//
// Needs WEGWEISER_BIN: a wegweiser binary built after `npm run build`, so
// that it embeds the current SPA. WEGWEISER_DATABASE_URL is passed through
// when set (PostgreSQL); otherwise the server uses SQLite in the data dir.
import { spawn } from "node:child_process";
import { appendFileSync, constants } from "node:fs";
import { access, chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the server under test listens, e.g. http://127.0.0.1:43123 */
    baseUrl: string;
    /** A file the server's output is appended to as it comes (mails sent to the log, e.g. invitation links). */
    serverLog: string;
  }
}

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_LIMIT = 256 * 1024;

/** ARTIFACTS is where screenshots and the server log go (gitignored). */
export const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));

export default async function setup(project: TestProject) {
  const bin = process.env.WEGWEISER_BIN;
  if (!bin) {
    throw new Error(
      "WEGWEISER_BIN is not set. The end-to-end tests start a real server: build it after " +
        "`npm run build` (so it embeds the SPA) and run e.g. `WEGWEISER_BIN=$PWD/bin/wegweiser npm run test:e2e`.",
    );
  }
  try {
    await access(bin, constants.X_OK);
  } catch {
    throw new Error(`WEGWEISER_BIN=${bin} is not an executable file.`);
  }

  await mkdir(ARTIFACTS, { recursive: true });
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), "wegweiser-e2e-"));
  const baseUrl = `http://127.0.0.1:${port}`;

  // The server sees only the settings of this run (plus the database, if given).
  const env = serverEnv(port, dataDir);
  if (process.env.WEGWEISER_AGENT_BIN) {
    env.WEGWEISER_AGENT_DIR = await offerAgent(dataDir, process.env.WEGWEISER_AGENT_BIN);
  }
  if (process.env.WEGWEISER_DATABASE_URL) {
    env.WEGWEISER_DATABASE_URL = process.env.WEGWEISER_DATABASE_URL;
    // One server process with its own data directory: it may keep generated keys there.
    env.WEGWEISER_GENERATE_KEYS = "true";
  }

  const child = spawn(bin, ["serve"], { env, cwd: dataDir, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const liveLog = join(dataDir, "server-output.log");
  const collect = (chunk: Buffer) => {
    appendFileSync(liveLog, chunk);
    log += chunk.toString("utf8");
    if (log.length > LOG_LIMIT) log = log.slice(-LOG_LIMIT);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let spawnError: Error | null = null;
  const exit = new Promise<void>((resolve) => {
    child.on("exit", (code, signal) => {
      exited = { code, signal };
      resolve();
    });
    child.on("error", (err) => {
      spawnError = err;
      resolve();
    });
  });

  const stop = async () => {
    if (!exited && !spawnError) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exit;
      clearTimeout(timer);
    }
    await writeFile(join(ARTIFACTS, "server.log"), log).catch(() => {});
    if (!process.env.WEGWEISER_E2E_KEEP_DATA) {
      await rm(dataDir, { recursive: true, force: true }).catch(() => {});
    }
  };

  try {
    await waitUntilReady(baseUrl, () => exited ?? spawnError);
    await checkSpaServed(baseUrl);
  } catch (err) {
    await stop();
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`${why}\n--- output of ${bin} serve ---\n${log.trim() || "(none)"}\n--- end ---`, { cause: err });
  }

  project.provide("baseUrl", baseUrl);
  project.provide("serverLog", liveLog);
  console.log(`[e2e] ${bin} serve is ready at ${baseUrl} (data in ${dataDir})`);

  return async () => {
    const early = exited ?? spawnError;
    await stop();
    if (early) {
      console.error(`[e2e] the server stopped during the tests (${describeExit(early)}). Its output:\n${log}`);
    }
  };
}

async function waitUntilReady(
  baseUrl: string,
  gone: () => { code: number | null; signal: NodeJS.Signals | null } | Error | null,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    const g = gone();
    if (g) throw new Error(`the server exited before it was ready (${describeExit(g)})`);
    try {
      const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `GET /readyz answered ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server was not ready within ${READY_TIMEOUT_MS / 1000} s (${last})`);
}

async function checkSpaServed(baseUrl: string): Promise<void> {
  const res = await fetch(`${baseUrl}/signup`, { headers: { Accept: "text/html" } });
  const body = await res.text();
  if (res.status !== 200 || !body.includes('id="root"')) {
    throw new Error(
      `GET /signup did not return the SPA (status ${res.status}). Run \`npm run build\` before building the binary.`,
    );
  }
}

function describeExit(e: { code: number | null; signal: NodeJS.Signals | null } | Error): string {
  if (e instanceof Error) return e.message;
  return e.signal ? `signal ${e.signal}` : `exit code ${e.code}`;
}

/**
 * serverEnv is the environment of a test server: this process's environment
 * without any WEGWEISER_ setting, listening on port with dataDir as its data.
 */
export function serverEnv(port: number, dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("WEGWEISER_")) env[k] = v;
  }
  env.WEGWEISER_LISTEN_ADDR = `127.0.0.1:${port}`;
  // Passkeys need a domain as relying party: the browser reaches the server as localhost.
  env.WEGWEISER_PUBLIC_URL = `http://localhost:${port}`;
  env.WEGWEISER_DATA_DIR = dataDir;
  return env;
}

/**
 * offerAgent puts the agent under test into an agent directory in dataDir,
 * named as `make agent-host` names this machine's build, so that the
 * server offers it for download and its install.sh installs it. It returns
 * the directory.
 */
async function offerAgent(dataDir: string, agentBin: string): Promise<string> {
  const goos = process.platform === "win32" ? "windows" : process.platform;
  const goarch = process.arch === "x64" ? "amd64" : process.arch;
  const dir = join(dataDir, "agents");
  await mkdir(dir, { recursive: true });
  const file = join(dir, `wegweiser-agent_0.0.0-e2e_${goos}_${goarch}${goos === "windows" ? ".exe" : ""}`);
  await copyFile(agentBin, file);
  await chmod(file, 0o755);
  return dir;
}

/** freePort picks a port nothing listens on. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      if (addr && typeof addr === "object") {
        const { port } = addr;
        srv.close(() => resolve(port));
      } else {
        srv.close(() => reject(new Error("could not pick a free port")));
      }
    });
  });
}
