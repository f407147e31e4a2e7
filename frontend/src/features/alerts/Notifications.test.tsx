import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ListNotificationsRequest } from "../../gen/wegweiser/v1/alert_pb";
import { EntityKind } from "../../gen/wegweiser/v1/health_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

/** A device with a critical finding, its organisation regressing, and an old, read tenant test. */
function seed() {
  const backend = new FakeBackend();
  const org = backend.addOrganisation("Contoso");
  const device = backend.addDevice("ws-01", { organisationId: org.id });
  const test = backend.addNotification({
    kind: "test",
    severity: "info",
    title: "Test notification from Wegweiser",
    read: true,
  });
  const regression = backend.addNotification({
    kind: "regression",
    severity: "warning",
    title: "Contoso fell to 61, 14 below its baseline",
    entity: { kind: EntityKind.ORGANISATION, id: org.id },
  });
  const critical = backend.addNotification({
    kind: "critical_finding",
    severity: "critical",
    title: "ws-01: volume C: has 4.1 % free",
    body: "10.2 GiB of 250.0 GiB free on C: (NTFS).",
    entity: { kind: EntityKind.DEVICE, id: device.id },
  });
  return { backend, org, device, test, regression, critical };
}

async function bell(name: string) {
  const nav = await screen.findByRole("navigation", { name: "Main" });
  return within(nav).findByRole("link", { name });
}

/** listCalls are the message centre's requests (the bell asks for one notification). */
function listCalls(backend: FakeBackend) {
  return backend.callsOf("ListNotifications").filter((c) => (c.request as ListNotificationsRequest).pageSize === 50);
}

function items() {
  return within(screen.getByRole("list", { name: "Notifications" })).getAllByRole("listitem");
}

describe("message centre", () => {
  it("shows the unread count on the bell, asking for one unread notification", async () => {
    const { backend } = seed();
    renderApp("/", { backend });

    const link = await bell("Notifications: 2 unread");
    expect(link.getAttribute("href")).toBe("/notifications");
    expect(link.querySelector(".bell-count")?.textContent).toBe("2");
    const request = backend.callsOf("ListNotifications")[0]?.request as ListNotificationsRequest;
    expect(request).toMatchObject({ unreadOnly: true, pageSize: 1 });
  });

  it("shows no count when everything is read", async () => {
    const backend = new FakeBackend();
    backend.addNotification({ read: true });
    renderApp("/", { backend });

    const link = await bell("Notifications");
    await waitFor(() => expect(backend.callsOf("ListNotifications").length).toBeGreaterThan(0));
    expect(link.querySelector(".bell-count")).toBeNull();
  });

  it("lists notifications newest first with severity, kind, unread emphasis and a link to their entity", async () => {
    const { backend, org, device } = seed();
    renderApp("/notifications", { backend });

    await screen.findByRole("list", { name: "Notifications" });
    const [critical, regression, test] = items();
    expect(critical!.className).toContain("notification-unread");
    expect(critical!.className).toContain("notification-critical");
    expect(within(critical!).getByText("Critical finding")).toBeTruthy();
    expect(within(critical!).getByText("Critical").className).toContain("badge-danger");
    expect(within(critical!).getByText("ws-01: volume C: has 4.1 % free")).toBeTruthy();
    expect(within(critical!).getByText("10.2 GiB of 250.0 GiB free on C: (NTFS).")).toBeTruthy();
    expect(within(critical!).getByRole("link", { name: "Open device" }).getAttribute("href")).toBe(`/devices/${device.id}`);
    expect(critical!.querySelector("time")?.getAttribute("datetime")).toBeTruthy();

    expect(within(regression!).getByText("Regression")).toBeTruthy();
    expect(within(regression!).getByText("Warning").className).toContain("badge-warn");
    expect(within(regression!).getByRole("link", { name: "Open organisation" }).getAttribute("href")).toBe(
      `/organisations/${org.id}`,
    );

    // Read: no emphasis, no button; the tenant links to the overview.
    expect(test!.className).not.toContain("notification-unread");
    expect(within(test!).queryByRole("button", { name: "Mark read" })).toBeNull();
    expect(within(test!).getByRole("link", { name: "Open overview" }).getAttribute("href")).toBe("/");
    expect(screen.getByText("2 unread")).toBeTruthy();
  });

  it("marks one notification read and the bell follows", async () => {
    const { backend, critical } = seed();
    renderApp("/notifications", { backend });
    await bell("Notifications: 2 unread");
    await screen.findByRole("list", { name: "Notifications" });

    fireEvent.click(within(items()[0]!).getByRole("button", { name: "Mark read" }));

    expect(await bell("Notifications: 1 unread")).toBeTruthy();
    expect(backend.callsOf("MarkNotificationsRead")).toHaveLength(1);
    expect(backend.callsOf("MarkNotificationsRead")[0]?.request).toMatchObject({ ids: [critical.id], all: false });
    await waitFor(() => expect(items()[0]!.className).not.toContain("notification-unread"));
    expect(within(items()[0]!).queryByRole("button", { name: "Mark read" })).toBeNull();
    expect(screen.getByText("1 unread")).toBeTruthy();
  });

  it("marks all read", async () => {
    const { backend } = seed();
    renderApp("/notifications", { backend });
    await bell("Notifications: 2 unread");
    const button = await screen.findByRole("button", { name: "Mark all read" });
    await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(false));

    fireEvent.click(button);

    expect(await bell("Notifications")).toBeTruthy();
    expect(backend.callsOf("MarkNotificationsRead")[0]?.request).toMatchObject({ all: true, ids: [] });
    expect(await screen.findByText("All read")).toBeTruthy();
    await waitFor(() => expect(screen.queryAllByRole("button", { name: "Mark read" })).toHaveLength(0));
  });

  it("renders titles and bodies from endpoint data as plain text", async () => {
    const backend = new FakeBackend();
    backend.addNotification({
      title: '<img src=x onerror="alert(1)">',
      body: "<b>bold</b> <a href=\"https://evil.example\">click</a>",
    });
    renderApp("/notifications", { backend });

    const list = await screen.findByRole("list", { name: "Notifications" });
    expect(within(list).getByText('<img src=x onerror="alert(1)">')).toBeTruthy();
    expect(within(list).getByText('<b>bold</b> <a href="https://evil.example">click</a>')).toBeTruthy();
    expect(list.querySelector("img")).toBeNull();
    expect(list.querySelector("b")).toBeNull();
    expect(within(list).queryByRole("link", { name: "click" })).toBeNull();
  });

  it("pages with Load more and filters unread only", async () => {
    const backend = new FakeBackend();
    for (let i = 1; i <= 55; i++) backend.addNotification({ title: `Alert ${i}`, read: i <= 50 });
    renderApp("/notifications", { backend });

    await screen.findByRole("list", { name: "Notifications" });
    expect(items()).toHaveLength(50);
    expect(within(items()[0]!).getByText("Alert 55")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(items()).toHaveLength(55));
    expect(listCalls(backend).at(-1)?.request).toMatchObject({ unreadOnly: false, pageToken: "50" });
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();

    fireEvent.click(screen.getByLabelText("Unread only"));
    await waitFor(() => expect(items()).toHaveLength(5));
    expect(listCalls(backend).at(-1)?.request).toMatchObject({ unreadOnly: true, pageToken: "" });
    expect(within(items()[4]!).getByText("Alert 51")).toBeTruthy();
  });
});
