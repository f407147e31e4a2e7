import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { STORAGE_KEY } from "../features/auth/tokens";
import { Role } from "../gen/wegweiser/v1/common_pb";
import { FakeBackend } from "../test/fake-backend";
import { renderApp } from "../test/render";

describe("signed-in layout", () => {
  it("sends visitors without a session to the sign-in page", async () => {
    const { router } = renderApp("/devices", { tokens: null });
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
    expect(router.state.location.pathname).toBe("/login");
  });

  it("shows the Users link to owners only", async () => {
    renderApp("/");
    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(nav.textContent).toContain("Users");
  });

  it("hides the Users link from a viewer", async () => {
    renderApp("/", { backend: new FakeBackend({ role: Role.VIEWER }) });
    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(nav.textContent).toContain("Devices");
    expect(nav.textContent).not.toContain("Users");
  });

  it("signs out: revokes the session and forgets the tokens", async () => {
    const backend = new FakeBackend();
    const { router } = renderApp("/", { backend });

    fireEvent.click(await screen.findByRole("button", { name: "Sign out" }));

    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
    expect(backend.callsOf("Logout")[0]?.request).toMatchObject({ refreshToken: "refresh-1" });
    expect(localStorage.getItem(STORAGE_KEY)).toBeNull();
    expect(router.state.location.pathname).toBe("/login");
  });

  it("goes to sign-in when the session cannot be refreshed", async () => {
    const backend = new FakeBackend();
    const tokens = backend.tokens();
    backend.expireAccessToken();
    backend.refreshToken = "revoked";
    const { router } = renderApp("/organisations", { backend, tokens });

    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
    await waitFor(() => expect(router.state.location.pathname).toBe("/login"));
    expect(localStorage.getItem(STORAGE_KEY)).toBeNull();
  });
});
