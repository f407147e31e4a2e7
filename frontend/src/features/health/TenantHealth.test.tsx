import { Code, ConnectError } from "@connectrpc/connect";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { DeviceRole } from "../../gen/wegweiser/v1/device_pb";
import { EntityKind, HistoryRange } from "../../gen/wegweiser/v1/health_pb";
import { FakeBackend, sickWorkstation } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);

/** Two customers: Contoso with a sick laptop, Fabrikam with a healthy server. */
function seed(opts: ConstructorParameters<typeof FakeBackend>[0] = {}) {
  const backend = new FakeBackend(opts);
  const contoso = backend.addOrganisation("Contoso");
  const fabrikam = backend.addOrganisation("Fabrikam");
  const sick = backend.addDevice("ws-sick", { organisationId: contoso.id });
  const fine = backend.addDevice("srv-fine", { organisationId: fabrikam.id, role: DeviceRole.SERVER });
  backend.setDeviceHealth(sick.id, sickWorkstation()); // 1: a failing disk, a nearly full C: and more
  backend.setDeviceHealth(fine.id, "windows-server-healthy"); // 100
  backend.setHistory({ kind: EntityKind.TENANT, id: "" }, [
    { time: daysAgo(20), score: 95 },
    { time: daysAgo(3), score: 60 },
  ]);
  return { backend, contoso, fabrikam, sick, fine };
}

describe("tenant health on the overview", () => {
  it("shows the tenant score with its cap, the worst organisation and the worst device", async () => {
    const { backend, contoso, sick } = seed();
    renderApp("/", { backend });

    const panel = await screen.findByRole("region", { name: "Tenant health" });
    // (1 + 3 × 100) / 4 = 75, but the critical workstation is a quarter of
    // the weight (at least a fifth): the tenant is critical, at most 49.
    expect(await within(panel).findByRole("img", { name: "Tenant health score: 49 of 100 (critical)" })).toBeTruthy();
    expect(within(panel).getByText("1 of 2 devices is critical; lowest: ws-sick (score 1)")).toBeTruthy();
    expect(within(panel).getByText("1 needs attention")).toBeTruthy();
    expect(within(panel).getByRole("img", { name: /^Devices by band: Healthy: 1 device, Critical: 1 device$/ })).toBeTruthy();

    const worstOrgs = within(panel).getByRole("table", { name: "Worst organisations" });
    const first = (await within(worstOrgs).findAllByRole("row"))[1]!;
    const link = within(first).getByRole("link", { name: "Contoso" });
    expect(link.getAttribute("href")).toBe(`/organisations/${contoso.id}`);
    expect(within(first).getByText("1").className).toContain("tone-critical");

    const worstDevices = within(panel).getByRole("region", { name: "Worst devices" });
    expect(within(worstDevices).getByRole("link", { name: "ws-sick" }).getAttribute("href")).toBe(`/devices/${sick.id}`);

    // The counts are still there below.
    expect(screen.getByRole("link", { name: "Devices: 2" })).toBeTruthy();
  });

  it("compares organisations with their 14-day baselines and the tenant median", async () => {
    const { backend, contoso, fabrikam } = seed();
    // What the server answers for these scores (Contoso now 1: more than
    // 10 % below its baseline; Fabrikam now 100; the median is canned).
    backend.organisationComparisons.set(contoso.id, { baseline: 60, regressed: true });
    backend.organisationComparisons.set(fabrikam.id, { baseline: 97.5, regressed: false });
    backend.tenantMedian = 70;
    backend.addOrganisation("Initech"); // no devices, no score, no baseline
    renderApp("/", { backend });

    const panel = await screen.findByRole("region", { name: "Tenant health" });
    const table = await within(panel).findByRole("table", { name: "Worst organisations" });
    const row = (name: string) => within(table).getByRole("link", { name }).closest("tr")!;
    await waitFor(() => expect(within(row("Contoso")).getByText("Regressed").className).toContain("badge-danger"));
    const down = row("Contoso").querySelector(".baseline-delta")!;
    expect(down.textContent).toBe("↓ −59 against the 14-day baseline of 60");
    expect(down.className).toContain("change-negative");
    const up = row("Fabrikam").querySelector(".baseline-delta")!;
    expect(up.textContent).toBe("↑ +3 against the 14-day baseline of 97.5");
    expect(within(row("Fabrikam")).queryByText("Regressed")).toBeNull();
    expect(row("Initech").querySelector(".baseline-delta")).toBeNull();

    // Two scored organisations; the unscored organisation is left out.
    const chart = within(panel).getByRole("img", { name: "Organisation scores against the tenant median of 70" });
    expect(chart.querySelectorAll(".score-bar")).toHaveLength(2);
    expect(chart.querySelectorAll(".score-bar-marker")).toHaveLength(2);
    expect(chart.querySelector(".chart-reference-label")!.textContent).toBe("median 70");
    expect([...chart.querySelectorAll(".score-bar > title")].map((t) => t.textContent)).toEqual([
      "Contoso: 1 (14-day baseline 60, regressed)",
      "Fabrikam: 100 (14-day baseline 97.5)",
    ]);
    expect(within(panel).getByText(/across 2 scored organisations/).textContent).toContain("Tenant median 70");
  });

  it("charts the tenant's history and switches the range", async () => {
    const { backend } = seed();
    renderApp("/", { backend });

    const chart = await screen.findByRole("img", { name: "Tenant score over the last 30 days" });
    expect(chart.querySelectorAll("circle.chart-point")).toHaveLength(2);
    fireEvent.click(screen.getByRole("button", { name: "7 days" }));

    await screen.findByRole("img", { name: "Tenant score over the last 7 days" });
    expect(backend.callsOf("GetHistory").at(-1)?.request).toMatchObject({
      entity: { kind: EntityKind.TENANT },
      range: HistoryRange.HISTORY_RANGE_7_DAYS,
    });
    expect(screen.getByRole("button", { name: "7 days" }).getAttribute("aria-pressed")).toBe("true");
  });

  it("shows a user limited to some organisations their organisations instead of the tenant score", async () => {
    const { backend, contoso } = seed({ role: Role.TECHNICIAN });
    backend.me.organisationIds = [contoso.id];
    renderApp("/", { backend });

    const section = await screen.findByRole("region", { name: "Your organisations' health" });
    const table = await within(section).findByRole("table", { name: "Your organisations' health" });
    expect(within(table).getByRole("link", { name: "Contoso" })).toBeTruthy();
    expect(within(table).queryByRole("link", { name: "Fabrikam" })).toBeNull();
    expect(screen.queryByRole("region", { name: "Tenant health" })).toBeNull();
    expect(screen.queryByRole("img", { name: /Tenant health score/ })).toBeNull();
    // Scoped callers never ask for the tenant (the server would refuse).
    expect(tenantHealthCalls(backend)).toHaveLength(0);
  });

  it("falls back to the organisations when the server refuses the tenant's health", async () => {
    const { backend } = seed();
    backend.failures.set("GetHealth", new ConnectError("your access is limited", Code.PermissionDenied));
    renderApp("/", { backend });

    const section = await screen.findByRole("region", { name: "Your organisations' health" });
    expect(await within(section).findByRole("link", { name: "Contoso" })).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
  });
});

function tenantHealthCalls(backend: FakeBackend) {
  return backend
    .callsOf("GetHealth")
    .filter((c) => (c.request as { entity?: { kind: EntityKind } }).entity?.kind === EntityKind.TENANT);
}
