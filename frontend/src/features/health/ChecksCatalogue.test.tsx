import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

describe("checks catalogue", () => {
  it("is in the navigation and lists checks by domain with thresholds, unit, severity and source", async () => {
    renderApp("/checks");
    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("link", { name: "Checks" }).getAttribute("href")).toBe("/checks");

    const storage = await screen.findByRole("table", { name: "Storage checks" });
    const row = within(storage).getByText("storage.volume_free_space").closest("tr")!;
    const cells = within(row).getAllByRole("cell").map((c) => c.textContent);
    expect(cells).toEqual([
      "Volume free spacestorage.volume_free_space",
      "high",
      "< 20",
      "< 10",
      "% free",
      "Zabbix/PRTG default free-space triggers (20 % / 10 %); Wegweiser default 5 % critical",
    ]);
    // Domains in the analyzer's order.
    const tables = screen.getAllByRole("table").map((t) => t.getAttribute("aria-label"));
    expect(tables.slice(0, 3)).toEqual(["Hardware checks", "Storage checks", "Performance checks"]);
    expect(tables).toHaveLength(9);
  });

  it("heads each domain with its weight and factor and states the penalties, ceilings and rules, all as the server serves them", async () => {
    const backend = new FakeBackend();
    renderApp("/checks", { backend });
    expect(await screen.findByRole("heading", { name: "Storage · weight 20 % · factor 115 %" })).toBeTruthy();
    const rules = screen.getByText(/A failure costs 2 \(low\), 6 \(medium\), 17 \(high\) or 55 \(critical\) points/).textContent;
    expect(rules).toContain("A device with a high finding scores at most 89, with a critical one at most 49.");
    expect(rules).toContain(backend.scoringModel.rollupRule);
    expect(rules).toContain(backend.scoringModel.needsAttentionRule);
  });

  it("shows whatever weights the server serves: the SPA keeps no copy", async () => {
    const backend = new FakeBackend();
    backend.scoringModel.domains.find((d) => d.domain === "storage")!.weight = 25;
    backend.scoringModel.deviceCapCritical = 35;
    renderApp("/checks", { backend });
    expect(await screen.findByRole("heading", { name: "Storage · weight 25 % · factor 115 %" })).toBeTruthy();
    expect(screen.getByText(/with a critical one at most 35/)).toBeTruthy();
  });

  it("filters by domain and search text", async () => {
    renderApp("/checks");
    await screen.findByRole("table", { name: "Security checks" });

    fireEvent.change(screen.getByLabelText("Domain"), { target: { value: "security" } });
    expect(screen.getAllByRole("table")).toHaveLength(1);
    fireEvent.change(screen.getByLabelText("Search checks"), { target: { value: "antivirus" } });
    const table = screen.getByRole("table", { name: "Security checks" });
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(2));
  });

  it("highlights the check a finding links to", async () => {
    renderApp("/checks#check-security.firewall");
    const table = await screen.findByRole("table", { name: "Security checks" });
    expect(within(table).getByText("security.firewall").closest("tr")!.className).toBe("row-target");
  });

  it("is not in the navigation without device.read", async () => {
    renderApp("/", { backend: new FakeBackend({ permissions: ["organisation.read"] }) });
    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(within(nav).queryByRole("link", { name: "Checks" })).toBeNull();
  });
});
