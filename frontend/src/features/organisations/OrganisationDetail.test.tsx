import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

describe("organisation page", () => {
  it("shows groups and devices, and creates a group", async () => {
    const backend = new FakeBackend();
    const org = backend.addOrganisation("Contoso");
    backend.addGroup(org.id, "Head office");
    backend.addDevice("ws-01", { organisationId: org.id });
    backend.addDevice("elsewhere", { organisationId: "org-other" });
    renderApp(`/organisations/${org.id}`, { backend });

    expect(await screen.findByRole("heading", { level: 1, name: "Contoso" })).toBeTruthy();
    const groups = screen.getByRole("region", { name: "Groups" });
    expect(await within(groups).findByRole("link", { name: "Head office" })).toBeTruthy();
    const devices = screen.getByRole("region", { name: "Devices" });
    expect(await within(devices).findByRole("link", { name: "ws-01" })).toBeTruthy();
    expect(within(devices).queryByText("elsewhere")).toBeNull();

    fireEvent.click(within(groups).getByRole("button", { name: "New group" }));
    fireEvent.change(within(groups).getByLabelText("Group name"), { target: { value: "Branch Hamburg" } });
    fireEvent.click(within(groups).getByRole("button", { name: "Create group" }));

    expect(await within(groups).findByRole("link", { name: "Branch Hamburg" })).toBeTruthy();
    expect(backend.callsOf("CreateGroup")[0]?.request).toMatchObject({
      organisationId: org.id,
      name: "Branch Hamburg",
    });
  });

  it("hides edit, delete and new group from a viewer", async () => {
    const backend = new FakeBackend({ role: Role.VIEWER });
    const org = backend.addOrganisation("Contoso");
    renderApp(`/organisations/${org.id}`, { backend });

    await screen.findByRole("heading", { level: 1, name: "Contoso" });
    expect(screen.queryByRole("button", { name: "Edit organisation" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Delete organisation" })).toBeNull();
    expect(screen.queryByRole("button", { name: "New group" })).toBeNull();
  });

  it("says so when the organisation does not exist", async () => {
    renderApp("/organisations/nope");
    expect((await screen.findByRole("alert")).textContent).toBe("Organisation not found");
  });
});
