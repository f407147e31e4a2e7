import { create } from "@bufbuild/protobuf";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { TenantBrandingSchema } from "../../gen/wegweiser/v1/auth_pb";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";
import { accentPalette, checkLogo, contrast, logoSrc } from "./brand";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

function pngFile(bytes = PNG, name = "logo.png", type = "image/png") {
  return new File([bytes], name, { type });
}

describe("branding helpers", () => {
  it("keeps an accent colour readable on white and under white text", () => {
    for (const c of ["#ffff00", "#a0e0ff", "#ffffff", "#1a7f5a", "#000000"]) {
      const accent = accentPalette(c)?.["--accent"];
      expect(accent).toMatch(/^#[0-9a-f]{6}$/);
      expect(contrast(accent!, "#ffffff")).toBeGreaterThanOrEqual(4.5);
    }
    expect(accentPalette("#1a7f5a")?.["--accent"]).toBe("#1a7f5a");
    expect(accentPalette("red")).toBeUndefined();
    expect(accentPalette("#000000;background:url(x)")).toBeUndefined();
  });

  it("checks a logo's type and size before upload and never shows an SVG", () => {
    expect(checkLogo({ type: "image/svg+xml", size: 100 })).toMatch(/PNG, JPEG or WebP/);
    expect(checkLogo({ type: "image/png", size: 300 * 1024 })).toMatch(/256 KiB/);
    expect(checkLogo({ type: "image/webp", size: 1000 })).toBeNull();
    expect(logoSrc(create(TenantBrandingSchema, { logo: PNG, logoMediaType: "image/svg+xml" }))).toBeUndefined();
    expect(logoSrc(create(TenantBrandingSchema, { logo: PNG, logoMediaType: "image/png" }))).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
  });
});

describe("settings: branding", () => {
  it("lets an owner set the name, logo and colour, which the sidebar and the document root then show", async () => {
    const backend = new FakeBackend();
    renderApp("/settings/branding", { backend });
    const form = await screen.findByRole("form", { name: "Branding" });
    fireEvent.change(within(form).getByLabelText("Display name"), { target: { value: "Brand IT" } });
    fireEvent.change(within(form).getByLabelText("Accent colour"), { target: { value: "#ffee00" } });
    fireEvent.change(within(form).getByLabelText("Logo"), { target: { files: [pngFile()] } });
    const preview = within(form).getByRole("group", { name: "Preview" });
    await waitFor(() => expect(within(preview).getByRole("presentation")).toBeTruthy());
    fireEvent.click(within(form).getByRole("button", { name: "Save branding" }));
    await within(form).findByText("Branding saved.");
    expect(backend.callsOf("UpdateBranding")[0]?.request).toMatchObject({
      branding: { displayName: "Brand IT", accentColor: "#ffee00" },
      keepLogo: false,
    });
    expect(backend.tenant.branding?.logo).toEqual(PNG);
    const sidebar = document.querySelector(".sidebar") as HTMLElement;
    await within(sidebar).findByText("Brand IT");
    expect(within(sidebar).getByAltText("Brand IT logo").getAttribute("src")).toMatch(/^data:image\/png;base64,/);
    // A light yellow is darkened so white button text stays readable.
    await waitFor(() => expect(document.documentElement.style.getPropertyValue("--brand-color")).toBe("#ffee00"));
    const accent = document.documentElement.style.getPropertyValue("--accent");
    expect(contrast(accent, "#ffffff")).toBeGreaterThanOrEqual(4.5);

    // Saving again keeps the logo without sending it; Remove logo removes it.
    fireEvent.click(within(form).getByRole("button", { name: "Save branding" }));
    await waitFor(() => expect(backend.callsOf("UpdateBranding")).toHaveLength(2));
    expect(backend.callsOf("UpdateBranding")[1]?.request).toMatchObject({ keepLogo: true });
    fireEvent.click(within(form).getByRole("button", { name: "Remove logo" }));
    fireEvent.click(within(form).getByRole("button", { name: "Save branding" }));
    await waitFor(() => expect(backend.callsOf("UpdateBranding")).toHaveLength(3));
    expect(backend.callsOf("UpdateBranding")[2]?.request).toMatchObject({ keepLogo: false });
    await waitFor(() => expect(backend.tenant.branding?.logo.length).toBe(0));
  });

  it("refuses an SVG or a big file before upload and shows the server's refusal beside the logo", async () => {
    const backend = new FakeBackend();
    renderApp("/settings/branding", { backend });
    const form = await screen.findByRole("form", { name: "Branding" });
    const input = within(form).getByLabelText("Logo");
    fireEvent.change(input, { target: { files: [pngFile(new Uint8Array([60, 115, 118, 103]), "x.svg", "image/svg+xml")] } });
    expect((await within(form).findByRole("alert")).textContent).toMatch(/PNG, JPEG or WebP/);
    fireEvent.change(input, { target: { files: [pngFile(new Uint8Array(300 * 1024))] } });
    expect((await within(form).findByRole("alert")).textContent).toMatch(/256 KiB/);
    fireEvent.click(within(form).getByRole("button", { name: "Save branding" }));
    expect(backend.callsOf("UpdateBranding")).toHaveLength(0);

    // A file that claims to be a PNG but is not: the server says so, by field.
    fireEvent.change(input, { target: { files: [pngFile(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))] } });
    await waitFor(() => expect(within(form).queryByRole("alert")).toBeNull());
    const preview = within(form).getByRole("group", { name: "Preview" });
    await waitFor(() => expect(within(preview).getByRole("presentation")).toBeTruthy());
    fireEvent.click(within(form).getByRole("button", { name: "Save branding" }));
    expect((await within(form).findByRole("alert")).textContent).toMatch(/Must be a PNG, JPEG or WebP image/);
    expect(backend.tenant.branding).toBeUndefined();
  });

  it("is read-only for admins", async () => {
    const backend = new FakeBackend({ role: Role.ADMIN });
    renderApp("/settings/branding", { backend });
    const form = await screen.findByRole("form", { name: "Branding" });
    expect(within(form).queryByRole("button", { name: "Save branding" })).toBeNull();
    expect(within(form).getByText("Only owners can change the branding.")).toBeTruthy();
  });
});

describe("customer portal", () => {
  it("shows a customer the MSP's name and logo, and no fleet-wide pages", async () => {
    const backend = new FakeBackend({ role: Role.CUSTOMER, organisationIds: ["o1"] });
    backend.tenant.branding = create(TenantBrandingSchema, {
      displayName: "Brand IT", logo: PNG, logoMediaType: "image/png", accentColor: "#1a7f5a",
    });
    renderApp("/", { backend });
    const sidebar = (await screen.findByRole("navigation", { name: "Main" })).closest(".sidebar") as HTMLElement;
    expect(within(sidebar).getByText("Customer portal")).toBeTruthy();
    expect(within(sidebar).getByAltText("Brand IT logo")).toBeTruthy();
    const nav = within(sidebar).getByRole("navigation", { name: "Main" });
    for (const hidden of ["Software", "Checks", "Policy", "Enrolment", "Users", "Settings", "Branding", "Import / export", "Webhooks"]) {
      expect(within(nav).queryByRole("link", { name: hidden })).toBeNull();
    }
    for (const shown of ["Overview", "Organisations", "Devices"]) {
      expect(within(nav).getByRole("link", { name: shown })).toBeTruthy();
    }
    expect(await screen.findByText(/Customer portal: a read-only view/)).toBeTruthy();
    expect(screen.queryByText("Get started")).toBeNull();
    expect(document.documentElement.style.getPropertyValue("--accent")).toBe("#1a7f5a");
  });
});
