import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { AICallOutcome, AISource } from "../../gen/wegweiser/v1/ai_pb";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";

describe("AI settings", { timeout: 30_000 }, () => {
  it("shows the built-in answerer in effect and stores a tenant endpoint with a key it never shows", async () => {
    const backend = new FakeBackend();
    renderApp("/settings/ai", { backend });
    expect(await screen.findByText("Built-in answerer (no language model configured)")).toBeTruthy();
    const form = screen.getByRole("form", { name: "Language model settings" });
    const key = within(form).getByLabelText("API key") as HTMLInputElement;
    expect(key.type).toBe("password");
    expect(within(form).getByText(/No key is stored/)).toBeTruthy();

    fireEvent.click(within(form).getByLabelText("Use this tenant's own endpoint"));
    fireEvent.change(within(form).getByLabelText("Base URL"), { target: { value: "https://ai.example.com/v1" } });
    fireEvent.change(within(form).getByLabelText("Model"), { target: { value: "gpt-test" } });
    fireEvent.change(key, { target: { value: "sk-secret-123" } });
    fireEvent.change(within(form).getByLabelText("Monthly token budget"), { target: { value: "500000" } });
    fireEvent.click(within(form).getByRole("button", { name: "Save settings" }));
    await within(form).findByText("Settings saved.");
    expect(backend.callsOf("UpdateAISettings")[0]?.request).toMatchObject({
      enabled: true,
      baseUrl: "https://ai.example.com/v1",
      model: "gpt-test",
      apiKey: "sk-secret-123",
      monthlyTokenBudget: 500000n,
    });
    expect(await screen.findByText("This tenant's endpoint")).toBeTruthy();
    await within(form).findByText(/A key is stored \(it is never shown\)/);
    expect((within(form).getByLabelText("API key") as HTMLInputElement).value).toBe("");
    expect(document.body.innerHTML).not.toContain("sk-secret-123");

    // Saving again without typing a key keeps it; ticking "remove" clears it.
    fireEvent.click(within(form).getByLabelText("Remove the stored key"));
    fireEvent.click(within(form).getByRole("button", { name: "Save settings" }));
    await within(form).findByText(/No key is stored/);
    expect(backend.callsOf("UpdateAISettings")[1]?.request).toMatchObject({ apiKey: "", clearApiKey: true });
    expect(backend.ai.apiKey).toBe("");
  });

  it("checks the form before sending and puts the server's field errors beside their fields", async () => {
    const backend = new FakeBackend();
    renderApp("/settings/ai", { backend });
    const form = await screen.findByRole("form", { name: "Language model settings" });
    fireEvent.click(within(form).getByLabelText("Use this tenant's own endpoint"));
    fireEvent.change(within(form).getByLabelText("Monthly token budget"), { target: { value: "-5" } });
    fireEvent.click(within(form).getByRole("button", { name: "Save settings" }));
    expect(await within(form).findAllByText("Required when the tenant's endpoint is used")).toHaveLength(2);
    expect(within(form).getByText(/Must be a whole number from 0 to/)).toBeTruthy();
    expect(backend.callsOf("UpdateAISettings")).toHaveLength(0);

    fireEvent.change(within(form).getByLabelText("Monthly token budget"), { target: { value: "" } });
    fireEvent.change(within(form).getByLabelText("Base URL"), { target: { value: "http://127.0.0.1:11434/v1" } });
    fireEvent.change(within(form).getByLabelText("Model"), { target: { value: "llama3" } });
    fireEvent.click(within(form).getByRole("button", { name: "Save settings" }));
    const url = within(form).getByLabelText("Base URL");
    await waitFor(() => expect(url.getAttribute("aria-invalid")).toBe("true"));
    expect(within(form).getByText(/Is a loopback or private address/)).toBeTruthy();
    expect(within(form).queryByRole("alert")).toBeNull();
  });

  it("tests the endpoint and shows the month's usage against the budget", async () => {
    const backend = new FakeBackend();
    backend.ai.settings.effectiveSource = AISource.AI_SOURCE_OPERATOR;
    backend.ai.settings.effectiveModel = "operator-model";
    backend.ai.settings.effectiveTokenBudget = 1000n;
    backend.ai.addCall({ purpose: "chat", model: "operator-model", promptTokens: 400n, completionTokens: 100n, latencyMs: 900n, outcome: AICallOutcome.AI_CALL_OUTCOME_OK });
    backend.ai.addCall({ purpose: "narrative", model: "operator-model", latencyMs: 30000n, outcome: AICallOutcome.AI_CALL_OUTCOME_TIMEOUT });
    renderApp("/settings/ai", { backend });
    expect(await screen.findByText("The operator's default endpoint")).toBeTruthy();

    const bar = await screen.findByRole("progressbar", { name: "Tokens used of the monthly budget" });
    expect(bar.getAttribute("aria-valuenow")).toBe("500");
    expect(bar.getAttribute("aria-valuemax")).toBe("1000");
    expect(screen.getByText(/500 of 1,000 tokens used/)).toBeTruthy();
    const calls = screen.getByRole("table", { name: "Model calls" });
    expect(within(calls).getByText("Timed out")).toBeTruthy();
    expect(within(calls).getByText("narrative")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Test the endpoint in effect" }));
    expect((await screen.findByText("The endpoint answered.")).parentElement?.textContent).toMatch(/operator-model.*120 ms/);
  });

  it("is for owners only", async () => {
    const backend = new FakeBackend({ role: Role.ADMIN });
    renderApp("/settings/ai", { backend });
    expect((await screen.findByRole("alert")).textContent).toMatch(/Only owners/);
    expect(backend.callsOf("GetAISettings")).toHaveLength(0);
    expect(screen.queryByRole("link", { name: "AI assistant" })).toBeNull();
  });

  it("is in the navigation and linked from the settings page for owners", async () => {
    const backend = new FakeBackend();
    renderApp("/settings", { backend });
    expect((await screen.findByRole("link", { name: "AI assistant" })).getAttribute("href")).toBe("/settings/ai");
    expect((await screen.findByRole("link", { name: "AI assistant settings" })).getAttribute("href")).toBe("/settings/ai");
  });
});
