import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { ReportFormat } from "../../gen/wegweiser/v1/report_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";
import { splitRecipients } from "./ReportPage";

/** preview returns the report frame once it has the page. */
async function preview() {
  const frame = (await screen.findByTitle("Report preview")) as HTMLIFrameElement;
  return frame;
}

describe("health report", { timeout: 30_000 }, () => {
  it("is reached from the organisation page and previews the server's page in a sandbox", async () => {
    const backend = new FakeBackend();
    const org = backend.addOrganisation(`<script>alert(1)</script> Contoso`);
    const view = renderApp(`/organisations/${org.id}`, { backend });
    fireEvent.click(await screen.findByRole("link", { name: "Report" }));
    await waitFor(() => expect(view.router.state.location.pathname).toBe(`/organisations/${org.id}/report`));
    const frame = await preview();
    expect(frame.getAttribute("sandbox")).toBe("allow-same-origin allow-modals");
    expect(frame.getAttribute("srcdoc")).toContain("&lt;script&gt;alert(1)&lt;/script&gt; Contoso");
    expect(frame.getAttribute("srcdoc")).toContain("Last 30 days");

    // The period changes the report.
    fireEvent.change(screen.getByLabelText("Period"), { target: { value: "90" } });
    await waitFor(() => expect((screen.getByTitle("Report preview") as HTMLIFrameElement).getAttribute("srcdoc")).toContain("Last 90 days"));
    const renders = backend.calls.filter((c) => c.method === "RenderReport");
    expect(renders.at(-1)?.request).toMatchObject({ organisationId: org.id, periodDays: 90, format: ReportFormat.HTML });
  });

  it("downloads the PDF, and says how to print when the server cannot", async () => {
    const backend = new FakeBackend();
    const org = backend.addOrganisation("Fabrikam");
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => {
      created.push(b);
      return "blob:report";
    }) as typeof URL.createObjectURL;
    URL.revokeObjectURL = vi.fn();
    renderApp(`/organisations/${org.id}/report`, { backend });
    await preview();
    fireEvent.click(screen.getByRole("button", { name: "Download PDF" }));
    await waitFor(() => expect(created).toHaveLength(1));
    expect(created[0]!.type).toBe("application/pdf");

    backend.reports.canPrint = false;
    fireEvent.click(screen.getByRole("button", { name: "Download PDF" }));
    expect(await screen.findByText(/PDF is not available on this server/)).toBeTruthy();
    expect(created).toHaveLength(1);
    expect(screen.getByRole("button", { name: "Print" })).toBeTruthy();
  });

  it("sends now and manages monthly schedules for owners", async () => {
    const backend = new FakeBackend();
    const org = backend.addOrganisation("Northwind");
    backend.reports.addSchedule({ organisationId: org.id, recipients: ["old@example.com"], dayOfMonth: 3, lastError: "mailbox full" });
    renderApp(`/organisations/${org.id}/report`, { backend });
    await preview();

    const send = screen.getByRole("form", { name: "Send now" });
    fireEvent.change(within(send).getByLabelText(/Recipients/), { target: { value: "a@example.com, not-an-address" } });
    fireEvent.click(within(send).getByRole("button", { name: "Send report" }));
    expect(await within(send).findByText(/is not a valid email address/)).toBeTruthy();
    fireEvent.change(within(send).getByLabelText(/Recipients/), { target: { value: "a@example.com\nb@example.com" } });
    fireEvent.click(within(send).getByRole("button", { name: "Send report" }));
    expect(await within(send).findByText("The report was sent.")).toBeTruthy();
    expect(backend.reports.sent).toEqual([{ organisationId: org.id, recipients: ["a@example.com", "b@example.com"], format: ReportFormat.UNSPECIFIED, periodDays: 30 }]);

    const table = await screen.findByRole("table", { name: "Monthly reports" });
    expect(within(table).getByText("old@example.com")).toBeTruthy();
    expect(within(table).getByText("mailbox full")).toBeTruthy();
    const form = screen.getByRole("form", { name: "New monthly report" });
    fireEvent.change(within(form).getByLabelText(/Recipients/), { target: { value: "boss@example.com" } });
    fireEvent.change(within(form).getByLabelText("Day of the month"), { target: { value: "15" } });
    fireEvent.change(within(form).getByLabelText("Format"), { target: { value: String(ReportFormat.HTML) } });
    fireEvent.click(within(form).getByRole("button", { name: "Add monthly report" }));
    await waitFor(() => expect(within(screen.getByRole("table", { name: "Monthly reports" })).getByText("boss@example.com")).toBeTruthy());
    expect(backend.reports.schedules.at(-1)).toMatchObject({ dayOfMonth: 15, format: ReportFormat.HTML, recipients: ["boss@example.com"] });

    const row = within(screen.getByRole("table", { name: "Monthly reports" })).getByText("old@example.com").closest("tr")!;
    fireEvent.click(within(row).getByRole("button", { name: /Delete/ }));
    fireEvent.click(within(row).getByRole("button", { name: "Delete schedule" }));
    await waitFor(() => expect(screen.queryByText("old@example.com")).toBeNull());
    expect(backend.reports.schedules.map((s) => s.recipients[0])).toEqual(["boss@example.com"]);
  });

  it("offers a customer the preview and downloads only", async () => {
    const backend = new FakeBackend({ role: Role.CUSTOMER });
    const org = backend.addOrganisation("Their org");
    backend.me.organisationIds = [org.id];
    renderApp(`/organisations/${org.id}/report`, { backend });
    await preview();
    expect(screen.getByRole("button", { name: "Download PDF" })).toBeTruthy();
    expect(screen.queryByRole("form", { name: "Send now" })).toBeNull();
    expect(screen.queryByRole("heading", { name: "Monthly reports" })).toBeNull();
    expect(backend.calls.some((c) => c.method === "ListReportSchedules")).toBe(false);
  });

  it("splits typed recipient lists", () => {
    expect(splitRecipients(" a@example.com,b@example.com;\n c@example.com  ")).toEqual(["a@example.com", "b@example.com", "c@example.com"]);
    expect(splitRecipients("  ")).toEqual([]);
  });
});
