import { Code, ConnectError } from "@connectrpc/connect";
import { fireEvent, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

function fill(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe("password reset", () => {
  it("is linked from the sign-in page and asks for a link by mail", async () => {
    const backend = new FakeBackend();
    renderApp("/login", { backend, tokens: null });

    fireEvent.click(await screen.findByRole("link", { name: "Forgot your password?" }));
    await screen.findByRole("heading", { name: "Forgot your password?" });
    fill("Email", "grace@nordlicht.example");
    fireEvent.click(screen.getByRole("button", { name: "Send reset link" }));

    expect((await screen.findByRole("status")).textContent).toContain("If grace@nordlicht.example has a Wegweiser account");
    expect(backend.callsOf("RequestPasswordReset")[0]?.request).toMatchObject({ email: "grace@nordlicht.example" });
  });

  it("sets a new password with the token from the link, once", async () => {
    const backend = new FakeBackend();
    backend.resetTokens.add("wwp_abc");
    renderApp("/reset-password?token=wwp_abc", { backend, tokens: null });

    await screen.findByRole("heading", { name: "Choose a new password" });
    fill("New password", "a-brand-new-password");
    fireEvent.click(screen.getByRole("button", { name: "Set new password" }));

    expect((await screen.findByRole("status")).textContent).toContain("Your password is changed");
    expect(backend.callsOf("ResetPassword")[0]?.request).toMatchObject({
      resetToken: "wwp_abc",
      password: "a-brand-new-password",
    });
    expect(backend.resetTokens.size).toBe(0);
  });

  it("shows a used or unknown link as an error", async () => {
    const backend = new FakeBackend();
    renderApp("/reset-password?token=wwp_used", { backend, tokens: null });

    await screen.findByRole("heading", { name: "Choose a new password" });
    fill("New password", "a-brand-new-password");
    fireEvent.click(screen.getByRole("button", { name: "Set new password" }));

    expect((await screen.findByRole("alert")).textContent).toContain("Reset link not found");
  });
});

describe("email verification", () => {
  it("confirms the address with the token from the link", async () => {
    const backend = new FakeBackend();
    backend.verificationTokens.add("wwv_abc");
    renderApp("/verify-email?token=wwv_abc", { backend, tokens: null });

    expect((await screen.findByText(/Your email address is confirmed/)).textContent).toBeTruthy();
    expect(backend.callsOf("VerifyEmail")).toHaveLength(1);
    expect(backend.callsOf("VerifyEmail")[0]?.request).toMatchObject({ verificationToken: "wwv_abc" });
  });

  it("reports a used link", async () => {
    const backend = new FakeBackend();
    backend.failures.set("VerifyEmail", new ConnectError("verification link not found", Code.NotFound));
    renderApp("/verify-email?token=wwv_used", { backend, tokens: null });

    expect((await screen.findByRole("alert")).textContent).toContain("Verification link not found");
  });

  it("asks a signed-in user with an unverified address to confirm it", async () => {
    const backend = new FakeBackend();
    backend.me.emailVerified = false;
    renderApp("/", { backend });

    const banner = await screen.findByRole("status", { name: "Email not confirmed" });
    expect(banner.textContent).toContain(backend.me.email);
    fireEvent.click(screen.getByRole("button", { name: "Send the link again" }));
    expect(await screen.findByText(/A new link is on its way/)).toBeTruthy();
    expect(backend.callsOf("ResendVerificationEmail")).toHaveLength(1);
  });
});

describe("sign-in page", () => {
  it("hides the sign-up link when public sign-up is off", async () => {
    const backend = new FakeBackend();
    backend.publicSignup = false;
    renderApp("/login", { backend, tokens: null });

    await screen.findByRole("link", { name: "Forgot your password?" });
    await screen.findByText(/Forgot your password/);
    expect(backend.callsOf("GetAuthConfig").length).toBeGreaterThan(0);
    expect(screen.queryByRole("link", { name: "Create an account" })).toBeNull();
  });

  it("shows the sign-up link when public sign-up is on", async () => {
    const backend = new FakeBackend();
    renderApp("/login", { backend, tokens: null });
    expect(await screen.findByRole("link", { name: "Create an account" })).toBeTruthy();
  });
});
