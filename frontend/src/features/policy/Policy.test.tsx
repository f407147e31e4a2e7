import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { PolicyLevel, type SetOverrideRequest } from "../../gen/wegweiser/v1/policy_pb";
import { FakeBackend, sickWorkstation } from "../../test/fake-backend";
import { features } from "../../lib/features";
import { renderApp } from "../../test/render";
afterEach(() => {
  features.aiNarrative = false;
});

/**
 * Contoso (three devices, one in Head office) with overrides at the tenant,
 * the organisation and one device, and guidance for the organisation.
 */
function seed(opts: ConstructorParameters<typeof FakeBackend>[0] = {}) {
  const backend = new FakeBackend(opts);
  const contoso = backend.addOrganisation("Contoso");
  const hq = backend.addGroup(contoso.id, "Head office");
  const ws = backend.addDevice("ws-01", { organisationId: contoso.id, groupId: hq.id });
  backend.addDevice("ws-02", { organisationId: contoso.id });
  backend.addDevice("srv-01", { organisationId: contoso.id });
  const tenantWide = backend.addOverride({ level: PolicyLevel.TENANT }, { checkId: "hardware.battery_capacity", warn: 70, reason: "Batteries are replaced on a schedule" });
  const orgFree = backend.addOverride(
    { level: PolicyLevel.ORGANISATION, id: contoso.id },
    { checkId: "storage.volume_free_space", warn: 15, fail: 5, reason: "Archive volumes run full by design", updatedBy: "bob@example.com" },
  );
  const deviceFirewall = backend.addOverride(
    { level: PolicyLevel.DEVICE, id: ws.id },
    { checkId: "security.firewall", enabled: false, reason: "Lab machine behind the test firewall" },
  );
  backend.guidance.set(`organisation:${contoso.id}`, "Contoso's kiosks hold no user data.");
  return { backend, contoso, hq, ws, tenantWide, orgFree, deviceFirewall };
}

const orgPath = (id: string) => `/policy?level=organisation&id=${id}`;

async function overrideRow(checkId: string) {
  const table = await screen.findByRole("table", { name: "Overrides at this level" });
  return within(table).getByText(checkId).closest("tr")!;
}

function lastSet(backend: FakeBackend) {
  return backend.callsOf("SetOverride").at(-1)?.request as SetOverrideRequest;
}

