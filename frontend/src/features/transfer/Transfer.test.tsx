import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

function upload(text: string | Uint8Array, name = "customers.csv") {
  const input = screen.getByLabelText("CSV file");
  fireEvent.change(input, { target: { files: [new File([text as BlobPart], name, { type: "text/csv" })] } });
}

let downloads: { name: string; text: string }[] = [];

beforeEach(() => {
  downloads = [];
  // jsdom has no object URLs: record what would be downloaded.
  let blob: Blob | undefined;
  vi.stubGlobal("URL", Object.assign(URL, {
    createObjectURL: (b: Blob) => {
      blob = b;
      return "blob:fake";
    },
    revokeObjectURL: () => undefined,
  }));
  vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
    const name = this.download;
    void blob?.text().then((text) => downloads.push({ name, text }));
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("import and export page", () => {
  it("is in the navigation, previews a file with row errors highlighted and refuses to import it", async () => {
    const backend = new FakeBackend();
    backend.addOrganisation("Contoso");
    renderApp("/", { backend });
    fireEvent.click(await screen.findByRole("link", { name: "Import / export" }));
    await screen.findByRole("heading", { name: "Import and export" });

    upload("description,name\nNew customer,Fabrikam\nOur oldest customer,Contoso\nagain,fabrikam\nempty,\n");
    const summary = await screen.findByLabelText("Preview summary");
    expect(summary.textContent).toContain("4 rows — 1 to create, 1 to update, 0 unchanged, 2 with errors");
    const table = screen.getByRole("table", { name: "Rows of customers.csv" });
    const rows = within(table).getAllByRole("row").slice(1);
    // Rows with errors come first and are marked.
    expect(rows.map((r) => r.className)).toEqual(["row-error", "row-error", "", ""]);
    // Columns in the template's order.
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual([
      "Line",
      "name",
      "description",
      "Action",
      "Problems",
    ]);
    expect(rows[0]!.textContent).toContain("duplicate of line 2");
    expect(rows[1]!.textContent).toContain("name: must not be empty");
    expect(screen.getByRole("button", { name: "Import 4 organisations" })).toHaveProperty("disabled", true);
    expect(screen.getByText(/Fix the 2 rows marked below/)).toBeTruthy();
    expect(backend.callsOf("CommitImport")).toHaveLength(0);
  });

  it("imports a clean file and says what it did", async () => {
    const backend = new FakeBackend();
    const contoso = backend.addOrganisation("Contoso");
    renderApp("/transfer", { backend });
    fireEvent.change(await screen.findByLabelText("What to import"), { target: { value: "2" } });
    upload("\ufefforganisation,name,description\nContoso,Laptops,\n" + contoso.id + ",Servers,\"Rack, basement\"\n");
    const button = await screen.findByRole("button", { name: "Import 2 groups" });
    await waitFor(() => expect(button).toHaveProperty("disabled", false));
    fireEvent.click(button);
    expect(await screen.findByText("Imported groups: 2 created, 0 updated, 0 unchanged.")).toBeTruthy();
    expect(backend.groups.map((g) => g.name)).toEqual(["Laptops", "Servers"]);
  });

  it("explains wrong delimiters and encodings and refuses files over 10 MB before uploading them", async () => {
    const backend = new FakeBackend();
    renderApp("/transfer", { backend });
    await screen.findByLabelText("CSV file");
    upload("name;description\nA;B\n");
    expect((await screen.findByRole("alert")).textContent).toContain("separated by semicolons; use commas");
    upload(new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain('save it as "CSV UTF-8'));
    const calls = backend.callsOf("PreviewImport").length;
    upload(new Uint8Array(10 * 1024 * 1024 + 1), "huge.csv");
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("huge.csv has 10.0 MB; at most 10 MB"));
    expect(backend.callsOf("PreviewImport")).toHaveLength(calls);
  });

  it("downloads the template and exports", async () => {
    const backend = new FakeBackend();
    const contoso = backend.addOrganisation("=Contoso");
    backend.addDevice("LT-01", { organisationId: contoso.id, serialNumber: "SN1", tags: ["a", "b"] });
    renderApp("/transfer", { backend });
    fireEvent.change(await screen.findByLabelText("What to import"), { target: { value: "3" } });
    fireEvent.click(screen.getByRole("button", { name: "Download template" }));
    await waitFor(() => expect(downloads[0]?.name).toBe("wegweiser-devices-template.csv"));
    expect(downloads[0]!.text).toContain("organisation,group,hostname,serial_number,tags\r\n");
    fireEvent.click(screen.getByRole("button", { name: "Export devices" }));
    await waitFor(() => expect(downloads[1]?.name).toBe("wegweiser-devices-2026-12-01.csv"));
    // A formula-looking cell is neutralised.
    expect(downloads[1]!.text).toContain("'=Contoso,,LT-01,SN1,a;b,enrolled");
    expect(await screen.findByText("Downloaded wegweiser-devices-2026-12-01.csv (1 row).")).toBeTruthy();
  });

  it("shows a technician only the export", async () => {
    const backend = new FakeBackend({ role: Role.TECHNICIAN });
    renderApp("/transfer", { backend });
    await screen.findByRole("heading", { name: "Export" });
    expect(screen.queryByRole("heading", { name: "Import" })).toBeNull();
    expect(screen.queryByLabelText("CSV file")).toBeNull();
  });
});
