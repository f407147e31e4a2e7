import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { EntityKind, HistoryRange } from "../../gen/wegweiser/v1/health_pb";
import { FakeBackend, type DeviceFixture } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);

/** setup shows the analyzer's golden laptop with a failing disk, its Outlook crashes suppressed by policy. */
function setup(opts: { role?: Role; stale?: boolean; fixture?: DeviceFixture } = {}) {
  const backend = new FakeBackend({ role: opts.role });
  backend.addOrganisation("Contoso");
  const device = backend.addDevice("ws-01");
  backend.setDeviceHealth(device.id, opts.fixture ?? "windows-laptop-failing-disk-suppressed", { stale: opts.stale });
  return { backend, device };
}

async function healthTab() {
  const panel = await screen.findByRole("tabpanel", { name: "Health" });
  // The score leads the page, above the tabs.
  await screen.findByRole("img", { name: /^Device health score/ });
  return panel;
}

describe("device health tab", () => {
  it("is the default tab: score, cap, stale marker and nine domains with no data for unscored ones", async () => {
    const { backend, device } = setup({ stale: true });
    renderApp(`/devices/${device.id}`, { backend });
    const panel = await healthTab();

    expect(screen.getByRole("tab", { name: "Health" }).getAttribute("aria-selected")).toBe("true");
    const triage = screen.getByRole("region", { name: "Score and top reasons" });
    expect(within(triage).getByRole("img", { name: "Device health score: 1 of 100 (critical)" })).toBeTruthy();
    // The reason reads for people: the most severe finding's title.
    expect(within(triage).getByText("Critical: Disk 0 is failing")).toBeTruthy();
    expect(within(triage).getByText("Needs attention")).toBeTruthy();
    expect(within(triage).getByText("Stale data")).toBeTruthy();

    const grid = within(panel).getByRole("list", { name: "Domain scores" });
    const tiles = within(grid).getAllByRole("button");
    expect(tiles).toHaveLength(9);
    const storage = within(grid).getByRole("button", { name: /^Storage/ });
    // 100 − 63 (failing disk) − 20 − 20 (pending and reallocated sectors) − 63 (C: nearly full): at the floor, 1.
    expect(storage.textContent).toContain("1");
    expect(storage.textContent).toContain("−166 from 4 findings");
    // The weight is the server's (GetScoringModel), not a copy in the SPA.
    expect(storage.textContent).toContain("weight 20 %");
    expect(storage.className).toContain("tone-critical");
  });

  it("shows domains with only unknown checks as no data", async () => {
    const { backend, device } = setup({ fixture: "windows-collectors-failed" });
    renderApp(`/devices/${device.id}`, { backend });
    const panel = await healthTab();

    const grid = within(panel).getByRole("list", { name: "Domain scores" });
    const platform = within(grid).getByRole("button", { name: /^Platform/ });
    expect(platform.textContent).toContain("no data");
    expect(platform.className).toContain("tone-unscored");
    expect(within(grid).getByRole("button", { name: /^System/ }).className).not.toContain("tone-unscored");
  });

  it("expands a finding to its detail, evidence and recommendation", async () => {
    const { backend, device } = setup();
    renderApp(`/devices/${device.id}`, { backend });
    const panel = await healthTab();

    const toggle = await within(panel).findByRole("button", { name: /Volume C: has 3.6 % free/ });
    expect(toggle.textContent).toContain("−63 pts");
    expect(within(panel).queryByText(/Disk Cleanup/)).toBeNull();
    fireEvent.click(toggle);

    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    const item = toggle.closest("li")!;
    const evidence = within(item).getByRole("table", { name: "Evidence" });
    const row = within(evidence).getByText("storage.volumes[C:].free_bytes").closest("tr")!;
    expect(within(row).getByText("free space")).toBeTruthy();
    // The evidence links to the inventory tab it came from.
    expect(within(row).getByRole("link", { name: "storage.volumes[C:].free_bytes" }).getAttribute("href")).toBe(
      `/devices/${device.id}?tab=storage`,
    );
    expect(within(row).getByText("3.6 % (17.0 GiB of 476.0 GiB)")).toBeTruthy();
    expect(within(item).getByText(/Disk Cleanup/)).toBeTruthy();
    expect(within(item).getByRole("link", { name: "storage.volume_free_space" }).getAttribute("href")).toBe(
      "/checks#check-storage.volume_free_space",
    );
  });

  it("groups findings by status, marks suppressed ones and shows passed and unknown on request", async () => {
    const { backend, device } = setup();
    renderApp(`/devices/${device.id}`, { backend });
    const panel = await healthTab();

    const failing = await within(panel).findByRole("region", { name: /^Failing/ });
    expect(within(failing).getAllByRole("listitem")).toHaveLength(6);
    const warnings = within(panel).getByRole("region", { name: /^Warnings/ });
    const suppressed = within(warnings).getByText(/Outlook crashes are a known add-in issue/).closest("li")!;
    expect(within(suppressed).getByText("Suppressed")).toBeTruthy();
    expect(within(suppressed).getByText("0 pts")).toBeTruthy();
    expect(within(panel).queryByRole("region", { name: /^Passed/ })).toBeNull();

    fireEvent.click(within(panel).getByLabelText("Show passed and unknown checks"));

    const passed = await within(panel).findByRole("region", { name: /^Passed/ });
    expect(within(passed).getByText("Firewall is on")).toBeTruthy();
    expect(within(panel).getByRole("region", { name: /^Unknown/ })).toBeTruthy();
    expect(backend.callsOf("ListFindings").at(-1)?.request).toMatchObject({
      entity: { kind: EntityKind.DEVICE, id: device.id },
      includePassed: true,
    });
  });

  it("narrows the findings to a domain from its tile", async () => {
    const { backend, device } = setup();
    renderApp(`/devices/${device.id}`, { backend });
    const panel = await healthTab();
    await within(panel).findByRole("region", { name: /^Failing/ });

    fireEvent.click(within(panel).getByRole("button", { name: /^Storage/ }));

    const failing = within(panel).getByRole("region", { name: /^Failing/ });
    expect(within(failing).getAllByRole("listitem")).toHaveLength(4);
    expect(within(failing).getByText("Volume C: has 3.6 % free")).toBeTruthy();
    fireEvent.click(within(panel).getByRole("button", { name: "Show all domains" }));
    expect(within(within(panel).getByRole("region", { name: /^Failing/ })).getAllByRole("listitem")).toHaveLength(6);
  });

  it("explains the last change, losses in red and gains in green", async () => {
    const { backend, device } = setup();
    backend.explanations.set(device.id, {
      fromScore: 92,
      toScore: 40,
      fromComputeTime: timestampFromDate(daysAgo(2)),
      toComputeTime: timestampFromDate(daysAgo(0.01)),
      changes: [
        { delta: -30, kind: "new", checkId: "storage.volume_free_space", subject: "volume C:", text: "−30: Volume C: has 4.1 % free (new)" },
        { delta: 4, kind: "resolved", checkId: "system.uptime", text: "+4: Uptime is 41.0 days (resolved)" },
      ],
      note: "The score moved by −52; the findings account for −26 points before domain weighting and caps.",
    });
    renderApp(`/devices/${device.id}`, { backend });
    const panel = await healthTab();

    const changed = within(panel).getByRole("region", { name: "What changed" });
    const lost = await within(changed).findByText("−30: Volume C: has 4.1 % free (new)");
    expect(lost.className).toContain("change-negative");
    const gained = within(changed).getByText("+4: Uptime is 41.0 days (resolved)");
    expect(gained.className).toContain("change-positive");
    expect(within(changed).getByText("−52").className).toContain("change-negative");
    expect(within(changed).getByText(/the findings account for −26 points/)).toBeTruthy();
    expect(backend.callsOf("ExplainChange")[0]?.request).toMatchObject({ deviceId: device.id });
    expect((backend.callsOf("ExplainChange")[0]?.request as { fromTime?: unknown }).fromTime).toBeUndefined();
  });

  it("charts one point per history point and follows the range switch", async () => {
    const { backend, device } = setup();
    backend.setHistory({ kind: EntityKind.DEVICE, id: device.id }, [
      { time: daysAgo(40), score: 95 },
      { time: daysAgo(20), score: 92 },
      { time: daysAgo(5), score: 70 },
      { time: daysAgo(1), score: 40 },
    ]);
    renderApp(`/devices/${device.id}`, { backend });
    const panel = await healthTab();

    // 30 days: the score at the start (carried from 40 days ago) and three changes.
    const chart = await within(panel).findByRole("img", { name: "Device score over the last 30 days" });
    expect(chart.querySelectorAll("circle.chart-point")).toHaveLength(4);
    expect(chart.querySelector("path.chart-line")!.getAttribute("d")!.match(/V/g)).toHaveLength(3);

    fireEvent.click(within(panel).getByRole("button", { name: "7 days" }));
    const week = await within(panel).findByRole("img", { name: "Device score over the last 7 days" });
    await waitFor(() => expect(week.querySelectorAll("circle.chart-point")).toHaveLength(3));
    expect(backend.callsOf("GetHistory").at(-1)?.request).toMatchObject({ range: HistoryRange.HISTORY_RANGE_7_DAYS });
  });

  it("re-analyses the device now and says so", async () => {
    const { backend, device } = setup();
    renderApp(`/devices/${device.id}`, { backend });
    const panel = await healthTab();

    fireEvent.click(within(panel).getByRole("button", { name: "Re-analyse now" }));

    expect(await within(panel).findByText("Queued 1 device for analysis; the score updates in a moment.")).toBeTruthy();
    expect(backend.callsOf("Recompute")[0]?.request).toMatchObject({ entity: { kind: EntityKind.DEVICE, id: device.id } });
  });

  it("hides Re-analyse now without device.write", async () => {
    const { backend, device } = setup({ role: Role.VIEWER });
    renderApp(`/devices/${device.id}`, { backend });
    const panel = await healthTab();

    await within(panel).findByRole("region", { name: /^Failing/ });
    expect(within(panel).queryByRole("button", { name: "Re-analyse now" })).toBeNull();
  });

  it("says there is no score yet for a device that was never analysed", async () => {
    const backend = new FakeBackend();
    const device = backend.addDevice("new-01");
    renderApp(`/devices/${device.id}`, { backend });

    const panel = await screen.findByRole("tabpanel", { name: "Health" });
    expect(await screen.findByRole("img", { name: "Device health: no score yet" })).toBeTruthy();
    const changed = within(panel).getByRole("region", { name: "What changed" });
    expect(await within(changed).findByText("No score recorded yet.")).toBeTruthy();
    expect(within(panel).getAllByText("no data")).toHaveLength(9);
    // Before the first analysis the server could not explain anything: do not ask.
    expect(backend.callsOf("ExplainChange")).toHaveLength(0);
  });
});
