import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

const firefox = { name: "Mozilla Firefox", version: "125.0", publisher: "Mozilla" };
const oldFirefox = { name: "Mozilla Firefox", version: "115.9esr", publisher: "Mozilla" };
const zip = { name: "7-Zip", version: "23.01", publisher: "Igor Pavlov" };

function seed() {
  const backend = new FakeBackend();
  const contoso = backend.addOrganisation("Contoso");
  const fabrikam = backend.addOrganisation("Fabrikam");
  const install = (hostname: string, organisationId: string, software: (typeof firefox)[]) => {
    const d = backend.addDevice(hostname, { organisationId });
    backend.setInventory(d.id, { software });
  };
  install("c-01", contoso.id, [firefox, zip]);
  install("c-02", contoso.id, [firefox]);
  install("c-03", contoso.id, [oldFirefox]);
  install("f-01", fabrikam.id, [firefox, zip]);
  return { backend, contoso, fabrikam };
}

/** rows reads the table as "name version publisher count" lines. */
function rows() {
  const table = screen.getByRole("table");
  return within(table)
    .getAllByRole("row")
    .slice(1)
    .map((r) =>
      within(r)
        .getAllByRole("cell")
        .map((c) => c.textContent)
        .join(" | "),
    );
}

describe("software page", () => {
  it("lists software by name and version with device counts across the tenant", async () => {
    const { backend } = seed();
    renderApp("/software", { backend });

    await screen.findByRole("table");
    expect(rows()).toEqual([
      "7-Zip | 23.01 | Igor Pavlov | 2 →",
      "Mozilla Firefox | 115.9esr | Mozilla | 1 →",
      "Mozilla Firefox | 125.0 | Mozilla | 3 →",
    ]);
    expect(backend.callsOf("ListSoftware").at(-1)?.request).toMatchObject({ organisationId: "", query: "" });
  });

  it("narrows to one organisation from the link on its page, and searches", async () => {
    const { backend, contoso } = seed();
    const { router } = renderApp(`/organisations/${contoso.id}`, { backend });

    fireEvent.click(await screen.findByRole("link", { name: "Software inventory" }));
    await screen.findByRole("table");
    expect(router.state.location.search).toBe(`?organisationId=${contoso.id}`);
    expect((screen.getByLabelText("Organisation") as HTMLSelectElement).value).toBe(contoso.id);
    expect(rows()).toContain("Mozilla Firefox | 125.0 | Mozilla | 2 →");
    expect(rows()).toContain("7-Zip | 23.01 | Igor Pavlov | 1 →");

    fireEvent.change(screen.getByLabelText("Search software"), { target: { value: "firefox" } });
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(backend.callsOf("ListSoftware").at(-1)?.request).toMatchObject({
      organisationId: contoso.id,
      query: "firefox",
    });

    fireEvent.change(screen.getByLabelText("Organisation"), { target: { value: "" } });
    await waitFor(() => expect(rows()).toContain("Mozilla Firefox | 125.0 | Mozilla | 3 →"));
    expect(router.state.location.search).toBe("");
  });

  it("says so when no agent has reported software", async () => {
    renderApp("/software");
    expect(await screen.findByText(/No software reported yet/)).toBeTruthy();
  });

  it("opens the devices that run one version from its row", async () => {
    const { backend } = seed();
    const { router } = renderApp("/software", { backend });

    fireEvent.click(await screen.findByRole("link", { name: "1 device running Mozilla Firefox 115.9esr" }));
    const results = await screen.findByRole("region", { name: "Results" });
    expect(await within(results).findByRole("link", { name: "c-03" })).toBeTruthy();
    expect(within(results).queryByRole("link", { name: "c-01" })).toBeNull();
    expect(router.state.location.search).toBe("?software=Mozilla+Firefox&version=115.9esr&sort=score");
    expect(backend.callsOf("ListDevices").at(-1)?.request).toMatchObject({
      software: { name: "Mozilla Firefox", version: "115.9esr" },
    });
    expect(screen.getByRole("list", { name: "Active filters" }).textContent).toContain("Runs Mozilla Firefox 115.9esr");
  });
});
