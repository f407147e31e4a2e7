import { Code, ConnectError } from "@connectrpc/connect";
import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";
import { STORAGE_KEY } from "./tokens";

function signIn(email: string, password: string) {
  fireEvent.change(screen.getByLabelText("Email"), { target: { value: email } });
  fireEvent.change(screen.getByLabelText("Password"), { target: { value: password } });
  fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("login", () => {
  it("submits the credentials, stores the tokens and opens the overview", async () => {
    const backend = new FakeBackend();
    const { router } = renderApp("/login", { backend, tokens: null });

    await screen.findByRole("heading", { name: "Sign in" });
    signIn("  ada@example.com ", "correct horse battery");

    expect(await screen.findByRole("heading", { name: "Overview" })).toBeTruthy();
    expect(backend.callsOf("Login")[0]?.request).toMatchObject({
      email: "ada@example.com",
      password: "correct horse battery",
    });
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null");
    expect(stored).toMatchObject({ accessToken: backend.accessToken, refreshToken: backend.refreshToken });
    expect(stored.accessTokenExpiresAt).toBeGreaterThan(Date.now());
    // The next calls carry the new access token.
    await waitFor(() => expect(backend.callsOf("WhoAmI").length).toBeGreaterThan(0));
    expect(backend.callsOf("WhoAmI")[0]?.authorization).toBe(`Bearer ${backend.accessToken}`);
    expect(router.state.location.pathname).toBe("/");
  });

  it("shows the server's message when the password is wrong, and stores nothing", async () => {
    const backend = new FakeBackend();
    backend.failures.set("Login", new ConnectError("email or password is wrong", Code.Unauthenticated));
    renderApp("/login", { backend, tokens: null });

    await screen.findByRole("heading", { name: "Sign in" });
    signIn("ada@example.com", "not the password");

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Email or password is wrong");
    expect(localStorage.getItem(STORAGE_KEY)).toBeNull();
    // A failed login must not try to refresh anything.
    expect(backend.callsOf("Refresh")).toHaveLength(0);
    expect(screen.getByRole("button", { name: "Sign in" })).toBeTruthy();
  });

  it("explains rate limiting", async () => {
    const backend = new FakeBackend();
    backend.failures.set("Login", new ConnectError("", Code.ResourceExhausted));
    renderApp("/login", { backend, tokens: null });

    await screen.findByRole("heading", { name: "Sign in" });
    signIn("ada@example.com", "whatever-password");

    expect((await screen.findByRole("alert")).textContent).toMatch(/too many attempts/i);
  });

  it("returns to the page that asked for sign-in", async () => {
    const backend = new FakeBackend();
    backend.addOrganisation("Contoso");
    const { router } = renderApp("/organisations", { backend, tokens: null });

    await screen.findByRole("heading", { name: "Sign in" });
    expect(router.state.location.search).toBe("?next=%2Forganisations");
    signIn("ada@example.com", "correct horse battery");

    expect(await screen.findByRole("link", { name: "Contoso" })).toBeTruthy();
    expect(router.state.location.pathname).toBe("/organisations");
  });
});
