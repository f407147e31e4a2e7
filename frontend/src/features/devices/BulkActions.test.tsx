import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

function results() {
  return screen.getByRole("region", { name: "Results" });
}

function hostnames() {
  return within(results())
    .getAllByRole("row")
    .slice(1)
    .map((r) => within(r).getAllByRole("link")[0]?.textContent);
}

describe("bulk actions on the devices page", () => {
  it("tags ticked devices after saying how many, and follows the progress to the end", async () => {
    const backend = new FakeBackend();
    backend.addOrganisation("Contoso");
    backend.addDevice("alpha");
    backend.addDevice("beta");
    backend.addDevice("gamma");
    backend.bulkStep = 1;
    renderApp("/devices", { backend });

    fireEvent.click(await screen.findByRole("checkbox", { name: "Select alpha" }));
    fireEvent.click(screen.getByRole("checkbox", { name: "Select gamma" }));
    const bar = screen.getByRole("region", { name: "Bulk actions" });
    expect(within(bar).getByText("2 devices selected.")).toBeTruthy();

    fireEvent.click(within(bar).getByRole("button", { name: "Tag…" }));
    fireEvent.change(within(bar).getByLabelText("Add tags"), { target: { value: "finance, laptops" } });
    fireEvent.click(within(bar).getByRole("button", { name: "Tag 2 devices" }));

    const progress = await screen.findByRole("region", { name: "Bulk operation progress" });
    expect(backend.callsOf("StartBulkOperation")[0]?.request).toMatchObject({
      selection: { selection: { case: "ids", value: { ids: ["dev-1", "dev-3"] } } },
      action: { case: "tag", value: { addTags: ["finance", "laptops"] } },
    });
    await within(progress).findByText("Tagging 2 devices: 1 done.", {}, { timeout: 3000 });
    await within(progress).findByText("Tagged 2 devices.", {}, { timeout: 3000 });
    expect(backend.devices.map((d) => d.tags)).toEqual([["finance", "laptops"], [], ["finance", "laptops"]]);
    // The selection was cleared.
    expect(screen.queryByRole("region", { name: "Bulk actions" })).toBeNull();
    fireEvent.click(within(progress).getByRole("button", { name: "Close" }));
    expect(screen.queryByRole("region", { name: "Bulk operation progress" })).toBeNull();
  });

  it("retires every device matching the filter, then hides them unless retired ones are shown", async () => {
    const backend = new FakeBackend();
    backend.addOrganisation("Contoso");
    backend.addDevice("win-1", { tags: ["old"] });
    backend.addDevice("win-2", { tags: ["old"] });
    backend.addDevice("win-3", { tags: ["old"] });
    backend.addDevice("keep");
    renderApp("/devices?tag=old", { backend });

    fireEvent.click(await screen.findByRole("checkbox", { name: "Select win-1" }));
    const bar = screen.getByRole("region", { name: "Bulk actions" });
    fireEvent.click(within(bar).getByRole("button", { name: "Select all 3 devices matching this filter" }));
    expect(within(bar).getByText("All 3 devices matching this filter are selected.")).toBeTruthy();
    fireEvent.click(within(bar).getByRole("button", { name: "Retire…" }));
    expect(within(bar).getByText(/^Retire 3 devices\? Their agents are cut off/)).toBeTruthy();
    fireEvent.click(within(bar).getByRole("button", { name: "Retire 3 devices" }));

    await screen.findByText("Retired 3 devices.");
    expect(backend.callsOf("StartBulkOperation")[0]?.request).toMatchObject({
      selection: { selection: { case: "filter", value: { tag: "old", includeRetired: false } } },
      action: { case: "retire" },
    });
    await waitFor(() => expect(within(results()).queryAllByRole("row")).toHaveLength(0));

    fireEvent.click(screen.getByRole("checkbox", { name: "Show retired" }));
    await waitFor(() => expect(hostnames()).toEqual(["win-1", "win-2", "win-3"]));
    expect(within(results()).getAllByText("Retired")).toHaveLength(3);
  });

  it("refuses a selection with a device out of reach and offers retiring only with device.delete", async () => {
    const backend = new FakeBackend({ role: Role.TECHNICIAN });
    backend.addOrganisation("Contoso");
    backend.addDevice("alpha");
    renderApp("/devices", { backend });

    fireEvent.click(await screen.findByRole("checkbox", { name: "Select alpha" }));
    const bar = screen.getByRole("region", { name: "Bulk actions" });
    expect(within(bar).queryByRole("button", { name: "Retire…" })).toBeNull();
    // The device vanished for this caller: the server refuses the whole request.
    backend.devices = [];
    fireEvent.click(within(bar).getByRole("button", { name: "Re-analyse" }));
    fireEvent.click(within(bar).getByRole("button", { name: "Re-analyse 1 device" }));
    await within(bar).findByText(/device not found/i);
    expect(backend.bulkOperations).toHaveLength(0);
  });
});
