import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

describe("users page", () => {
  it("invites a customer limited to one organisation; the link goes only to the invitee's mailbox", async () => {
    const backend = new FakeBackend();
    const org = backend.addOrganisation("Contoso");
    backend.addOrganisation("Fabrikam");
    renderApp("/users", { backend });

    fireEvent.click(await screen.findByRole("button", { name: "Invite user" }));
    const form = screen.getByRole("form", { name: "Invite user" });
    fireEvent.change(within(form).getByLabelText("Email"), { target: { value: "bob@contoso.example" } });
    fireEvent.change(within(form).getByLabelText("Role"), { target: { value: String(Role.CUSTOMER) } });
    fireEvent.click(await within(form).findByLabelText("Contoso"));
    fireEvent.click(within(form).getByRole("button", { name: "Send invitation" }));

    expect((await screen.findByRole("status")).textContent).toContain("We mailed an invitation link to bob@contoso.example");
    // The admin never sees a token or link to accept it with.
    expect(screen.queryByLabelText("Invitation link")).toBeNull();
    expect(screen.queryByLabelText("Invitation token")).toBeNull();
    expect(backend.callsOf("InviteUser")[0]?.request).toMatchObject({
      email: "bob@contoso.example",
      role: Role.CUSTOMER,
      organisationIds: [org.id],
    });
    // The new member is listed as pending.
    expect(await screen.findByText("Invitation pending")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByText(/We mailed an invitation link/)).toBeNull();
  });

  it("disables another member but not oneself", async () => {
    const backend = new FakeBackend();
    backend.users.push({ ...backend.me, id: "u2", email: "eve@example.com", displayName: "Eve", role: Role.TECHNICIAN });
    renderApp("/users", { backend });

    const eve = (await screen.findByText("eve@example.com")).closest("tr")!;
    const me = screen.getByText("ada@example.com").closest("tr")!;
    expect(within(me).queryByRole("button", { name: /Disable/ })).toBeNull();

    fireEvent.click(within(eve).getByRole("button", { name: "Disable Eve" }));
    expect(await screen.findByText("Disabled")).toBeTruthy();
    expect(backend.callsOf("DisableUser")[0]?.request).toMatchObject({ userId: "u2" });
  });

  it("is not reachable for a viewer", async () => {
    renderApp("/users", { backend: new FakeBackend({ role: Role.VIEWER }) });
    expect((await screen.findByRole("alert")).textContent).toMatch(/not allowed/);
    expect(screen.queryByRole("button", { name: "Invite user" })).toBeNull();
  });
});