describe("policy page", () => {
  it("is in the navigation and lists the overrides of the level named in the URL", async () => {
    const { backend, contoso } = seed();
    renderApp(orgPath(contoso.id), { backend });

    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("link", { name: "Policy" }).getAttribute("href")).toBe("/policy");
    const row = await overrideRow("storage.volume_free_space");
    expect(within(row).getAllByRole("cell").map((c) => c.textContent).slice(0, 7)).toEqual([
      "Volume free spacestorage.volume_free_space",
      "inherited",
      "< 15",
      "< 5",
      "default (high)",
      "no",
      "Archive volumes run full by design",
    ]);
    expect(within(row).getByText("bob@example.com")).toBeTruthy();
    // Only this level: the tenant's and the device's overrides are elsewhere.
    expect(screen.queryByText("hardware.battery_capacity", { selector: "td div" })).toBeNull();
    expect(backend.callsOf("ListPolicies")[0]?.request).toMatchObject({
      scope: { level: PolicyLevel.ORGANISATION, id: contoso.id },
    });
    const picker = screen.getByRole("group", { name: "Policy level" });
    expect((within(picker).getByLabelText("Level") as HTMLSelectElement).value).toBe(String(PolicyLevel.ORGANISATION));
    await waitFor(() => expect((within(picker).getByLabelText("Organisation") as HTMLSelectElement).value).toBe(contoso.id));
  });

  it("switches the level with the picker and keeps it in the URL", async () => {
    const { backend, hq } = seed();
    const { router } = renderApp("/policy", { backend });

    expect(await overrideRow("hardware.battery_capacity")).toBeTruthy();
    const picker = screen.getByRole("group", { name: "Policy level" });
    fireEvent.change(within(picker).getByLabelText("Level"), { target: { value: String(PolicyLevel.GROUP) } });
    expect(await screen.findByText("Choose a group above to see its policy.")).toBeTruthy();
    const group = (await within(picker).findByLabelText("Group")) as HTMLSelectElement;
    await within(group).findByRole("option", { name: "Head office" });
    fireEvent.change(group, { target: { value: hq.id } });

    expect(await screen.findByText(/No overrides at this level/)).toBeTruthy();
    expect(router.state.location.search).toBe(`?level=group&id=${hq.id}`);
    expect(backend.callsOf("ListPolicies").at(-1)?.request).toMatchObject({ scope: { level: PolicyLevel.GROUP, id: hq.id } });
  });

  it("adds overrides: thresholds only where the check has them, a reason required, re-analysis counted", async () => {
    const { backend, contoso } = seed();
    renderApp(orgPath(contoso.id), { backend });
    let form = await screen.findByRole("form", { name: "Add override" });
    const choose = (id: string) => fireEvent.change(within(form).getByLabelText("Check"), { target: { value: id } });

    // No numeric threshold: no threshold inputs at all.
    choose("security.firewall");
    expect(within(form).queryByLabelText("Warn threshold")).toBeNull();
    expect(within(form).queryByLabelText("Fail threshold")).toBeNull();
    expect(within(form).getByText(/no numeric threshold/)).toBeTruthy();
    // Only a failure threshold.
    choose("security.antivirus");
    expect(within(form).queryByLabelText("Warn threshold")).toBeNull();
    expect(within(form).getByLabelText("Fail threshold")).toBeTruthy();
    // Both, with the defaults and unit.
    choose("storage.disk_temperature");
    expect(within(form).getByText(/Default: warn >= 60, fail >= 70, in °C; severity medium\./)).toBeTruthy();
    fireEvent.change(within(form).getByLabelText("Warn threshold"), { target: { value: "65" } });
    fireEvent.change(within(form).getByLabelText("Fail threshold"), { target: { value: "75.5" } });
    fireEvent.click(within(form).getByLabelText(/Suppress/));

    // Without a reason nothing is sent.
    fireEvent.click(within(form).getByRole("button", { name: "Add override" }));
    expect(within(form).getByRole("alert").textContent).toBe("Say why: a reason is required.");
    expect(backend.callsOf("SetOverride")).toHaveLength(0);

    fireEvent.change(within(form).getByLabelText("Reason"), { target: { value: "  Disks in the hot aisle run warm by design  " } });
    fireEvent.click(within(form).getByRole("button", { name: "Add override" }));

    expect(await screen.findByText(/3 devices queued for re-analysis/)).toBeTruthy();
    const added = lastSet(backend);
    expect(added).toMatchObject({
      scope: { level: PolicyLevel.ORGANISATION, id: contoso.id },
      checkId: "storage.disk_temperature",
      warn: 65,
      fail: 75.5,
      severity: "",
      suppress: true,
      reason: "Disks in the hot aisle run warm by design",
    });
    expect(added.enabled).toBeUndefined();
    const row = await overrideRow("storage.disk_temperature");
    expect(within(row).getByText(">= 65")).toBeTruthy();
    expect(within(row).getByText("Suppressed")).toBeTruthy();

    // The form starts empty again; switch a check off and raise its severity.
    form = screen.getByRole("form", { name: "Add override" });
    expect((within(form).getByLabelText("Check") as HTMLSelectElement).value).toBe("");
    choose("security.firewall");
    fireEvent.change(within(form).getByLabelText("Check runs"), { target: { value: "off" } });
    fireEvent.change(within(form).getByLabelText("Severity of a failure"), { target: { value: "critical" } });
    fireEvent.change(within(form).getByLabelText("Reason"), { target: { value: "Managed by the customer's own firewall" } });
    fireEvent.click(within(form).getByRole("button", { name: "Add override" }));

    await waitFor(() => expect(backend.callsOf("SetOverride")).toHaveLength(2));
    const off = lastSet(backend);
    expect(off).toMatchObject({ checkId: "security.firewall", enabled: false, severity: "critical", suppress: false });
    expect(off.warn).toBeUndefined();
    expect(off.fail).toBeUndefined();
    expect(within(await overrideRow("security.firewall")).getByText("Off")).toBeTruthy();

    // Both changes are in the audit log.
    const audit = screen.getByRole("table", { name: "Policy changes" });
    await waitFor(() => expect(within(audit).getAllByText("Override set")).toHaveLength(2));
    const first = within(audit).getByText("storage.disk_temperature").closest("tr")!;
    expect(within(first).getByText("warn 65 · fail 75.5 · suppressed")).toBeTruthy();
    expect(within(first).getByRole("link", { name: "Organisation Contoso" }).getAttribute("href")).toBe(orgPath(contoso.id));
  });

  it("refuses an override that changes nothing", async () => {
    const { backend, contoso } = seed();
    renderApp(orgPath(contoso.id), { backend });
    const form = await screen.findByRole("form", { name: "Add override" });
    fireEvent.change(within(form).getByLabelText("Check"), { target: { value: "storage.smart_health" } });
    fireEvent.change(within(form).getByLabelText("Reason"), { target: { value: "why not" } });
    fireEvent.click(within(form).getByRole("button", { name: "Add override" }));
    expect(within(form).getByRole("alert").textContent).toMatch(/changes nothing/);
    expect(backend.callsOf("SetOverride")).toHaveLength(0);
  });

  it("edits an override in place", async () => {
    const { backend, contoso } = seed();
    renderApp(orgPath(contoso.id), { backend });
    fireEvent.click(within(await overrideRow("storage.volume_free_space")).getByRole("button", { name: "Edit override storage.volume_free_space" }));

    const form = screen.getByRole("form", { name: "Edit override storage.volume_free_space" });
    expect((within(form).getByLabelText("Check") as HTMLSelectElement).disabled).toBe(true);
    expect((within(form).getByLabelText("Warn threshold") as HTMLInputElement).value).toBe("15");
    fireEvent.change(within(form).getByLabelText("Fail threshold"), { target: { value: "8" } });
    fireEvent.click(within(form).getByRole("button", { name: "Save changes" }));

    expect(await screen.findByText(/3 devices queued for re-analysis/)).toBeTruthy();
    expect(lastSet(backend)).toMatchObject({
      checkId: "storage.volume_free_space",
      warn: 15,
      fail: 8,
      reason: "Archive volumes run full by design",
    });
    await waitFor(async () => expect(within(await overrideRow("storage.volume_free_space")).getByText("< 8")).toBeTruthy());
    expect(screen.queryByRole("form", { name: /^Edit override/ })).toBeNull();
  });

  it("deletes an override only with a reason", async () => {
    const { backend, contoso, orgFree } = seed();
    renderApp(orgPath(contoso.id), { backend });
    const row = await overrideRow("storage.volume_free_space");
    fireEvent.click(within(row).getByRole("button", { name: "Delete override storage.volume_free_space" }));

    const confirm = within(row).getByRole("group", { name: "Delete override storage.volume_free_space" });
    const button = within(confirm).getByRole("button", { name: "Delete override" }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    fireEvent.change(within(confirm).getByLabelText("Reason for deleting"), { target: { value: "Archive moved to the NAS" } });
    expect(button.disabled).toBe(false);
    fireEvent.click(button);

    expect(await screen.findByText(/3 devices queued for re-analysis/)).toBeTruthy();
    expect(backend.callsOf("DeleteOverride")[0]?.request).toMatchObject({ id: orgFree.id, reason: "Archive moved to the NAS" });
    expect(await screen.findByText(/No overrides at this level/)).toBeTruthy();
  });

  it("hides the guidance for the AI narrative while there is no AI narrative", async () => {
    const { backend, contoso, ws } = seed();
    backend.guidance.set("tenant:t1", "We are an MSP for dentists.");
    renderApp(orgPath(contoso.id), { backend });
    await screen.findByRole("region", { name: "Overrides" });
    expect(screen.queryByRole("region", { name: "Guidance for the AI narrative" })).toBeNull();
    expect(screen.queryByLabelText("Guidance for the AI narrative")).toBeNull();
    void ws;
  });

  it("saves the guidance for the AI narrative and says it never changes a score", async () => {
    features.aiNarrative = true;
    const { backend, contoso } = seed();
    renderApp(orgPath(contoso.id), { backend });
    const guidance = await screen.findByRole("region", { name: "Guidance for the AI narrative" });
    expect(await within(guidance).findByText(/It never changes a score/)).toBeTruthy();
    const text = (await within(guidance).findByLabelText("Guidance for the AI narrative")) as HTMLTextAreaElement;
    expect(text.value).toBe("Contoso's kiosks hold no user data.");

    fireEvent.change(text, { target: { value: "Kiosks hold no user data; do not recommend encryption." } });
    fireEvent.click(within(guidance).getByRole("button", { name: "Save guidance" }));

    expect(await within(guidance).findByText("Guidance saved.")).toBeTruthy();
    expect(backend.callsOf("SetGuidance")[0]?.request).toMatchObject({
      scope: { level: PolicyLevel.ORGANISATION, id: contoso.id },
      text: "Kiosks hold no user data; do not recommend encryption.",
    });
  });

  it("is read-only without policy.manage: no forms, no edit or delete, guidance as plain text", async () => {
    features.aiNarrative = true;
    const { backend, contoso } = seed({ role: Role.VIEWER });
    backend.guidance.set(`organisation:${contoso.id}`, "<img src=x onerror=alert(1)> is just text");
    renderApp(orgPath(contoso.id), { backend });

    const row = await overrideRow("storage.volume_free_space");
    expect(within(row).queryByRole("button")).toBeNull();
    expect(screen.queryByRole("form", { name: "Add override" })).toBeNull();
    expect(screen.queryByRole("region", { name: "Add override" })).toBeNull();
    const guidance = screen.getByRole("region", { name: "Guidance for the AI narrative" });
    expect(within(guidance).getByText("<img src=x onerror=alert(1)> is just text")).toBeTruthy();
    expect(guidance.querySelector("img")).toBeNull();
    expect(within(guidance).queryByRole("textbox")).toBeNull();
    expect(within(guidance).queryByRole("button")).toBeNull();
  });

  it("is hidden from members without policy.read", async () => {
    const { backend } = seed({ role: Role.CUSTOMER });
    renderApp("/policy", { backend });

    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(within(nav).queryByRole("link", { name: "Policy" })).toBeNull();
    expect((await screen.findByRole("alert")).textContent).toMatch(/not allowed to see the policy/);
    expect(backend.callsOf("ListPolicies")).toHaveLength(0);
    expect(backend.callsOf("ListPolicyAudit")).toHaveLength(0);
  });
});

