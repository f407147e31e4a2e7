import { timestampDate } from "@bufbuild/protobuf/wkt";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { CreateAPIKeyRequest } from "../../gen/wegweiser/v1/apikey_pb";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { FakeAPIKeys, withAPIKeys } from "../../test/fake/apikey";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

function setup(role: Role = Role.OWNER) {
  const backend = new FakeBackend({ role });
  const keys = new FakeAPIKeys();
  withAPIKeys(backend, keys);
  return { backend, keys };
}

function keyRow(name: string) {
  const table = screen.getByRole("table");
  return within(table).getByText(name, { selector: "td > div" }).closest("tr")!;
}

describe("API keys page", { timeout: 30_000 }, () => {
  it("creates a customer key limited to one organisation and shows its secret once", async () => {
    const { backend } = setup(Role.ADMIN);
    backend.addOrganisation("Contoso");
    const fabrikam = backend.addOrganisation("Fabrikam");
    renderApp("/settings/api-keys", { backend });

    fireEvent.click(await screen.findByRole("button", { name: "Create API key" }));
    const form = screen.getByRole("form", { name: "New API key" });
    // An admin may not make owner keys.
    const roles = within(within(form).getByLabelText("Role")).getAllByRole("option").map((o) => o.textContent);
    expect(roles).toEqual(["Admin", "Technician", "Viewer", "Customer"]);
    fireEvent.change(within(form).getByLabelText("Name"), { target: { value: "Fabrikam portal" } });
    fireEvent.change(within(form).getByLabelText("Role"), { target: { value: String(Role.CUSTOMER) } });
    const create = within(form).getByRole("button", { name: "Create key" }) as HTMLButtonElement;
    expect(create.disabled).toBe(true); // a customer key needs an organisation
    fireEvent.click(await within(form).findByRole("checkbox", { name: "Fabrikam" }));
    fireEvent.change(within(form).getByLabelText("Expires"), { target: { value: "365" } });
    expect(create.disabled).toBe(false);
    fireEvent.click(create);

    const secret = (await screen.findByLabelText("Secret")) as HTMLInputElement;
    expect(secret.value).toMatch(/^wwk_/);
    expect(screen.getByText(/Copy the secret now/).closest(".alert")?.textContent).toMatch(/shown only this once/);
    const request = backend.callsOf("CreateAPIKey")[0]?.request as CreateAPIKeyRequest;
    expect(request).toMatchObject({ name: "Fabrikam portal", role: Role.CUSTOMER, organisationIds: [fabrikam.id] });
    const days = (timestampDate(request.expireTime!).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364);
    expect(days).toBeLessThanOrEqual(365);

    // Listed with its scope; the secret is gone after "Done".
    await waitFor(() => expect(within(keyRow("Fabrikam portal")).getByText("Fabrikam")).toBeTruthy());
    expect(within(keyRow("Fabrikam portal")).getByText("Customer")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByLabelText("Secret")).toBeNull();
  });

  it("lists keys with their use and status and revokes one after confirmation", async () => {
    const { backend, keys } = setup();
    keys.add({ name: "PSA sync", role: Role.TECHNICIAN, lastUseAddress: "203.0.113.7" });
    keys.add({ name: "Old script", revokeTime: { seconds: 1n, nanos: 0 } as never });
    renderApp("/settings/api-keys", { backend });

    const row = await waitFor(() => keyRow("PSA sync"));
    expect(within(row).getByText("Technician")).toBeTruthy();
    expect(within(row).getByText("203.0.113.7")).toBeTruthy();
    expect(within(row).getByText("Active")).toBeTruthy();
    expect(within(keyRow("Old script")).getByText("Revoked")).toBeTruthy();
    expect(within(keyRow("Old script")).queryByRole("button", { name: /Revoke/ })).toBeNull();

    fireEvent.click(within(row).getByRole("button", { name: "Revoke PSA sync" }));
    expect(backend.callsOf("RevokeAPIKey")).toHaveLength(0);
    fireEvent.click(within(row).getByRole("button", { name: "Revoke key" }));
    await waitFor(() => expect(within(keyRow("PSA sync")).getByText("Revoked")).toBeTruthy());
    expect(backend.callsOf("RevokeAPIKey")[0]?.request).toMatchObject({ apiKeyId: keys.keys[1]!.id });
  });

  it("offers owners owner keys and refuses members without apikey.manage", async () => {
    const { backend } = setup(Role.OWNER);
    const view = renderApp("/settings/api-keys", { backend });
    fireEvent.click(await screen.findByRole("button", { name: "Create API key" }));
    const form = screen.getByRole("form", { name: "New API key" });
    expect(within(within(form).getByLabelText("Role")).getAllByRole("option")[0]?.textContent).toBe("Owner");
    view.unmount();

    const tech = setup(Role.TECHNICIAN);
    renderApp("/settings/api-keys", { backend: tech.backend });
    expect((await screen.findByRole("alert")).textContent).toMatch(/Only owners and admins/);
    expect(screen.queryByRole("button", { name: "Create API key" })).toBeNull();
  });
});
