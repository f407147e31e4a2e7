import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { EntityKind } from "../../gen/wegweiser/v1/health_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

function seeded(opts: { role?: Role } = {}) {
  const backend = new FakeBackend(opts);
  const org = backend.addOrganisation("Contoso");
  const group = backend.addGroup(org.id, "Head office");
  const d = backend.addDevice("SRV-01", { groupId: group.id });
  const other = backend.addDevice("PC-99");
  return { backend, org, group, d, other };
}

async function openMemory() {
  fireEvent.click(await screen.findByRole("button", { name: "Ask Wegweiser" }));
  const panel = await screen.findByRole("complementary", { name: "Assistant" });
  fireEvent.click(within(panel).getByRole("tab", { name: "Memory" }));
  return panel;
}

describe("memory", { timeout: 30_000 }, () => {
  it("lists what was taught about the device and above it, with provenance, and deletes", async () => {
    const { backend, org, d, other } = seeded();
    const conv = backend.ai.addConversation({ kind: EntityKind.DEVICE, id: d.id }, "Events", "SRV-01");
    backend.ai.addMemory({ kind: EntityKind.ORGANISATION, id: org.id }, "Contoso patches on Tuesdays", {
      scopeName: "Contoso",
      createdByName: "Grace",
    });
    backend.ai.addMemory({ kind: EntityKind.DEVICE, id: d.id }, "SRV-01 is the domain controller; event 1014 is expected", {
      scopeName: "SRV-01",
      conversationId: conv.id,
    });
    backend.ai.addMemory({ kind: EntityKind.DEVICE, id: other.id }, "Not about this device", { scopeName: "PC-99" });
    renderApp(`/devices/${d.id}`, { backend });
    const panel = await openMemory();

    const list = await within(panel).findByRole("list", { name: "Memories" });
    const items = within(list).getAllByRole("listitem");
    expect(items.map((li) => li.querySelector(".memory-text")?.textContent)).toEqual([
      "SRV-01 is the domain controller; event 1014 is expected",
      "Contoso patches on Tuesdays",
    ]);
    expect(items[0]?.textContent).toMatch(/About SRV-01 · taught by Ada/);
    expect(items[0]?.textContent).toMatch(/in “Events”/);
    expect(items[1]?.textContent).toMatch(/About Contoso · taught by Grace/);
    expect(backend.callsOf("ListMemories")[0]?.request).toMatchObject({ includeInherited: true });

    fireEvent.click(within(items[1]!).getByRole("button", { name: /^Delete memory/ }));
    fireEvent.click(within(items[1]!).getByRole("button", { name: "Forget it" }));
    await waitFor(() => expect(within(list).getAllByRole("listitem")).toHaveLength(1));
    expect(backend.ai.memories.map((m) => m.text)).not.toContain("Contoso patches on Tuesdays");

    // The conversation it was taught in opens in the chat.
    fireEvent.click(within(list).getByRole("button", { name: "“Events”" }));
    expect(await within(panel).findByText("Events")).toBeTruthy();
  });

  it("teaches a fact with the form and with “Remember:” in the chat", async () => {
    const { backend, d } = seeded();
    renderApp(`/devices/${d.id}`, { backend });
    const panel = await openMemory();
    fireEvent.click(await within(panel).findByRole("button", { name: "Remember a fact" }));
    const form = within(panel).getByRole("form", { name: "Remember a fact" });
    expect(form.textContent).toMatch(/“Remember: …” in the chat works too/);
    fireEvent.change(within(form).getByLabelText("A fact about this device"), {
      target: { value: "SRV-01 reboots every Sunday" },
    });
    fireEvent.click(within(form).getByRole("button", { name: "Remember" }));
    await within(panel).findByText("SRV-01 reboots every Sunday");
    expect(backend.callsOf("CreateMemory")[0]?.request).toMatchObject({
      scope: { kind: EntityKind.DEVICE, id: d.id },
      text: "SRV-01 reboots every Sunday",
    });

    fireEvent.click(within(panel).getByRole("tab", { name: "Chat" }));
    const box = within(panel).getByLabelText("Question");
    fireEvent.change(box, { target: { value: "Remember: the UPS is in the basement" } });
    fireEvent.keyDown(box, { key: "Enter" });
    await within(panel).findByText(/I will remember that/);
    const conversationId = backend.ai.conversations[0]?.id;
    fireEvent.click(within(panel).getByRole("tab", { name: "Memory" }));
    await within(panel).findByText("the UPS is in the basement");
    expect(backend.ai.memories.find((m) => m.text === "the UPS is in the basement")?.conversationId).toBe(conversationId);
  });

  it("shows memories to viewers without delete or teach", async () => {
    const { backend, d } = seeded({ role: Role.VIEWER });
    backend.ai.addMemory({ kind: EntityKind.DEVICE, id: d.id }, "SRV-01 is the domain controller", { scopeName: "SRV-01" });
    renderApp(`/devices/${d.id}`, { backend });
    const panel = await openMemory();
    await within(panel).findByText("SRV-01 is the domain controller");
    expect(within(panel).queryByRole("button", { name: /^Delete memory/ })).toBeNull();
    expect(within(panel).queryByRole("button", { name: "Remember a fact" })).toBeNull();
  });
});