describe("policy elsewhere", () => {
  it("shows the policy in effect on the device's Health tab, linked to where each override comes from", async () => {
    features.aiNarrative = true;
    const { backend, contoso, ws } = seed();
    backend.guidance.set("tenant:t1", "We are an MSP for dentists.");
    backend.setDeviceHealth(ws.id, sickWorkstation());
    renderApp(`/devices/${ws.id}`, { backend });

    const section = await screen.findByRole("region", { name: "Policy in effect" });
    const list = await within(section).findByRole("list", { name: "Overrides in effect" });
    const entries = within(list).getAllByRole("listitem");
    expect(entries.map((e) => e.querySelector(".mono")?.textContent)).toEqual([
      "hardware.battery_capacity",
      "storage.volume_free_space",
      "security.firewall",
    ]);
    expect(entries[1]!.textContent).toContain("warn < 15 · fail < 5 · % free");
    expect(within(entries[0]!).getByRole("link", { name: "Tenant" }).getAttribute("href")).toBe("/policy");
    expect(within(entries[1]!).getByRole("link", { name: "Organisation Contoso" }).getAttribute("href")).toBe(orgPath(contoso.id));
    expect(within(entries[2]!).getByRole("link", { name: "This device" }).getAttribute("href")).toBe(
      `/policy?level=device&id=${ws.id}`,
    );
    expect(entries[2]!.textContent).toContain("switched off");
    const guidance = within(section).getByRole("list", { name: "Guidance in effect" });
    expect(within(guidance).getAllByRole("listitem").map((g) => g.textContent)).toEqual([
      "We are an MSP for dentists.",
      "Contoso's kiosks hold no user data.",
    ]);
  });

  it("links the organisation page to its policy", async () => {
    const { backend, contoso } = seed();
    renderApp(`/organisations/${contoso.id}`, { backend });
    await screen.findByRole("heading", { level: 1, name: "Contoso" });
    expect(within(screen.getByRole("main")).getByRole("link", { name: "Policy" }).getAttribute("href")).toBe(orgPath(contoso.id));
  });

  it("links the group page to its policy", async () => {
    const { backend, hq } = seed();
    renderApp(`/groups/${hq.id}`, { backend });
    await screen.findByRole("heading", { level: 1, name: "Head office" });
    expect(within(screen.getByRole("main")).getByRole("link", { name: "Policy" }).getAttribute("href")).toBe(
      `/policy?level=group&id=${hq.id}`,
    );
  });
});
