// End to end: the agent built from this repository enrols against a real
// server, sends a snapshot of this very machine, and a technician finds the
// device with its data in the dashboard.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch, type Browser } from "./browser";
import { ARTIFACTS } from "./setup";

const run = promisify(execFile);
const baseUrl = inject("baseUrl");
const AGENT = process.env.WEGWEISER_AGENT_BIN;

/** call posts JSON to a Connect procedure, as an integrator would. */
async function call<T = Record<string, unknown>>(procedure: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(`${baseUrl}/${procedure}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as T & { code?: string; message?: string };
  if (!res.ok) throw new Error(`${procedure}: ${json.code}: ${json.message}`);
  return json;
}

let browser: Browser;
let stateDir = "";

beforeAll(async () => {
  if (!AGENT) {
    throw new Error("WEGWEISER_AGENT_BIN is not set: build the agent (make agent) and pass its path.");
  }
  stateDir = await mkdtemp(join(tmpdir(), "wegweiser-e2e-agent-"));
  browser = await launch(baseUrl);
});

afterAll(async () => {
  await browser?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe("an agent on this machine", () => {
  it("enrols, reports a real snapshot, and the device shows up with its data", async () => {
    const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const email = `agent-${suffix}@e2e.example.com`;
    const password = "correct-horse-battery-staple";
    // Sign-up answers alike for new and known emails; log in afterwards.
    await call("wegweiser.v1.AuthService/SignUp", { tenantName: `Agent MSP ${suffix}`, email, password });
    const login = await call<{ accessToken: string }>("wegweiser.v1.AuthService/Login", { email, password });
    const token = login.accessToken;
    const org = await call<{ organisation: { id: string } }>(
      "wegweiser.v1.TenantService/CreateOrganisation",
      { name: "This machine's owner" },
      token,
    );
    const key = await call<{ secret: string; installCommands: { platform: string; command: string }[] }>(
      "wegweiser.v1.EnrolmentService/CreateEnrolmentKey",
      { organisationId: org.organisation.id, description: "e2e" },
      token,
    );
    expect(key.installCommands.find((c) => c.platform === "linux")?.command).toContain(key.secret);

    // The real agent binary: enrol, then collect and send one snapshot.
    await run(AGENT!, ["enroll", "--server", baseUrl, "--key", key.secret, "--state-dir", stateDir], { timeout: 60_000 });
    await run(AGENT!, ["once", "--state-dir", stateDir], { timeout: 120_000 });

    const list = await call<{ devices: { id: string; hostname: string }[] }>(
      "wegweiser.v1.DeviceService/ListDevices",
      {},
      token,
    );
    expect(list.devices).toHaveLength(1);
    const device = list.devices[0]!;
    expect(device.hostname).toBe(hostname());
    const inv = await call<{ snapshot: { os: { name: string }; software?: unknown[] } }>(
      "wegweiser.v1.InventoryService/GetDeviceInventory",
      { deviceId: device.id },
      token,
    );
    expect(inv.snapshot.os.name).not.toBe("");

    // A technician sees it in the dashboard.
    const { page, errors } = browser;
    try {
      await page.goto("/login");
      await page.getByLabel("Email", { exact: true }).fill(email);
      await page.getByLabel("Password", { exact: true }).fill(password);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Devices" }).click();
      await page.getByRole("link", { name: device.hostname, exact: true }).first().click();
      await page.getByRole("heading", { level: 1, name: device.hostname }).waitFor();
      await page.goto(`/devices/${device.id}?tab=overview`);
      await page.getByText(inv.snapshot.os.name, { exact: false }).first().waitFor();
      await page.screenshot({ path: join(ARTIFACTS, "4-agent-device.png"), fullPage: true });
      await page.goto(`/devices/${device.id}?tab=storage`);
      await page.getByRole("table").first().waitFor();
      await page.screenshot({ path: join(ARTIFACTS, "5-agent-storage.png"), fullPage: true });
      expect(errors).toEqual([]);
    } catch (err) {
      await page.screenshot({ path: join(ARTIFACTS, "agent-failure.png"), fullPage: true }).catch(() => {});
      throw err;
    }
  });
});
