import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { FakeBackend, sickWorkstation } from "../../test/fake-backend";
import { renderApp } from "../../test/render";
import { polling } from "./hooks";
import { AUTOPLAY_KEY } from "./tours";

describe("getting-started checklist", () => {
  const before = polling.waitingMs;
  beforeEach(() => {
    polling.waitingMs = 50;
  });
  afterEach(() => {
    polling.waitingMs = before;
  });

  it("waits for the first device and then shows its score", async () => {
    const backend = new FakeBackend();
    const org = backend.addOrganisation("Contoso");
    backend.addEnrolmentKey(org.id);
    renderApp("/", { backend });

    const card = await screen.findByRole("region", { name: "Get started" });
    expect(within(card).getByText("2 of 6 steps done")).toBeTruthy();
    expect(within(card).getByText("Waiting for your first device…")).toBeTruthy();
    expect(within(card).getByRole("link", { name: "Enrolment page" }).getAttribute("href")).toBe("/enrolment");
    expect(within(card).getByRole("progressbar").getAttribute("aria-valuenow")).toBe("2");

    // The agent reports and is scored: the card asks again by itself.
    const d = backend.addDevice("laptop-7", { organisationId: org.id });
    backend.setDeviceHealth(d.id, sickWorkstation());
    const link = await within(card).findByRole("link", { name: "laptop-7" });
    expect(link.getAttribute("href")).toBe(`/devices/${d.id}`);
    expect(within(card).queryByText("Waiting for your first device…")).toBeNull();
    expect(within(card).getByText("3 of 6 steps done")).toBeTruthy();
  });

  it("is dismissed by an owner for the tenant and can be brought back", async () => {
    const backend = new FakeBackend();
    renderApp("/", { backend });
    const card = await screen.findByRole("region", { name: "Get started" });
    fireEvent.click(within(card).getByRole("button", { name: "Dismiss" }));
    await waitFor(() => expect(screen.queryByRole("region", { name: "Get started" })).toBeNull());
    expect(backend.onboarding.dismissed).toBe(true);

    fireEvent.click(await screen.findByRole("button", { name: "Show getting started" }));
    expect(await screen.findByRole("region", { name: "Get started" })).toBeTruthy();
    await waitFor(() => expect(backend.onboarding.dismissed).toBe(false));
  });

  it("offers no dismissal to a technician", async () => {
    renderApp("/", { backend: new FakeBackend({ role: Role.TECHNICIAN }) });
    const card = await screen.findByRole("region", { name: "Get started" });
    expect(within(card).queryByRole("button", { name: "Dismiss" })).toBeNull();
  });
});

describe("guided tours", () => {
  beforeEach(() => localStorage.removeItem(AUTOPLAY_KEY));

  it("plays once by itself, steps back and forth and closes on Escape", async () => {
    const backend = new FakeBackend();
    renderApp("/devices", { backend });

    const dialog = await screen.findByRole("dialog", { name: "Narrow the list" });
    await waitFor(() => expect(document.activeElement).toBe(dialog));
    expect(within(dialog).getByText("Step 1 of 3")).toBeTruthy();
    fireEvent.click(within(dialog).getByRole("button", { name: "Next" }));
    const second = await screen.findByRole("dialog", { name: "Every device with its score" });
    fireEvent.click(within(second).getByRole("button", { name: "Back" }));
    const first = await screen.findByRole("dialog", { name: "Narrow the list" });

    fireEvent.keyDown(first, { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    await waitFor(() => expect(backend.onboarding.seenTours).toEqual(["devices"]));

    // Replayed from the page's button.
    fireEvent.click(screen.getByRole("button", { name: "Take the tour" }));
    const again = await screen.findByRole("dialog", { name: "Narrow the list" });
    fireEvent.click(within(again).getByRole("button", { name: "Skip tour" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  it("does not play again for a user who has seen it", async () => {
    const backend = new FakeBackend();
    backend.onboarding.seenTours = ["devices"];
    renderApp("/devices", { backend });
    expect(await screen.findByRole("button", { name: "Take the tour" })).toBeTruthy();
    await waitFor(() => expect(backend.calls.some((c) => c.method === "ListSeenTours")).toBe(true));
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("does not play by itself when autoplay is off", async () => {
    localStorage.setItem(AUTOPLAY_KEY, "off");
    const backend = new FakeBackend();
    renderApp("/devices", { backend });
    expect(await screen.findByRole("button", { name: "Take the tour" })).toBeTruthy();
    await waitFor(() => expect(backend.calls.some((c) => c.method === "ListSeenTours")).toBe(true));
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});
