import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { DiscoveryReportSchema, Effort } from "../../gen/wegweiser/v1/ai_pb";
import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { Band, EntityKind } from "../../gen/wegweiser/v1/health_pb";
import { FakeBackend, sickWorkstation } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

describe("discovery report", { timeout: 30_000 }, () => {
  it("is linked from the organisation page and lists the top risks with device links", async () => {
    const backend = new FakeBackend();
    const org = backend.addOrganisation("Contoso");
    const d = backend.addDevice("PC-07");
    backend.setDeviceHealth(d.id, sickWorkstation());
    backend.ai.setNarrative({ kind: EntityKind.ORGANISATION, id: org.id }, { text: "Contoso needs disk work.", model: "builtin" });
    const view = renderApp(`/organisations/${org.id}`, { backend });
    fireEvent.click(await screen.findByRole("link", { name: "Discovery report" }));
    await screen.findByRole("heading", { level: 1, name: "Discovery report: Contoso" });
    expect(view.router.state.location.pathname).toBe(`/organisations/${org.id}/discovery`);

    const table = await screen.findByRole("table", { name: "Top risks" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.length).toBeGreaterThan(0);
    expect(within(rows[0]!).getByRole("link", { name: "PC-07" }).getAttribute("href")).toBe(`/devices/${d.id}?tab=health`);
    expect(screen.getByRole("region", { name: "Narrative" }).textContent).toMatch(/Contoso needs disk work/);
    expect(screen.getByRole("region", { name: "Health summary" })).toBeTruthy();
  });

  it("shows severity, counts, effort, recommendation and evidence, and prints", async () => {
    const backend = new FakeBackend();
    const org = backend.addOrganisation("Fabrikam");
    backend.ai.reports.set(
      org.id,
      create(DiscoveryReportSchema, {
        organisationId: org.id,
        organisationName: "Fabrikam",
        generateTime: timestampNow(),
        unscoredDevices: 2,
        risks: [
          {
            checkId: "storage.smart",
            title: "Disk health (SMART)",
            domain: "storage",
            severity: "critical",
            failDevices: 3,
            warnDevices: 1,
            impact: 90,
            effort: Effort.PROJECT,
            recommendation: "Replace the failing disks.",
            evidence: ["PC-01: SMART predicts failure", "<img src=x onerror=alert(1)>"],
            devices: [{ deviceId: "dev-1", hostname: "PC-01", score: 12, band: Band.CRITICAL }],
          },
        ],
      }),
    );
    // happy-dom has no window.print.
    const print = vi.fn();
    Object.defineProperty(window, "print", { value: print, configurable: true, writable: true });
    renderApp(`/organisations/${org.id}/discovery`, { backend });
    const table = await screen.findByRole("table", { name: "Top risks" });
    const row = within(table).getAllByRole("row")[1]!;
    expect(row.textContent).toMatch(/Disk health \(SMART\)/);
    expect(within(row).getByText("critical")).toBeTruthy();
    expect(within(row).getByText("3")).toBeTruthy();
    expect(within(row).getByText("Project")).toBeTruthy();
    expect(within(row).getByText("Replace the failing disks.")).toBeTruthy();
    expect(within(row).getByText("<img src=x onerror=alert(1)>")).toBeTruthy();
    expect(row.querySelector("img")).toBeNull();
    expect(within(row).getByRole("link", { name: "Disk health (SMART)" }).getAttribute("href")).toBe("/checks#check-storage.smart");
    expect(screen.getByText(/2 devices have no score yet/)).toBeTruthy();
    expect(screen.getByRole("region", { name: "Narrative" }).textContent).toMatch(/A narrative is being written/);

    fireEvent.click(screen.getByRole("button", { name: "Print" }));
    expect(print).toHaveBeenCalledOnce();
  });
});
