import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

describe("organisations page", () => {
  it("lists what the API returns, with counts and links", async () => {
    const backend = new FakeBackend();
    const contoso = backend.addOrganisation("Contoso", { description: "Dental practice" });
    backend.addOrganisation("Fabrikam");
    backend.addGroup(contoso.id, "Head office");
    backend.addDevice("ws-01", { organisationId: contoso.id });
    backend.addDevice("ws-02", { organisationId: contoso.id });
    renderApp("/organisations", { backend });

    const link = await screen.findByRole("link", { name: "Contoso" });
    expect(link.getAttribute("href")).toBe(`/organisations/${contoso.id}`);
    const row = link.closest("tr")!;
    expect(within(row).getByText("Dental practice")).toBeTruthy();
    const cells = within(row).getAllByRole("cell").map((c) => c.textContent);
    expect(cells.slice(1, 3)).toEqual(["1", "2"]);
    expect(screen.getByRole("link", { name: "Fabrikam" })).toBeTruthy();
  });

  it("searches by name", async () => {
    const backend = new FakeBackend();
    backend.addOrganisation("Contoso");
    backend.addOrganisation("Fabrikam");
    renderApp("/organisations", { backend });

    await screen.findByRole("link", { name: "Fabrikam" });
    fireEvent.change(screen.getByLabelText("Search organisations"), { target: { value: "fab" } });

    await waitFor(() => expect(screen.queryByRole("link", { name: "Contoso" })).toBeNull());
    expect(screen.getByRole("link", { name: "Fabrikam" })).toBeTruthy();
    expect(backend.callsOf("ListOrganisations").at(-1)?.request).toMatchObject({ query: "fab" });
  });

  it("creates an organisation and shows it in the list", async () => {
    const backend = new FakeBackend();
    renderApp("/organisations", { backend });

    await screen.findByText(/No organisations yet/);
    fireEvent.click(screen.getByRole("button", { name: "New organisation" }));
    fireEvent.change(screen.getByLabelText("Organisation name"), { target: { value: "Northwind" } });
    fireEvent.click(screen.getByRole("button", { name: "Create organisation" }));

    const table = await screen.findByRole("table");
    expect(within(table).getByRole("link", { name: "Northwind" })).toBeTruthy();
    expect(backend.organisations.map((o) => o.name)).toEqual(["Northwind"]);
  });

  it("shows already_exists from the server in the form", async () => {
    const backend = new FakeBackend();
    backend.addOrganisation("Northwind");
    renderApp("/organisations", { backend });

    await screen.findByRole("link", { name: "Northwind" });
    fireEvent.click(screen.getByRole("button", { name: "New organisation" }));
    fireEvent.change(screen.getByLabelText("Organisation name"), { target: { value: "northwind" } });
    fireEvent.click(screen.getByRole("button", { name: "Create organisation" }));

    const form = screen.getByRole("form", { name: "New organisation" });
    expect((await within(form).findByRole("alert")).textContent).toBe(
      'An organisation named "northwind" already exists',
    );
  });

  it("hides the create action from a viewer", async () => {
    const backend = new FakeBackend({ role: Role.VIEWER });
    backend.addOrganisation("Contoso");
    renderApp("/organisations", { backend });

    await screen.findByRole("link", { name: "Contoso" });
    expect(screen.queryByRole("button", { name: "New organisation" })).toBeNull();
    expect(screen.queryByLabelText("Organisation name")).toBeNull();
  });

  it("shows an error when the list cannot be loaded", async () => {
    const backend = new FakeBackend();
    const { ConnectError, Code } = await import("@connectrpc/connect");
    backend.failures.set("ListOrganisations", new ConnectError("database is down", Code.Unavailable));
    renderApp("/organisations", { backend });

    expect((await screen.findByRole("alert")).textContent).toBe("Database is down");
  });
});
