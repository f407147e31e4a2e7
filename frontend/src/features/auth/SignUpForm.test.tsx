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
  it("creates the tenant and lands on its overview", async () => {
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
    expect(localStorage.getItem(STORAGE_KEY)).toContain(backend.accessToken);
  });

  it("shows already_exists next to the form", async () => {
    const backend = new FakeBackend();
    backend.failures.set("SignUp", new ConnectError("email is already registered", Code.AlreadyExists));
    renderApp("/signup", { backend, tokens: null });

    await screen.findByRole("heading", { name: "Create your account" });
    fill("Company name", "Nordlicht IT");
    fill("Email", "grace@nordlicht.example");
    fill("Password", "a-long-password");
    fireEvent.click(screen.getByRole("button", { name: "Create account" }));

    expect((await screen.findByRole("alert")).textContent).toBe("Email is already registered");
    expect(screen.getByLabelText("Company name")).toBeTruthy();
  });
});
