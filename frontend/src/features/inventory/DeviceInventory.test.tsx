import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { SnapshotSchema } from "../../gen/wegweiser/agent/v1/snapshot_pb";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

const GB = 1024n ** 3n;
// One "now" for every timestamp of the fixture: differences between them
// (uptime = collected − boot) must not depend on the milliseconds that pass
// while the fixture is built.
const NOW = Date.now();
const ago = (ms: number) => timestampFromDate(new Date(NOW - ms));
const HOUR = 3600_000;
const DAY = 24 * HOUR;

const hostile = `<script>window.pwned = true</script><img src=x onerror="window.pwned = true"> see https://evil.example`;

function snapshot(): MessageInitShape<typeof SnapshotSchema> {
  return {
    agentVersion: "0.3.1",
    collectedTime: ago(2 * 60_000),
    os: {
      name: "Windows 11 Pro",
      version: "23H2",
      build: "22631.3447",
      architecture: "amd64",
      bootTime: ago(3 * DAY + 4 * HOUR + 2 * 60_000),
      loggedInUsers: ["ACME\\ada"],
    },
    hardware: {
      manufacturer: "Lenovo",
      model: "ThinkPad T14",
      serialNumber: "PF3ABC",
      cpuModel: "Intel Core i7-1365U",
      cpuCores: 10,
      cpuThreads: 12,
      memoryBytes: 16n * GB,
      gpus: [{ name: "Intel Iris Xe", driverVersion: "31.0.101" }],
      battery: { designCapacityMwh: 50_000n, fullChargeCapacityMwh: 36_000n, cycleCount: 412, chargePercent: 80 },
    },
    storage: {
      volumes: [
        { mountPoint: "C:", fileSystem: "NTFS", sizeBytes: 100n * GB, freeBytes: 5n * GB, system: true },
        { mountPoint: "D:", fileSystem: "NTFS", sizeBytes: 100n * GB, freeBytes: 15n * GB },
        { mountPoint: "E:", fileSystem: "exFAT", sizeBytes: 100n * GB, freeBytes: 60n * GB },
      ],
      disks: [{ name: "\\\\.\\PHYSICALDRIVE0", model: "Samsung 980", mediaType: "nvme", health: "warning", smartFailurePredicted: true, reallocatedSectors: 12n }],
    },
    network: {
      interfaces: [{ name: "Ethernet", macAddress: "00:11:22:33:44:55", addresses: ["10.0.0.5/24"], mtu: 1500, speedMbps: 1000n, up: true, rxErrors: 3n }],
      defaultGateways: ["10.0.0.1"],
      dnsServers: ["10.0.0.2", "1.1.1.1"],
    },
    software: [
      { name: "Mozilla Firefox", version: "125.0", publisher: "Mozilla" },
      { name: "7-Zip", version: "23.01", publisher: "Igor Pavlov" },
    ],
    services: [
      { name: "Spooler", displayName: "Print Spooler", state: "running", startMode: "automatic" },
      { name: "wuauserv", displayName: "Windows Update", state: "stopped", startMode: "manual" },
    ],
    pendingReboot: { pending: true, reasons: ["windows-update", "file-rename"] },
    patches: {
      automaticUpdates: true,
      missing: [
        { title: "2024-05 Cumulative Update", classification: "security", id: "KB5037771" },
        { title: "Defender platform", classification: "security", id: "KB4052623" },
        { title: "Visual C++ redistributable", classification: "optional", id: "KB0000001" },
      ],
    },
    security: {
      firewall: [
        { profile: "domain", enabled: true, product: "windows-firewall" },
        { profile: "public", enabled: false, product: "windows-firewall" },
      ],
      antivirus: [{ name: "Microsoft Defender", enabled: true, upToDate: true, signatureTime: ago(10 * DAY) }],
      encryption: { enabled: true, method: "bitlocker", status: "Protection On" },
    },
    eventLogs: [
      { log: "System", source: "disk", eventId: 7n, level: "error", count: 14n, firstTime: ago(5 * HOUR), lastTime: ago(HOUR), sampleMessage: hostile },
      { log: "System", source: "Microsoft-Windows-Kernel-Power", eventId: 41n, level: "critical", count: 1n, lastTime: ago(2 * HOUR), sampleMessage: "The system has rebooted without cleanly shutting down first." },
      { log: "Application", source: "Outlook", eventId: 1000n, level: "warning", count: 2n, lastTime: ago(3 * HOUR), sampleMessage: "Add-in was disabled." },
      { log: "Security", source: "Microsoft-Windows-Security-Auditing", eventId: 4625n, level: "warning", count: 9n, lastTime: ago(4 * HOUR), sourceAddress: "203.0.113.45", sampleMessage: "An account failed to log on." },
    ],
    errors: [{ collector: "osquery", message: "osqueryi not found" }],
  };
}

