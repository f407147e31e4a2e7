import { Code, ConnectError } from "@connectrpc/connect";
import { fireEvent, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";
import { STORAGE_KEY } from "./tokens";

function fill(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe("sign up", () => {
  it("creates the tenant, signs in with the same credentials and lands on its overview", async () => {
    const backend = new FakeBackend();
    renderApp("/signup", { backend, tokens: null });

    await screen.findByRole("heading", { name: "Create your account" });
    fill("Company name", "Nordlicht IT");
    fill("Your name", "Grace");
    fill("Email", "grace@nordlicht.example");
    fill("Password", "a-long-password");
    fireEvent.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByRole("heading", { name: "Nordlicht IT" })).toBeTruthy();
    expect(backend.callsOf("SignUp")[0]?.request).toMatchObject({
      tenantName: "Nordlicht IT",
      displayName: "Grace",
      email: "grace@nordlicht.example",
      password: "a-long-password",
    });
    expect(backend.callsOf("Login")[0]?.request).toMatchObject({ email: "grace@nordlicht.example", password: "a-long-password" });
    expect(localStorage.getItem(STORAGE_KEY)).toContain(backend.accessToken);
  });

  it("only points to the mailbox when signing in fails (the email may be taken)", async () => {
    const backend = new FakeBackend();
    backend.failures.set("Login", new ConnectError("wrong email or password", Code.Unauthenticated));
    renderApp("/signup", { backend, tokens: null });

    await screen.findByRole("heading", { name: "Create your account" });
    fill("Company name", "Nordlicht IT");
    fill("Email", "grace@nordlicht.example");
    fill("Password", "a-long-password");
    fireEvent.click(screen.getByRole("button", { name: "Create account" }));

    const notice = await screen.findByRole("status");
    expect(notice.textContent).toContain("We sent a mail to grace@nordlicht.example");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(localStorage.getItem(STORAGE_KEY)).toBeNull();
  });

  it("is turned off when the server closed public sign-up", async () => {
    const backend = new FakeBackend();
    backend.publicSignup = false;
    renderApp("/signup", { backend, tokens: null });

    expect((await screen.findByText(/Sign-up is turned off/)).textContent).toContain("invitation");
    expect(screen.queryByRole("button", { name: "Create account" })).toBeNull();
  });

  it("shows a refused sign-up next to the form", async () => {
    const backend = new FakeBackend();
    backend.failures.set("SignUp", new ConnectError("too many sign-ups from your address", Code.ResourceExhausted));
    renderApp("/signup", { backend, tokens: null });

    await screen.findByRole("heading", { name: "Create your account" });
    fill("Company name", "Nordlicht IT");
    fill("Email", "grace@nordlicht.example");
    fill("Password", "a-long-password");
    fireEvent.click(screen.getByRole("button", { name: "Create account" }));

    expect((await screen.findByRole("alert")).textContent).toBe("Too many sign-ups from your address");
    expect(screen.getByLabelText("Company name")).toBeTruthy();
  });
});
