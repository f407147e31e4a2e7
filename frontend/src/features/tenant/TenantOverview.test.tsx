import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

describe("overview", () => {
  it("shows the tenant's counts as links", async () => {
    const backend = new FakeBackend();
    const org = backend.addOrganisation("Contoso");
    backend.addGroup(org.id, "HQ");
    backend.addDevice("a", { organisationId: org.id });
    backend.addDevice("b", { organisationId: org.id });
    backend.addDevice("c", { organisationId: org.id });
    renderApp("/", { backend });

    expect(await screen.findByRole("heading", { name: "Acme IT Services" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Organisations: 1" }).getAttribute("href")).toBe("/organisations");
    expect(screen.getByRole("link", { name: "Groups: 1" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Devices: 3" }).getAttribute("href")).toBe("/devices");
    // The checklist stays after the first organisation, with that step ticked.
    expect(await screen.findByText("1 of 6 steps done")).toBeTruthy();
  });

  it("invites an empty tenant to add its first organisation", async () => {
    renderApp("/");
    expect(await screen.findByText("0 of 6 steps done")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Create your first organisation" }).getAttribute("href")).toBe("/organisations");
  });
});
