import { Code, ConnectError } from "@connectrpc/connect";
import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { AISource } from "../../gen/wegweiser/v1/ai_pb";
import { Feedback, RecordKind } from "../../gen/wegweiser/v1/chat_pb";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { EntityKind } from "../../gen/wegweiser/v1/health_pb";
import { FakeBackend, sickWorkstation } from "../../test/fake-backend";
import { deferred } from "../../test/fake/ai";
import { renderApp } from "../../test/render";
import { citationHref } from "./labels";

function seeded() {
  const backend = new FakeBackend();
  const org = backend.addOrganisation("Contoso");
  const group = backend.addGroup(org.id, "Head office");
  const d = backend.addDevice("PC-07", { groupId: group.id });
  backend.setDeviceHealth(d.id, sickWorkstation());
  return { backend, org, group, d };
}

async function openAssistant() {
  fireEvent.click(await screen.findByRole("button", { name: "Ask Wegweiser" }));
  return screen.findByRole("complementary", { name: "Assistant" });
}

async function ask(panel: HTMLElement, question: string) {
  const box = await within(panel).findByLabelText("Question");
  fireEvent.change(box, { target: { value: question } });
  fireEvent.keyDown(box, { key: "Enter" });
}

// Whole-app renders with streaming: generous ceilings for a loaded machine (nothing here is timed).
describe("chat panel", { timeout: 30_000 }, () => {
  it("streams an answer progressively, shows tools and links citations to their records", async () => {
    const { backend, d } = seeded();
    const hold = deferred();
    backend.ai.hold = hold;
    const view = renderApp(`/devices/${d.id}`, { backend });
    const panel = await openAssistant();
    await ask(panel, "what is wrong with this device?");

    // The first delta is on screen while the rest of the answer is held back.
    await within(panel).findByText("PC-07");
    expect(within(panel).getByText("You asked:", { exact: false }).parentElement?.textContent).toContain(
      "what is wrong with this device?",
    );
    expect(within(panel).queryByText(/needs attention/)).toBeNull();
    expect(within(panel).getByRole("list", { name: "Tools used" }).textContent).toContain("Searched devices: 1 device");
    expect(within(panel).getByRole("button", { name: "Answering…" })).toBeTruthy();

    await act(async () => hold.resolve());
    await within(panel).findByText(/needs attention/);
    const chip1 = await within(panel).findAllByRole("link", { name: /^Citation 1: PC-07/ });
    expect(chip1[0]?.getAttribute("href")).toBe(`/devices/${d.id}`);
    const chip2 = within(panel).getAllByRole("link", { name: /^Citation 2:/ });
    expect(chip2[0]?.getAttribute("href")).toBe(`/devices/${d.id}?tab=health`);
    expect(await within(panel).findByText(/Built-in answerer/)).toBeTruthy();

    // The conversation was created for the device and the question sent in it.
    expect(backend.callsOf("CreateConversation")[0]?.request).toMatchObject({
      scope: { kind: EntityKind.DEVICE, id: d.id },
      title: "what is wrong with this device?",
    });
    expect(backend.ai.messages.get(backend.ai.conversations[0]?.id ?? "")?.length).toBe(2);

    // A chip opens its record through the router.
    fireEvent.click(chip2[0]!);
    await waitFor(() => expect(view.router.state.location.search).toBe("?tab=health"));
  });

  it("names the model when one answered, and rates answers", async () => {
    const { backend, d } = seeded();
    backend.ai.settings.effectiveSource = AISource.AI_SOURCE_TENANT;
    backend.ai.settings.effectiveModel = "gpt-test";
    renderApp(`/devices/${d.id}`, { backend });
    const panel = await openAssistant();
    await ask(panel, "why?");
    expect(await within(panel).findByText(/Answered by gpt-test/)).toBeTruthy();
    expect(within(panel).queryByText(/Built-in answerer/)).toBeNull();

    const rating = () => within(within(panel).getByRole("group", { name: "Rate this answer" }));
    await within(panel).findByRole("group", { name: "Rate this answer" });
    fireEvent.click(rating().getByRole("button", { name: "Wrong" }));
    await waitFor(() => expect(rating().getByRole("button", { name: "Wrong" }).getAttribute("aria-pressed")).toBe("true"));
    const answer = backend.ai.messages.get(backend.ai.conversations[0]?.id ?? "")?.[1];
    expect(answer?.feedback).toBe(Feedback.WRONG);
    expect(backend.callsOf("SubmitFeedback")[0]?.request).toMatchObject({ messageId: answer?.id, feedback: Feedback.WRONG });

    fireEvent.click(rating().getByRole("button", { name: "Helpful" }));
    await waitFor(() => expect(answer?.feedback).toBe(Feedback.HELPFUL));
    await waitFor(() => expect(rating().getByRole("button", { name: "Helpful" }).getAttribute("aria-pressed")).toBe("true"));
    expect(rating().getByRole("button", { name: "Wrong" }).getAttribute("aria-pressed")).toBe("false");
  });

  it("explains a spent budget and an unreachable endpoint by their codes", async () => {
    const { backend, d } = seeded();
    renderApp(`/devices/${d.id}`, { backend });
    const panel = await openAssistant();
    backend.failures.set("SendMessage", new ConnectError("tenant used 2000000 of 2000000 tokens", Code.ResourceExhausted));
    await ask(panel, "why?");
    expect((await within(panel).findByRole("alert")).textContent).toMatch(/monthly AI budget is spent/);

    backend.failures.set("SendMessage", new ConnectError("dial tcp: connection refused", Code.Unavailable));
    await ask(panel, "and now?");
    await waitFor(() => expect(within(panel).getByRole("alert").textContent).toMatch(/AI endpoint did not answer/));
  });

  it("refuses a question over 4000 characters before sending it", async () => {
    const { backend, d } = seeded();
    renderApp(`/devices/${d.id}`, { backend });
    const panel = await openAssistant();
    await ask(panel, "x".repeat(4001));
    expect(await within(panel).findByText(/at most 4,000 characters/)).toBeTruthy();
    expect((within(panel).getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(true);
    expect(backend.callsOf("SendMessage")).toHaveLength(0);
    expect(backend.callsOf("CreateConversation")).toHaveLength(0);
  });

  it("lists, opens, renames and deletes the conversations of the entity only", async () => {
    const { backend, org, d } = seeded();
    const mine = backend.ai.addConversation({ kind: EntityKind.DEVICE, id: d.id }, "Disk question", "PC-07");
    backend.ai.addMessage(mine.id, { role: 1, text: "Is the disk full?" });
    backend.ai.addMessage(mine.id, { role: 2, text: "Yes, C: has 3 % free [1].", citations: [{ number: 1, kind: RecordKind.DEVICE, id: d.id, label: "PC-07" }] });
    backend.ai.addConversation({ kind: EntityKind.ORGANISATION, id: org.id }, "About Contoso", "Contoso");
    renderApp(`/devices/${d.id}`, { backend });
    const panel = await openAssistant();
    fireEvent.click(within(panel).getByRole("tab", { name: "Conversations" }));
    const list = await within(panel).findByRole("list", { name: "Conversations" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(1);
    expect(within(list).queryByText("About Contoso")).toBeNull();

    fireEvent.click(within(list).getByRole("button", { name: "Rename “Disk question”" }));
    fireEvent.change(within(list).getByLabelText("Title"), { target: { value: "Disk of PC-07" } });
    fireEvent.click(within(list).getByRole("button", { name: "Save" }));
    await within(list).findByRole("button", { name: "Disk of PC-07" });
    expect(backend.ai.conversations[0]?.title).toBe("Disk of PC-07");

    fireEvent.click(within(list).getByRole("button", { name: "Disk of PC-07" }));
    expect(await within(panel).findByText("Is the disk full?")).toBeTruthy();
    expect(within(panel).getAllByRole("link", { name: /^Citation 1: PC-07/ })[0]?.getAttribute("href")).toBe(`/devices/${d.id}`);

    fireEvent.click(within(panel).getByRole("tab", { name: "Conversations" }));
    const list2 = await within(panel).findByRole("list", { name: "Conversations" });
    fireEvent.click(within(list2).getByRole("button", { name: /^Delete conversation/ }));
    fireEvent.click(within(list2).getByRole("button", { name: "Delete conversation" }));
    await within(panel).findByText(/No conversations about this device yet/);
    expect(backend.ai.conversations.map((c) => c.title)).toEqual(["About Contoso"]);
  });

  it("loads more conversations past the first page", async () => {
    const { backend, d } = seeded();
    for (let i = 0; i < 60; i++) backend.ai.addConversation({ kind: EntityKind.DEVICE, id: d.id }, `Question ${i}`, "PC-07");
    renderApp(`/devices/${d.id}`, { backend });
    const panel = await openAssistant();
    fireEvent.click(within(panel).getByRole("tab", { name: "Conversations" }));
    const list = await within(panel).findByRole("list", { name: "Conversations" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(50);
    fireEvent.click(within(panel).getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(within(list).getAllByRole("listitem")).toHaveLength(60));
    expect(within(panel).queryByRole("button", { name: "Load more" })).toBeNull();
  });

  it("is on the group, organisation and tenant pages, scoped to each", async () => {
    const { backend, org, group } = seeded();
    const view = renderApp(`/groups/${group.id}`, { backend });
    let panel = await openAssistant();
    expect(within(panel).getByRole("heading", { name: "Ask about Head office" })).toBeTruthy();
    await ask(panel, "worst devices?");
    await within(panel).findByText(/needs attention/);
    expect(backend.callsOf("CreateConversation").at(-1)?.request).toMatchObject({ scope: { kind: EntityKind.GROUP, id: group.id } });

    await act(() => view.router.navigate(`/organisations/${org.id}`));
    await screen.findByRole("heading", { level: 1, name: "Contoso" });
    panel = await openAssistant();
    expect(within(panel).getByRole("heading", { name: "Ask about Contoso" })).toBeTruthy();

    await act(() => view.router.navigate("/"));
    await screen.findByRole("heading", { level: 1, name: "Overview" });
    panel = await openAssistant();
    await ask(panel, "how is the fleet?");
    await within(panel).findByText(/needs attention/);
    expect(backend.callsOf("CreateConversation").at(-1)?.request).toMatchObject({ scope: { kind: EntityKind.TENANT, id: "" } });
  });

  it("is not offered without ai.use", async () => {
    const { d } = seeded();
    const backend = new FakeBackend({ role: Role.VIEWER, permissions: ["device.read"] });
    backend.addOrganisation("Contoso");
    backend.addDevice("PC-07");
    renderApp(`/devices/${d.id}`, { backend });
    await screen.findByRole("heading", { level: 1, name: "PC-07" });
    expect(screen.queryByRole("button", { name: "Ask Wegweiser" })).toBeNull();
  });
});

describe("citationHref", () => {
  const dev = { kind: EntityKind.DEVICE, id: "dev-9" };
  const c = (kind: RecordKind, id: string, entity?: { kind: EntityKind; id: string }) =>
    ({ number: 1, kind, id, entity, label: "" }) as Parameters<typeof citationHref>[0];
  it("opens each kind of record where it is shown", () => {
    expect(citationHref(c(RecordKind.DEVICE, "dev-9", dev))).toBe("/devices/dev-9");
    expect(citationHref(c(RecordKind.GROUP, "grp-1"))).toBe("/groups/grp-1");
    expect(citationHref(c(RecordKind.ORGANISATION, "org-1"))).toBe("/organisations/org-1");
    expect(citationHref(c(RecordKind.TENANT, ""))).toBe("/");
    expect(citationHref(c(RecordKind.FINDING, "storage.free_space", dev))).toBe("/devices/dev-9?tab=health");
    expect(citationHref(c(RecordKind.EVENT_LOG, "grp-7", dev))).toBe("/devices/dev-9?tab=events");
    expect(citationHref(c(RecordKind.SOFTWARE, "sw-1", dev))).toBe("/devices/dev-9?tab=software");
    expect(citationHref(c(RecordKind.CHECK, "storage.free_space"))).toBe("/checks#check-storage.free_space");
    expect(citationHref(c(RecordKind.HISTORY, "h-1", { kind: EntityKind.ORGANISATION, id: "org-2" }))).toBe("/organisations/org-2");
  });
});
