import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

describe("settings: data retention", () => {
  it("shows the retention with its bounds and lets an owner change it", async () => {
    const backend = new FakeBackend();
    renderApp("/settings", { backend });
    const form = await screen.findByRole("form", { name: "Data retention" });
    const history = within(form).getByLabelText("Score history (days)") as HTMLInputElement;
    expect(history.value).toBe("400");
    expect(history.min).toBe("90");
    expect(within(form).getByText(/Between 90 and 1825 days; default 400/)).toBeTruthy();

    fireEvent.change(history, { target: { value: "730" } });
    fireEvent.click(within(form).getByRole("button", { name: "Save retention" }));
    await within(form).findByText("Retention saved.");
    expect(backend.callsOf("UpdateRetention")[0]?.request).toMatchObject({
      retention: { historyDays: 730, snapshotDays: 90, auditDays: 365 },
    });
    expect(backend.retention.historyDays).toBe(730);
  });

  it("shows the server's refusal and keeps the old value", async () => {
    const backend = new FakeBackend();
    renderApp("/settings", { backend });
    const form = await screen.findByRole("form", { name: "Data retention" });
    fireEvent.change(within(form).getByLabelText("Audit events (days)"), { target: { value: "5" } });
    fireEvent.submit(form);
    expect((await within(form).findByRole("alert")).textContent).toMatch(/between 90 and 2555/);
    expect(backend.retention.auditDays).toBe(365);
  });

  it("is read-only for admins, who are not owners", async () => {
    const backend = new FakeBackend({ role: Role.ADMIN });
    renderApp("/settings", { backend });
    const form = await screen.findByRole("form", { name: "Data retention" });
    await waitFor(() => expect((within(form).getByLabelText("Notifications (days)") as HTMLInputElement).readOnly).toBe(true));
    expect(within(form).queryByRole("button", { name: "Save retention" })).toBeNull();
    expect(within(form).getByText("Only owners can change retention.")).toBeTruthy();
  });
});
