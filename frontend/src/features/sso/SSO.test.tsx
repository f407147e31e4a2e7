import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { FakeBackend } from "../../test/fake-backend";
import { ssoOf } from "../../test/fake/sso";
import { renderApp } from "../../test/render";
import { BINDING_KEY } from "./binding";
import { navigation } from "./SSOSignIn";

async function sha256Hex(s: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
  return Array.from(new Uint8Array(d), (x) => x.toString(16).padStart(2, "0")).join("");
}

afterEach(() => {
  window.sessionStorage.clear();
  vi.restoreAllMocks();
});

describe("single sign-on", { timeout: 30_000 }, () => {
  it("stores the provider with a write-only secret and shows the redirect URL to register", async () => {
    const backend = new FakeBackend();
    renderApp("/settings/sso", { backend });
    const form = await screen.findByRole("form", { name: "Single sign-on settings" });
    expect((screen.getByLabelText("Redirect URL") as HTMLInputElement).value).toMatch(/\/auth\/oidc\/callback$/);
    expect(within(form).getByText("No secret is stored.")).toBeTruthy();

    fireEvent.change(within(form).getByLabelText("Issuer URL"), { target: { value: "https://login.example.com/realms/acme" } });
    fireEvent.change(within(form).getByLabelText("Client ID"), { target: { value: "wegweiser" } });
    fireEvent.change(within(form).getByLabelText("Client secret"), { target: { value: "very-secret-value" } });
    fireEvent.change(within(form).getByLabelText("Email domains"), { target: { value: "Example.com\nexample.org" } });
    fireEvent.change(within(form).getByLabelText("Role of new members"), { target: { value: String(Role.TECHNICIAN) } });
    fireEvent.click(within(form).getByLabelText("Members sign in only through single sign-on"));
    fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    await screen.findByText("Single sign-on saved.");
    expect(backend.callsOf("UpdateSingleSignOnConfig")[0]?.request).toMatchObject({
      config: {
        issuerUrl: "https://login.example.com/realms/acme",
        clientId: "wegweiser",
        clientSecret: "very-secret-value",
        domains: ["Example.com", "example.org"],
        defaultRole: Role.TECHNICIAN,
        ssoOnly: true,
        enabled: true,
      },
    });
    await screen.findByText(/A secret is stored \(it is never shown\)/);
    expect((screen.getByLabelText("Client secret") as HTMLInputElement).value).toBe("");
    expect(document.body.innerHTML).not.toContain("very-secret-value");
    expect((screen.getByLabelText("Redirect URL") as HTMLInputElement).value).toBe("https://wegweiser.example.com/auth/oidc/callback");
    expect((screen.getByLabelText("Email domains") as HTMLTextAreaElement).value).toBe("example.com\nexample.org");
  });

  it("puts the server's field error beside the issuer", async () => {
    const backend = new FakeBackend();
    renderApp("/settings/sso", { backend });
    const form = await screen.findByRole("form", { name: "Single sign-on settings" });
    fireEvent.change(within(form).getByLabelText("Issuer URL"), { target: { value: "http://login.example.com" } });
    fireEvent.change(within(form).getByLabelText("Client ID"), { target: { value: "x" } });
    fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    const issuer = within(form).getByLabelText("Issuer URL");
    await waitFor(() => expect(issuer.getAttribute("aria-invalid")).toBe("true"));
    expect(within(form).getByText(/must use https/i)).toBeTruthy();
  });

  it("starts from the login page with a binding kept in this tab and goes to the provider", async () => {
    const backend = new FakeBackend();
    const sso = ssoOf(backend);
    sso.offered = true;
    sso.config = { enabled: true, domains: ["example.com"] } as never;
    const go = vi.spyOn(navigation, "go").mockImplementation(() => {});
    renderApp("/login", { backend, tokens: null });
    fireEvent.click(await screen.findByRole("button", { name: "Sign in with SSO" }));
    const form = screen.getByRole("form", { name: "Sign in with SSO" });
    fireEvent.change(within(form).getByLabelText("Work email"), { target: { value: "ann@example.com" } });
    fireEvent.click(within(form).getByRole("button", { name: "Continue with SSO" }));
    await waitFor(() => expect(go).toHaveBeenCalledWith("https://idp.example.com/authorize?state=s1"));
    const binding = window.sessionStorage.getItem(BINDING_KEY) ?? "";
    expect(binding).toMatch(/^[0-9a-f]{64}$/);
    expect(sso.started[0]).toBe(await sha256Hex(binding));
    expect(backend.callsOf("StartSingleSignOn")[0]?.request).toMatchObject({ email: "ann@example.com" });
  });

  it("says so when no organisation offers SSO for the address", async () => {
    const backend = new FakeBackend();
    ssoOf(backend).offered = true;
    renderApp("/login", { backend, tokens: null });
    fireEvent.click(await screen.findByRole("button", { name: "Sign in with SSO" }));
    fireEvent.change(screen.getByLabelText("Work email"), { target: { value: "ann@nowhere.example" } });
    fireEvent.click(screen.getByRole("button", { name: "Continue with SSO" }));
    expect(await screen.findByText(/not found/)).toBeTruthy();
  });

  it("hides the SSO button when no tenant offers it", async () => {
    renderApp("/login", { tokens: null });
    await screen.findByRole("form", { name: "Sign in" });
    await waitFor(() => expect(screen.queryByRole("button", { name: "Sign in with SSO" })).toBeNull());
  });

  it("redeems the callback's code with the tab's binding and signs in", async () => {
    const backend = new FakeBackend();
    window.sessionStorage.setItem(BINDING_KEY, "the-binding");
    ssoOf(backend).codes.set("one-time", await sha256Hex("the-binding"));
    const { store, router } = renderApp("/login/sso?code=one-time", { backend, tokens: null });
    await waitFor(() => expect(store.get()?.accessToken).toBe(backend.accessToken));
    await waitFor(() => expect(router.state.location.pathname).not.toBe("/login/sso"));
    expect(backend.callsOf("CompleteSingleSignOn")[0]?.request).toMatchObject({ code: "one-time", browserBinding: "the-binding" });
    expect(window.sessionStorage.getItem(BINDING_KEY)).toBeNull();
  });

  it("refuses a code from another browser and explains the callback's errors", async () => {
    const backend = new FakeBackend();
    ssoOf(backend).codes.set("one-time", await sha256Hex("someone-else"));
    window.sessionStorage.setItem(BINDING_KEY, "mine");
    const { store, unmount } = renderApp("/login/sso?code=one-time", { backend, tokens: null });
    expect(await screen.findByText(/invalid, used or expired/)).toBeTruthy();
    expect(store.get()).toBeNull();
    unmount();
    renderApp("/login/sso?error=not_allowed", { tokens: null });
    expect(await screen.findByText(/not a member of this organisation/)).toBeTruthy();
    expect(screen.getByRole("link", { name: "Back to sign in" })).toBeTruthy();
  });
});
