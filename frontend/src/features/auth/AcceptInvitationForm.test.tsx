import { Code, ConnectError } from "@connectrpc/connect";
import { fireEvent, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";
import { STORAGE_KEY } from "./tokens";

describe("accept invitation", () => {
  it("uses the token from the link and signs the new member in", async () => {
    const backend = new FakeBackend();
    const { router } = renderApp("/accept-invitation?token=tok-42", { backend, tokens: null });

    await screen.findByRole("heading", { name: "Join your team" });
    expect(screen.queryByLabelText("Invitation token")).toBeNull();
    fireEvent.change(screen.getByLabelText("Your name"), { target: { value: "Bob" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "bobs-long-password" } });
    fireEvent.click(screen.getByRole("button", { name: "Accept invitation" }));

    expect(await screen.findByRole("heading", { name: "Overview" })).toBeTruthy();
    expect(backend.callsOf("AcceptInvitation")[0]?.request).toMatchObject({
      invitationToken: "tok-42",
      displayName: "Bob",
      password: "bobs-long-password",
    });
    expect(localStorage.getItem(STORAGE_KEY)).toContain(backend.accessToken);
    expect(router.state.location.pathname).toBe("/");
  });

  it("asks for the token when the link has none, and shows a not_found error", async () => {
    const backend = new FakeBackend();
    backend.failures.set("AcceptInvitation", new ConnectError("invitation not found or expired", Code.NotFound));
    renderApp("/accept-invitation", { backend, tokens: null });

    fireEvent.change(await screen.findByLabelText("Invitation token"), { target: { value: "old" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "bobs-long-password" } });
    fireEvent.click(screen.getByRole("button", { name: "Accept invitation" }));

    expect((await screen.findByRole("alert")).textContent).toBe("Invitation not found or expired");
    expect(localStorage.getItem(STORAGE_KEY)).toBeNull();
  });
});
