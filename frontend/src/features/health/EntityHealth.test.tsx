import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { DeviceOrder } from "../../gen/wegweiser/v1/device_pb";
import { Band, EntityKind } from "../../gen/wegweiser/v1/health_pb";
import { FakeBackend, healthyDevice, sickWorkstation } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

function seed(role?: Role) {
  const backend = new FakeBackend({ role });
  const org = backend.addOrganisation("Contoso");
  const group = backend.addGroup(org.id, "Head office");
  const sick = backend.addDevice("ws-sick", { organisationId: org.id, groupId: group.id });
  const fine = backend.addDevice("ws-fine", { organisationId: org.id, groupId: group.id });
  backend.addDevice("ws-new", { organisationId: org.id });
  backend.setDeviceHealth(sick.id, sickWorkstation());
  backend.setDeviceHealth(fine.id, healthyDevice());
  return { backend, org, group, sick };
}

describe("organisation and group health", () => {
  it("shows the organisation's score, bands, worst devices and top findings with device names", async () => {
    const { backend, org, sick } = seed();
    backend.setHistory({ kind: EntityKind.ORGANISATION, id: org.id }, [{ time: new Date(Date.now() - 86_400_000), score: 60 }]);
    renderApp(`/organisations/${org.id}`, { backend });

    const panel = await screen.findByRole("region", { name: "Health" });
    expect(await within(panel).findByRole("img", { name: "Organisation health score: 49 of 100 (critical)" })).toBeTruthy();
    // Three devices, two scored and fresh.
    const fact = (name: string) => within(panel).getByText(name).nextElementSibling?.textContent;
    expect([fact("Devices"), fact("Coverage"), fact("Freshness")]).toEqual(["3", "67 %", "67 %"]);
    const legend = within(panel).getByRole("list", { name: "Devices by band" });
    expect(within(legend).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "Healthy 1",
      "Fair 0",
      "Poor 0",
      "Critical 1",
      "No score 1",
    ]);
    const worst = within(panel).getByRole("region", { name: "Worst devices" });
    expect(within(worst).getAllByRole("link").map((a) => a.textContent)).toEqual(["ws-sick", "ws-fine"]);
    const trend = await within(panel).findByRole("img", { name: "Organisation score over the last 30 days" });
    expect(trend.querySelectorAll("circle.chart-point")).toHaveLength(1);

    // The by-check view: each failing check once, with a link to the devices that fail it in this organisation.
    const byCheck = screen.getByRole("region", { name: "By check" });
    const rows = (await within(byCheck).findAllByRole("row")).slice(1);
    expect(rows[0]!.textContent).toContain("Disk health");
    const link = within(rows[0]!).getByRole("link", { name: /1 device →/ });
    expect(link.getAttribute("href")).toBe(`/devices?check=storage.smart_health&sort=score&org=${org.id}`);
    expect(backend.callsOf("ListCheckSummaries")[0]?.request).toMatchObject({
      entity: { kind: EntityKind.ORGANISATION, id: org.id },
    });
    fireEvent.click(link);
    const results = await screen.findByRole("region", { name: "Results" });
    expect(await within(results).findByRole("link", { name: "ws-sick" })).toBeTruthy();
    expect(within(results).queryByRole("link", { name: "ws-fine" })).toBeNull();
    expect(backend.callsOf("ListDevices").at(-1)?.request).toMatchObject({
      failingCheckId: "storage.smart_health",
      organisationId: org.id,
    });
    expect(screen.getByRole("list", { name: "Active filters" }).textContent).toContain("Failing check: Disk health");
    void sick;
  });

  it("shows the group's health and re-analyses its devices", async () => {
    const { backend, group } = seed();
    renderApp(`/groups/${group.id}`, { backend });

    const panel = await screen.findByRole("region", { name: "Health" });
    expect(await within(panel).findByText("No score recorded in the last 30 days yet.")).toBeTruthy();
    expect(await within(panel).findByRole("img", { name: "Group health score: 49 of 100 (critical)" })).toBeTruthy();
    expect(within(panel).getByText("1 of 2 devices is critical; lowest: ws-sick (score 1)")).toBeTruthy();
    expect(within(panel).getByText("1 needs attention")).toBeTruthy();

    fireEvent.click(within(panel).getByRole("button", { name: "Re-analyse all devices" }));
    expect(await within(panel).findByText(/Queued 2 devices for analysis/)).toBeTruthy();
    expect(backend.callsOf("Recompute")[0]?.request).toMatchObject({ entity: { kind: EntityKind.GROUP, id: group.id } });
  });

  it("offers no re-analysis to a viewer", async () => {
    const { backend, org } = seed(Role.VIEWER);
    renderApp(`/organisations/${org.id}`, { backend });

    const panel = await screen.findByRole("region", { name: "Health" });
    await within(panel).findByRole("img", { name: /Organisation health score/ });
    expect(within(panel).queryByRole("button", { name: "Re-analyse all devices" })).toBeNull();
  });

  it("adds a health column to the organisations list from one request", async () => {
    const { backend } = seed();
    backend.addOrganisation("Fabrikam");
    renderApp("/organisations", { backend });

    const contoso = (await screen.findByRole("link", { name: "Contoso" })).closest("tr")!;
    expect((await within(contoso).findByText("49")).className).toContain("tone-critical");
    const fabrikam = screen.getByRole("link", { name: "Fabrikam" }).closest("tr")!;
    expect(within(fabrikam).getByText("—").className).toContain("tone-unscored");
    expect(backend.callsOf("ListOrganisationHealth")).toHaveLength(1);
  });

  it("shows each device's score, band and top reason from the device list itself, sorted by score", async () => {
    const { backend } = seed();
    renderApp("/devices?sort=score", { backend });

    const sick = (await screen.findByRole("link", { name: "ws-sick" })).closest("tr")!;
    expect(within(sick).getByText("1").className).toContain("tone-critical");
    expect(within(sick).getByText("Disk 0 is failing")).toBeTruthy();
    const fine = screen.getByRole("link", { name: "ws-fine" }).closest("tr")!;
    expect(within(fine).getByText("100").className).toContain("tone-healthy");
    const unscored = screen.getByRole("link", { name: "ws-new" }).closest("tr")!;
    expect(within(unscored).getByTitle("Not analysed yet")).toBeTruthy();
    // Worst first, unscored last; the header says how the list is sorted.
    const rows = within(screen.getByRole("table", { name: "Devices" })).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("link")[0]?.textContent)).toEqual(["ws-sick", "ws-fine", "ws-new"]);
    expect(screen.getByRole("columnheader", { name: /Score/ }).getAttribute("aria-sort")).toBe("ascending");
    expect(backend.callsOf("ListDevices").at(-1)?.request).toMatchObject({ orderBy: DeviceOrder.SCORE, descending: false });
    expect(backend.callsOf("ListWorstDevices")).toHaveLength(0);
    expect(backend.callsOf("GetHealth")).toHaveLength(0);

    // Filter by band.
    fireEvent.change(screen.getByRole("combobox", { name: "Band" }), { target: { value: "critical" } });
    await waitFor(() => expect(screen.queryByRole("link", { name: "ws-fine" })).toBeNull());
    expect(backend.callsOf("ListDevices").at(-1)?.request).toMatchObject({ bands: [Band.CRITICAL] });
  });
});
