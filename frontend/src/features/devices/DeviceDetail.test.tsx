import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

describe("device page", () => {
  it("adds and removes tags", async () => {
    const backend = new FakeBackend();
    backend.addOrganisation("Contoso");
    const d = backend.addDevice("ws-01", { tags: ["finance"], osName: "Windows 11 Pro", osVersion: "23H2" });
    renderApp(`/devices/${d.id}`, { backend });

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
    renderApp(`/devices/${d.id}`, { backend });

    const tags = await screen.findByRole("region", { name: "Tags" });
    expect(within(tags).getByText("finance")).toBeTruthy();
    expect(within(tags).queryByLabelText("New tag")).toBeNull();
    expect(screen.queryByRole("form", { name: "Move device" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Delete device" })).toBeNull();
  });
});