function setup(opts: { role?: Role } = {}) {
  const backend = new FakeBackend(opts);
  backend.addOrganisation("Contoso");
  const d = backend.addDevice("ws-01");
  backend.setInventory(d.id, snapshot(), new Date(Date.now() - 60_000));
  return { backend, device: d };
}

/** loaded waits for an inventory tab panel to have its content. */
async function loaded(name: string) {
  const panel = await screen.findByRole("tabpanel", { name });
  await waitFor(() => expect(within(panel).queryByText("Loading inventory…")).toBeNull());
  return panel;
}

async function openTab(name: string) {
  fireEvent.click(await screen.findByRole("tab", { name }));
  return loaded(name);
}

describe("device inventory", () => {
  it("says how to enrol an agent when the device never reported", async () => {
    const backend = new FakeBackend();
    const org = backend.addOrganisation("Contoso");
    const d = backend.addDevice("ws-01");
    renderApp(`/devices/${d.id}`, { backend });

    // Health is the default tab; without a snapshot there is no score either (the page leads with it).
    await screen.findByRole("tabpanel", { name: "Health" });
    expect(await within(screen.getByRole("region", { name: "Score and top reasons" })).findByText(/No score yet/)).toBeTruthy();
    const overview = await openTab("Overview");
    await within(overview).findByText(/has not sent an inventory yet/);
    expect(within(overview).getByRole("link", { name: "Enrolment" }).getAttribute("href")).toBe(
      `/enrolment?organisationId=${org.id}`,
    );
  });

  it("shows the overview with uptime, users, agent and collector errors", async () => {
    const { backend, device } = setup();
    renderApp(`/devices/${device.id}`, { backend });
    const panel = await openTab("Overview");

    expect(within(panel).getByText("Windows 11 Pro 23H2")).toBeTruthy();
    expect(within(panel).getByText("22631.3447")).toBeTruthy();
    expect(within(panel).getByText("3 days 4 hours (at the last snapshot)")).toBeTruthy();
    expect(within(panel).getByText("ACME\\ada")).toBeTruthy();
    expect(within(panel).getByText("0.3.1")).toBeTruthy();
    expect(within(panel).getByText("osqueryi not found", { exact: false })).toBeTruthy();
  });

  it("shows hardware with battery health as a share of design capacity", async () => {
    const { backend, device } = setup();
    renderApp(`/devices/${device.id}`, { backend });
    const panel = await openTab("Hardware");

    expect(within(panel).getByText("ThinkPad T14")).toBeTruthy();
    expect(within(panel).getByText("Intel Core i7-1365U · 10 cores, 12 threads")).toBeTruthy();
    expect(within(panel).getByText("16.0 GB")).toBeTruthy();
    const health = within(panel).getByText("72 %");
    expect(health.className).toContain("badge-warn");
  });

  it("marks volumes red under 10 % and amber under 20 % free, and shows disk health", async () => {
    const { backend, device } = setup();
    const { router } = renderApp(`/devices/${device.id}`, { backend });
    const panel = await openTab("Storage");
    expect(router.state.location.search).toBe("?tab=storage");

    const meter = (mount: string) => within(panel).getByRole("meter", { name: `Used space on ${mount}` });
    expect(meter("C:").className).toContain("meter-danger");
    expect(meter("D:").className).toContain("meter-warn");
    expect(meter("D:").className).not.toContain("meter-danger");
    expect(meter("E:").className).toContain("meter-ok");
    expect(meter("C:").getAttribute("aria-valuetext")).toBe("5 % free");
    expect(within(panel).getByText("Failure predicted")).toBeTruthy();
    expect(within(panel).getByText("warning").className).toContain("badge-warn");
  });

  it("shows interfaces, gateways and DNS servers", async () => {
    const { backend, device } = setup();
    renderApp(`/devices/${device.id}?tab=network`, { backend });
    const panel = await loaded("Network");

    const row = within(panel).getByText("Ethernet").closest("tr")!;
    expect(within(row).getByText("10.0.0.5/24")).toBeTruthy();
    expect(within(row).getByText("1 Gbit/s")).toBeTruthy();
    expect(within(row).getByText("1500")).toBeTruthy();
    expect(within(row).getByText("3 / 0").className).toContain("text-warn");
    expect(within(panel).getByText("1.1.1.1")).toBeTruthy();
    expect(within(panel).getByText("10.0.0.1")).toBeTruthy();
  });

  it("searches software on the server and pages with Load more", async () => {
    const { backend, device } = setup();
    renderApp(`/devices/${device.id}`, { backend });
    const panel = await openTab("Software");

    await within(panel).findByText("Mozilla Firefox");
    expect(within(panel).getByText("7-Zip")).toBeTruthy();
    fireEvent.change(within(panel).getByLabelText("Search software"), { target: { value: "fire" } });

    await waitFor(() => expect(within(panel).queryByText("7-Zip")).toBeNull());
    expect(within(panel).getByText("Mozilla Firefox")).toBeTruthy();
    expect(backend.callsOf("ListDeviceSoftware").at(-1)?.request).toMatchObject({ deviceId: device.id, query: "fire" });
  });

  it("loads more software with the next page token", async () => {
    const { backend, device } = setup();
    const inv = backend.inventories.get(device.id)!;
    for (let i = 0; i < 120; i++) {
      inv.snapshot.software.push({ ...inv.snapshot.software[0]!, name: `pkg-${String(i).padStart(3, "0")}` });
    }
    renderApp(`/devices/${device.id}?tab=software`, { backend });
    const panel = await loaded("Software");

    await within(panel).findByText("pkg-000");
    expect(within(panel).queryByText("pkg-119")).toBeNull();
    fireEvent.click(within(panel).getByRole("button", { name: "Load more" }));
    await within(panel).findByText("pkg-119");
    expect(backend.callsOf("ListDeviceSoftware").at(-1)?.request).toMatchObject({ pageToken: "100" });
  });

  it("filters services by state", async () => {
    const { backend, device } = setup();
    renderApp(`/devices/${device.id}`, { backend });
    const panel = await openTab("Services");

    expect(within(panel).getByText("Print Spooler")).toBeTruthy();
    fireEvent.change(within(panel).getByLabelText("State"), { target: { value: "stopped" } });
    expect(within(panel).queryByText("Print Spooler")).toBeNull();
    expect(within(panel).getByText("Windows Update")).toBeTruthy();
    expect(within(panel).getByText("1 of 2 services")).toBeTruthy();
  });

  it("renders event-log messages as plain text and filters by level and search", async () => {
    const { backend, device } = setup();
    renderApp(`/devices/${device.id}`, { backend });
    const panel = await openTab("Event logs");

    const message = await within(panel).findByText(hostile);
    expect(message.textContent).toBe(hostile);
    expect(message.children).toHaveLength(0);
    expect(panel.querySelector("script")).toBeNull();
    expect(panel.querySelector("img")).toBeNull();
    expect(within(panel).queryByRole("link")).toBeNull();
    expect((window as { pwned?: boolean }).pwned).toBeUndefined();

    const row = message.closest("tr")!;
    expect(within(row).getByText("14")).toBeTruthy();
    expect(within(row).getByText("5 hours ago")).toBeTruthy();
    expect(within(row).getByText("1 hour ago")).toBeTruthy();
    // Failed logons name the address they came from.
    const logon = within(panel).getByText("An account failed to log on.").closest("tr")!;
    expect(within(logon).getByText(/from 203\.0\.113\.45/)).toBeTruthy();

    fireEvent.change(within(panel).getByLabelText("Level"), { target: { value: "critical" } });
    await waitFor(() => expect(within(panel).queryByText(hostile)).toBeNull());
    expect(within(panel).getByText(/rebooted without cleanly shutting down/)).toBeTruthy();
    expect(backend.callsOf("ListDeviceEventLogs").at(-1)?.request).toMatchObject({ deviceId: device.id, level: "critical" });

    fireEvent.change(within(panel).getByLabelText("Level"), { target: { value: "" } });
    fireEvent.change(within(panel).getByLabelText("Search event logs"), { target: { value: "outlook" } });
    await within(panel).findByText("Add-in was disabled.");
    await waitFor(() => expect(within(panel).queryByText(/rebooted without/)).toBeNull());
    expect(backend.callsOf("ListDeviceEventLogs").at(-1)?.request).toMatchObject({ level: "", query: "outlook" });
  });

  it("shows firewall, antivirus age, pending reboot and missing updates by classification", async () => {
    const { backend, device } = setup({ role: Role.VIEWER });
    renderApp(`/devices/${device.id}`, { backend });
    const panel = await openTab("Security");

    const publicProfile = within(panel).getByText("public").closest("tr")!;
    expect(within(publicProfile).getByText("Off").className).toContain("badge-warn");
    const defender = within(panel).getByText("Microsoft Defender").closest("tr")!;
    expect(within(defender).getByText("Outdated")).toBeTruthy();
    expect(within(defender).getByText("Signatures 10 days old")).toBeTruthy();
    expect(within(panel).getByText("windows-update, file-rename")).toBeTruthy();
    const byClass = within(panel).getByRole("list", { name: "Missing updates by classification" });
    expect(within(byClass).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["2 security", "1 optional"]);
    expect(within(panel).getByText("KB5037771")).toBeTruthy();
    expect(within(panel).getByText(/bitlocker · Protection On/)).toBeTruthy();
  });
});
