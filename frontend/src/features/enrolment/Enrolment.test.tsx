import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import type { CreateEnrolmentKeyRequest } from "../../gen/wegweiser/v1/enrolment_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

function keyRow(prefix: string) {
  const table = screen.getByRole("region", { name: "Enrolment keys" });
  return within(table).getByText(`${prefix}…`).closest("tr")!;
}

describe("enrolment page", () => {
  it("creates a key for the preselected organisation and shows the secret and three install commands once", async () => {
    const backend = new FakeBackend();
    backend.addOrganisation("Contoso");
    const fabrikam = backend.addOrganisation("Fabrikam");
    backend.addGroup(fabrikam.id, "Branch Hamburg");
    const hq = backend.addGroup(fabrikam.id, "Head office");
    renderApp(`/enrolment?organisationId=${fabrikam.id}`, { backend });

    const form = await screen.findByRole("form", { name: "New enrolment key" });
    await within(form).findByRole("option", { name: "Fabrikam" });
    expect((within(form).getByLabelText("Organisation") as HTMLSelectElement).value).toBe(fabrikam.id);
    // Only the groups of the chosen organisation are offered.
    fireEvent.change(await within(form).findByLabelText("Group"), { target: { value: hq.id } });
    await waitFor(() => expect((within(form).getByLabelText("Group") as HTMLSelectElement).value).toBe(hq.id));
    fireEvent.change(within(form).getByLabelText("Description"), { target: { value: "Laptops head office" } });
    fireEvent.change(within(form).getByLabelText("Expires on"), { target: { value: "2099-12-31" } });
    fireEvent.change(within(form).getByLabelText("Maximum devices"), { target: { value: "25" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create key" }));

    const secret = (await screen.findByLabelText("Secret")) as HTMLInputElement;
    expect(secret.value).toBe("wgk_0001_s3cr3t");
    expect(screen.getByText(/Copy the secret now/).closest(".alert")?.textContent).toMatch(/shown only this once/);
    for (const [platform, fragment] of [
      ["Linux", "install.sh | sudo sh -s -- --key wgk_0001_s3cr3t"],
      ["macOS", "install.sh | sudo sh -s -- --key wgk_0001_s3cr3t"],
      ["Windows", "install.ps1))) -Key 'wgk_0001_s3cr3t'"],
    ] as const) {
      const block = screen.getByRole("group", { name: platform });
      expect(block.querySelector("pre code")?.textContent).toContain(fragment);
      expect(within(block).getByRole("button", { name: `Copy ${platform} command` })).toBeTruthy();
    }

    const request = backend.callsOf("CreateEnrolmentKey")[0]?.request as CreateEnrolmentKeyRequest;
    expect(request).toMatchObject({
      organisationId: fabrikam.id,
      groupId: hq.id,
      description: "Laptops head office",
      maxUses: 25,
    });
    const expires = timestampDate(request.expireTime!);
    expect([expires.getFullYear(), expires.getMonth(), expires.getDate(), expires.getHours()]).toEqual([2099, 11, 31, 23]);

    // The new key is listed; the secret goes away for good after "Done".
    await waitFor(() => expect(within(keyRow("wgk_0001")).getByRole("link", { name: "Head office" })).toBeTruthy());
    expect(within(keyRow("wgk_0001")).getByText("0 / 25")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByLabelText("Secret")).toBeNull();
    expect(screen.getByRole("form", { name: "New enrolment key" })).toBeTruthy();
  });

  it("lists keys with names, uses and status, and revokes one after confirmation", async () => {
    const backend = new FakeBackend();
    const org = backend.addOrganisation("Contoso");
    const grp = backend.addGroup(org.id, "Head office");
    const key = backend.addEnrolmentKey(org.id, { groupId: grp.id, description: "Roll-out", uses: 3, maxUses: 10 });
    backend.addEnrolmentKey(org.id, { description: "Full", uses: 5, maxUses: 5 });
    backend.addEnrolmentKey(org.id, {
      description: "Old",
      expireTime: timestampFromDate(new Date(Date.now() - 86_400_000)),
    });
    renderApp("/enrolment", { backend });

    await screen.findByText("wgk_0001…");
    const row = keyRow("wgk_0001");
    expect(within(row).getByRole("link", { name: "Contoso" })).toBeTruthy();
    expect(await within(row).findByRole("link", { name: "Head office" })).toBeTruthy();
    expect(within(row).getByText("3 / 10")).toBeTruthy();
    expect(within(row).getByText("Active")).toBeTruthy();
    expect(within(keyRow("wgk_0002")).getByText("Exhausted")).toBeTruthy();
    // Expired keys only show up on request.
    expect(screen.queryByText("wgk_0003…")).toBeNull();
    fireEvent.click(screen.getByLabelText("Include revoked and expired keys"));
    expect(within(await waitFor(() => keyRow("wgk_0003"))).getByText("Expired")).toBeTruthy();
    expect(backend.callsOf("ListEnrolmentKeys").at(-1)?.request).toMatchObject({ includeInactive: true });

    fireEvent.click(within(keyRow("wgk_0001")).getByRole("button", { name: "Revoke key wgk_0001" }));
    expect(backend.callsOf("RevokeEnrolmentKey")).toHaveLength(0);
    const confirm = within(keyRow("wgk_0001")).getByRole("group", { name: "Revoke key wgk_0001" });
    fireEvent.click(within(confirm).getByRole("button", { name: "Revoke key" }));

    await waitFor(() => expect(within(keyRow("wgk_0001")).getByText("Revoked")).toBeTruthy());
    expect(backend.callsOf("RevokeEnrolmentKey")).toHaveLength(1);
    expect(backend.callsOf("RevokeEnrolmentKey")[0]?.request).toMatchObject({ id: key.id });
    expect(within(keyRow("wgk_0001")).queryByRole("button", { name: /Revoke/ })).toBeNull();
  });

  it("offers enrolment from the organisation page, preselecting it", async () => {
    const backend = new FakeBackend();
    backend.addOrganisation("Contoso");
    const org = backend.addOrganisation("Fabrikam");
    const { router } = renderApp(`/organisations/${org.id}`, { backend });

    const link = await screen.findByRole("link", { name: "Enrol devices" });
    expect(link.getAttribute("href")).toBe(`/enrolment?organisationId=${org.id}`);
    fireEvent.click(link);

    const form = await screen.findByRole("form", { name: "New enrolment key" });
    await within(form).findByRole("option", { name: "Fabrikam" });
    expect((within(form).getByLabelText("Organisation") as HTMLSelectElement).value).toBe(org.id);
    expect(router.state.location.pathname).toBe("/enrolment");
    // The key list is narrowed to that organisation too.
    expect(backend.callsOf("ListEnrolmentKeys").at(-1)?.request).toMatchObject({ organisationId: org.id });
  });

  it("shows the Enrolment link to owners", async () => {
    renderApp("/");
    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("link", { name: "Enrolment" })).toBeTruthy();
  });

  it("is hidden from a viewer: no nav link, no page, no organisation action, no key list request", async () => {
    const backend = new FakeBackend({ role: Role.VIEWER });
    const org = backend.addOrganisation("Contoso");
    renderApp(`/organisations/${org.id}`, { backend });

    const nav = await screen.findByRole("navigation", { name: "Main" });
    await screen.findByRole("heading", { level: 1, name: "Contoso" });
    expect(within(nav).queryByRole("link", { name: "Enrolment" })).toBeNull();
    expect(within(nav).getByRole("link", { name: "Software" })).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Enrol devices" })).toBeNull();
    expect(screen.getByRole("link", { name: "Software inventory" }).getAttribute("href")).toBe(
      `/software?organisationId=${org.id}`,
    );
  });

  it("refuses the page to a viewer who opens it directly", async () => {
    const backend = new FakeBackend({ role: Role.VIEWER });
    renderApp("/enrolment", { backend });

    expect((await screen.findByRole("alert")).textContent).toMatch(/not allowed to manage enrolment keys/);
    expect(screen.queryByRole("form", { name: "New enrolment key" })).toBeNull();
    expect(backend.callsOf("ListEnrolmentKeys")).toHaveLength(0);
  });

  it("revokes a device's agent credentials from the device page", async () => {
    const backend = new FakeBackend();
    backend.addOrganisation("Contoso");
    const d = backend.addDevice("ws-01");
    renderApp(`/devices/${d.id}?tab=details`, { backend });

    const section = await screen.findByRole("region", { name: "Agent credentials" });
    fireEvent.click(within(section).getByRole("button", { name: "Revoke agent credentials" }));
    fireEvent.click(within(section).getByRole("button", { name: "Revoke credentials" }));

    expect(await within(section).findByText("Agent credentials revoked.")).toBeTruthy();
    expect(backend.callsOf("RevokeDeviceToken")[0]?.request).toMatchObject({ deviceId: d.id });
  });

  it("lists the agent downloads with platform, format, size, checksum and link", async () => {
    const backend = new FakeBackend();
    backend.addOrganisation("Contoso");
    renderApp("/enrolment", { backend });

    const table = await screen.findByRole("table", { name: "Agent downloads" });
    const deb = within(table).getByRole("link", { name: "wegweiser-agent_1.4.0_linux_amd64.deb" });
    expect(deb.getAttribute("href")).toBe("https://wegweiser.example/agent/download/wegweiser-agent_1.4.0_linux_amd64.deb");
    const row = deb.closest("tr")!;
    expect(row.textContent).toMatch(/Linux/);
    expect(row.textContent).toMatch(/amd64/);
    expect(row.textContent).toMatch(/\.deb/);
    expect(row.textContent).toMatch(/4\.9 MB/);
    expect(within(row).getByRole("button", { name: "Copy" })).toBeTruthy();
    expect(within(table).getByRole("link", { name: "wegweiser-agent_1.4.0_windows_amd64.msi" })).toBeTruthy();
    const section = screen.getByRole("region", { name: "Agent downloads" });
    expect(within(section).getByRole("link", { name: "SHA256SUMS" }).getAttribute("href")).toBe(
      "https://wegweiser.example/agent/SHA256SUMS",
    );
    // A public https URL: no warning.
    expect(screen.queryByRole("alert", { name: "Public URL warnings" })).toBeNull();
  });

  it("warns when endpoints cannot reach the public URL and says how to set it", async () => {
    const backend = new FakeBackend();
    backend.addOrganisation("Contoso");
    backend.agentDistribution.publicUrl = "http://localhost:8080";
    backend.agentDistribution.warnings = [
      "The public URL http://localhost:8080 is a loopback address. Set WEGWEISER_PUBLIC_URL (or --public-url).",
    ];
    backend.agentDistribution.artifacts = [];
    renderApp("/enrolment", { backend });

    const alert = await screen.findByRole("alert", { name: "Public URL warnings" });
    expect(alert.textContent).toMatch(/http:\/\/localhost:8080/);
    expect(alert.textContent).toMatch(/WEGWEISER_PUBLIC_URL/);
    expect(await screen.findByText(/offers no agent builds yet/)).toBeTruthy();
  });
});
