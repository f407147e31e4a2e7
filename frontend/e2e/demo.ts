// Starts `wegweiser serve --demo` for the screenshot test: a server of its own
// (SQLite in a fresh data directory, its own port) seeded with the demo tenant
// and its simulated agents; the password comes from the server's banner.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, freePort, serverEnv } from "./setup";

const READY_TIMEOUT_MS = 120_000;

/** Demo is a running demo server and its login. */
export interface Demo {
  baseUrl: string;
  email: string;
  password: string;
  stop(): Promise<void>;
}

/** startDemo starts the demo server and waits until it prints its login and answers /readyz. */
export async function startDemo(bin: string): Promise<Demo> {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), "wegweiser-e2e-demo-"));
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = serverEnv(port, dataDir);
  const child: ChildProcess = spawn(bin, ["serve", "--demo"], { env, cwd: dataDir, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (c: Buffer) => (log += c.toString("utf8")));
  child.stderr?.on("data", (c: Buffer) => (log += c.toString("utf8")));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on("exit", () => ((exited = true), resolve())));

  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exit;
      clearTimeout(timer);
    }
    await writeFile(join(ARTIFACTS, "demo-server.log"), log).catch(() => {});
    await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const login = /Log in as (\S+) with password (\S+)/.exec(log);
    if (login?.[1] && login[2]) {
      const ready = await fetch(`${baseUrl}/readyz`).then((r) => r.status === 200, () => false);
      if (ready) return { baseUrl, email: login[1], password: login[2], stop };
    }
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`the demo server did not come up (${exited ? "it exited" : "timeout"}):\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
