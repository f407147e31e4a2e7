import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Effort } from "../../gen/wegweiser/v1/ai_pb";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { EntityKind } from "../../gen/wegweiser/v1/health_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

describe("narrative card", { timeout: 30_000 }, () => {
  it("says a narrative is being written when there is none", async () => {
    const backend = new FakeBackend();
    const d = backend.addDevice("PC-07");
    renderApp(`/devices/${d.id}`, { backend });
    const card = await screen.findByRole("region", { name: "In words" });
    expect(await within(card).findByText(/A narrative is being written/)).toBeTruthy();
  });

  it("shows text, next steps with effort, the model, age and a stale marker; refreshes", async () => {
    const backend = new FakeBackend();
    const org = backend.addOrganisation("Contoso");
    backend.ai.setNarrative(
      { kind: EntityKind.ORGANISATION, id: org.id },
      {
        text: "Contoso is **fair**: two laptops run out of disk.\n\n<img src=x onerror=alert(1)>",
        model: "gpt-test",
        stale: true,
        nextSteps: [
          { title: "Free disk space on PC-07", detail: "Clear `C:\\Windows\\Temp`.", effort: Effort.MINUTES },
          { title: "Replace the disk of SRV-01", detail: "SMART fails.", effort: Effort.PROJECT },
        ],
      },
    );
    renderApp(`/organisations/${org.id}`, { backend });
    const card = await screen.findByRole("region", { name: "In words" });
    await within(card).findByText("fair");
    expect(card.querySelector("img")).toBeNull();
    const steps = within(card).getByRole("list", { name: "Next steps" });
    const items = within(steps).getAllByRole("listitem");
    expect(items[0]?.textContent).toMatch(/Free disk space on PC-07.*Minutes/);
    expect(items[1]?.textContent).toMatch(/Replace the disk of SRV-01.*Project/);
    expect(card.textContent).toMatch(/Written by gpt-test/);
    expect(card.textContent).toMatch(/an hour ago|1 hour ago/);
    expect(within(card).getByText("Stale")).toBeTruthy();

    fireEvent.click(within(card).getByRole("button", { name: "Refresh" }));
    await within(card).findByText(/A new narrative is being written/);
    expect(backend.ai.refreshed).toEqual([{ kind: EntityKind.ORGANISATION, id: org.id }]);
  });

  it("labels a narrative written without a model and shows it on group and tenant pages", async () => {
    const backend = new FakeBackend();
    const org = backend.addOrganisation("Contoso");
    const g = backend.addGroup(org.id, "Head office");
    backend.ai.setNarrative({ kind: EntityKind.GROUP, id: g.id }, { text: "All healthy.", model: "builtin" });
    backend.ai.setNarrative({ kind: EntityKind.TENANT, id: "" }, { text: "The fleet is fair.", model: "builtin" });
    const view = renderApp(`/groups/${g.id}`, { backend });
    let card = await screen.findByRole("region", { name: "In words" });
    await within(card).findByText("All healthy.");
    expect(card.textContent).toMatch(/Written by Wegweiser without a model/);
    expect(within(card).queryByText("Stale")).toBeNull();

    await view.router.navigate("/");
    await screen.findByRole("heading", { level: 1, name: "Overview" });
    card = await screen.findByRole("region", { name: "In words" });
    await within(card).findByText("The fleet is fair.");
  });

  it("offers no Refresh to viewers", async () => {
    const backend = new FakeBackend({ role: Role.VIEWER });
    const d = backend.addDevice("PC-07");
    backend.ai.setNarrative({ kind: EntityKind.DEVICE, id: d.id }, { text: "Fine.", model: "builtin" });
    renderApp(`/devices/${d.id}`, { backend });
    const card = await screen.findByRole("region", { name: "In words" });
    await within(card).findByText("Fine.");
    await waitFor(() => expect(within(card).queryByRole("button", { name: "Refresh" })).toBeNull());
  });
});
