import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { FakeBackend, sickWorkstation } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

describe("device page", () => {
  it("adds and removes tags", async () => {
    const backend = new FakeBackend();
    backend.addOrganisation("Contoso");
    const d = backend.addDevice("ws-01", { tags: ["finance"], osName: "Windows 11 Pro", osVersion: "23H2" });
    renderApp(`/devices/${d.id}?tab=details`, { backend });

    expect(await screen.findByText("Windows 11 Pro 23H2")).toBeTruthy();
    const tags = screen.getByRole("region", { name: "Tags" });
    fireEvent.change(within(tags).getByLabelText("New tag"), { target: { value: "vip" } });
    fireEvent.click(within(tags).getByRole("button", { name: "Add tag" }));
    await within(tags).findByRole("button", { name: "Remove tag vip" });

    fireEvent.click(within(tags).getByRole("button", { name: "Remove tag finance" }));
    await waitFor(() => expect(within(tags).queryByRole("button", { name: "Remove tag finance" })).toBeNull());
    expect(backend.devices[0]?.tags).toEqual(["vip"]);
  });

  it("shows tags read-only to a viewer", async () => {
    const backend = new FakeBackend({ role: Role.VIEWER });
    const d = backend.addDevice("ws-01", { tags: ["finance"] });
    renderApp(`/devices/${d.id}?tab=details`, { backend });

    const tags = await screen.findByRole("region", { name: "Tags" });
    expect(within(tags).getByText("finance")).toBeTruthy();
    expect(within(tags).queryByLabelText("New tag")).toBeNull();
    expect(screen.queryByRole("form", { name: "Move device" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Delete device" })).toBeNull();
  });

  it("leads with score, band and top reasons; facts and actions wait in the Details tab", async () => {
    const backend = new FakeBackend();
    backend.addOrganisation("Contoso");
    const d = backend.addDevice("ws-01", { osName: "Windows 11 Pro", osVersion: "23H2" });
    backend.setDeviceHealth(d.id, sickWorkstation());
    const { router } = renderApp(`/devices/${d.id}`, { backend });

    const triage = await screen.findByRole("region", { name: "Score and top reasons" });
    expect(await within(triage).findByRole("img", { name: "Device health score: 1 of 100 (critical)" })).toBeTruthy();
    const reasons = await within(triage).findByRole("list", { name: "Top reasons" });
    const items = within(reasons).getAllByRole("listitem");
    expect(items).toHaveLength(3);
    // Worst first, in people's words, with what to do.
    expect(items[0]!.textContent).toContain("Disk 0 is failing");
    expect(items[0]!.textContent).toContain("What to do:");
    // The triage comes before the tabs; the facts and the move form are not on the first screen.
    const tabs = screen.getByRole("tablist", { name: "Health and inventory" });
    expect(triage.compareDocumentPosition(tabs) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(screen.queryByRole("region", { name: "Facts" })).toBeNull();
    expect(screen.queryByRole("form", { name: "Move device" })).toBeNull();

    // Evidence links to the inventory tab it came from.
    fireEvent.click(within(items[0]!).getByRole("link", { name: "Storage tab" }));
    await waitFor(() => expect(router.state.location.search).toBe("?tab=storage"));
    expect(screen.getByRole("tab", { name: "Storage" }).getAttribute("aria-selected")).toBe("true");

    fireEvent.click(screen.getByRole("tab", { name: "Details" }));
    expect(await screen.findByRole("region", { name: "Facts" })).toBeTruthy();
    expect(screen.getByRole("form", { name: "Move device" })).toBeTruthy();
  });
});
