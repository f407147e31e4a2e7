import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ListWebhookDeliveriesResponseSchema } from "../../gen/wegweiser/v1/alert_pb";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";
import { deliveryPollInterval, DELIVERY_POLL_MS } from "./hooks";

function webhookItem(name: string) {
  return within(screen.getByRole("list", { name: "Webhooks" })).getByRole("listitem", { name });
}

describe("webhooks page", () => {
  it("creates a webhook and shows its signing secret once, with how to verify signatures", async () => {
    const backend = new FakeBackend();
    renderApp("/webhooks", { backend });

    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("link", { name: "Webhooks" }).getAttribute("href")).toBe("/webhooks");
    const form = await screen.findByRole("form", { name: "New webhook" });
    fireEvent.change(within(form).getByLabelText("URL"), { target: { value: " https://psa.example.com/hooks/ww " } });
    fireEvent.change(within(form).getByLabelText("Description"), { target: { value: "Tickets in our PSA" } });
    fireEvent.click(within(form).getByLabelText("Worse band"));
    fireEvent.click(within(form).getByLabelText("Regression"));
    fireEvent.click(within(form).getByRole("button", { name: "Create webhook" }));

    const secret = (await screen.findByLabelText("Signing secret")) as HTMLInputElement;
    expect(secret.value).toBe("whsec_0001_s3cr3t");
    expect(screen.getByText(/Copy the signing secret now/).closest(".alert")?.textContent).toMatch(/shown only this once/);
    expect(screen.getByText('HMAC-SHA256(secret, "<Wegweiser-Timestamp>.<body>")')).toBeTruthy();
    const snippet = screen.getByRole("region", { name: "Webhook created" }).querySelector("pre code")!.textContent!;
    expect(snippet).toContain('createHmac("sha256", secret)');
    expect(snippet).toContain("${timestamp}.${rawBody}");
    expect(snippet).toContain('headers["wegweiser-signature"]');
    expect(snippet).toContain("/^sha256=/");
    expect(backend.callsOf("CreateWebhook")[0]?.request).toMatchObject({
      url: "https://psa.example.com/hooks/ww",
      description: "Tickets in our PSA",
      kinds: ["band_worse", "regression"],
    });

    // Listed; after Done the secret is gone for good.
    await waitFor(() => expect(within(webhookItem("Tickets in our PSA")).getByText("Worse band, Regression", { exact: false })).toBeTruthy());
    fireEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByLabelText("Signing secret")).toBeNull();
    expect(screen.queryByText("whsec_0001_s3cr3t")).toBeNull();
    expect(screen.getByRole("form", { name: "New webhook" })).toBeTruthy();
  });

  it("shows the server's refusal beside the field it names", async () => {
    const backend = new FakeBackend();
    renderApp("/webhooks", { backend });
    const form = await screen.findByRole("form", { name: "New webhook" });
    const url = within(form).getByLabelText("URL");
    fireEvent.change(url, { target: { value: "http://10.0.0.5/hook" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create webhook" }));
    await waitFor(() => expect(url.getAttribute("aria-invalid")).toBe("true"));
    const message = document.getElementById(url.getAttribute("aria-describedby")!.split(" ").at(-1)!);
    expect(message?.textContent).toBe("Must be an absolute https:// URL without credentials");
    expect(message?.closest(".field")).toBe(url.closest(".field"));
    // Not also in the form's alert box.
    expect(within(form).queryByRole("alert")).toBeNull();
    expect(screen.queryByLabelText("Signing secret")).toBeNull();
  });

  it("shows a webhook's delivery log: status, attempts, HTTP status and a failed delivery's error as text", async () => {
    const backend = new FakeBackend();
    const hook = backend.addWebhook({ url: "https://chat.example.com/in", description: "Team chat", kinds: [] });
    backend.addDelivery(hook.id, {
      status: "delivered",
      attempts: 1,
      responseStatus: 204,
      deliverTime: timestampFromDate(new Date(Date.now() - 3_600_000)),
    });
    backend.addDelivery(hook.id, {
      status: "failed",
      attempts: 6,
      responseStatus: 502,
      error: "unexpected status 502: <html><body>Bad gateway</body></html>",
    });
    renderApp("/webhooks", { backend });

    const item = await waitFor(() => webhookItem("Team chat"));
    expect(within(item).getByText(/Every kind/)).toBeTruthy();
    const toggle = within(item).getByRole("button", { name: "Show deliveries" });
    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");

    const log = await within(item).findByRole("table", { name: "Deliveries to Team chat" });
    const [failed, delivered] = within(log).getAllByRole("row").slice(1);
    expect(within(failed!).getAllByRole("cell").map((c) => c.textContent).slice(0, 4)).toEqual([
      "Failed",
      "6",
      "502",
      "unexpected status 502: <html><body>Bad gateway</body></html>",
    ]);
    expect(within(failed!).getByText("Failed").className).toContain("badge-danger");
    expect(log.querySelector("body, html")).toBeNull();
    expect(within(delivered!).getByText("Delivered").className).toContain("badge-ok");
    expect(within(delivered!).getByText("204")).toBeTruthy();
    expect(backend.callsOf("ListWebhookDeliveries")[0]?.request).toMatchObject({ webhookId: hook.id, pageSize: 20 });
  });

  it("sends a test and shows the pending delivery", async () => {
    const backend = new FakeBackend();
    const hook = backend.addWebhook({ description: "Team chat" });
    renderApp("/webhooks", { backend });

    const item = await waitFor(() => webhookItem("Team chat"));
    fireEvent.click(within(item).getByRole("button", { name: "Send test" }));

    expect(await within(item).findByText("Test notification queued.")).toBeTruthy();
    expect(backend.callsOf("SendTestWebhook")[0]?.request).toMatchObject({ id: hook.id });
    const log = await within(item).findByRole("table", { name: "Deliveries to Team chat" });
    expect(within(log).getByText("Pending").className).toContain("badge-warn");
    expect(within(item).getByText(/this log refreshes while one is pending/)).toBeTruthy();
  });

  it("refreshes a delivery log every 5 s only while a delivery is pending", () => {
    const log = (...statuses: string[]) =>
      create(ListWebhookDeliveriesResponseSchema, { deliveries: statuses.map((status) => ({ status })) });
    expect(deliveryPollInterval(log("delivered", "pending"))).toBe(DELIVERY_POLL_MS);
    expect(DELIVERY_POLL_MS).toBe(5_000);
    expect(deliveryPollInterval(log("delivered", "failed"))).toBe(false);
    expect(deliveryPollInterval(log())).toBe(false);
    expect(deliveryPollInterval(undefined)).toBe(false);
  });

  it("deletes a webhook after confirmation", async () => {
    const backend = new FakeBackend();
    const hook = backend.addWebhook({ description: "Old PSA" });
    backend.addWebhook({ description: "Team chat" });
    renderApp("/webhooks", { backend });

    const item = await waitFor(() => webhookItem("Old PSA"));
    fireEvent.click(within(item).getByRole("button", { name: "Delete webhook Old PSA" }));
    expect(backend.callsOf("DeleteWebhook")).toHaveLength(0);
    fireEvent.click(within(item).getByRole("button", { name: "Delete webhook" }));

    await waitFor(() => expect(within(screen.getByRole("list", { name: "Webhooks" })).queryByRole("listitem", { name: "Old PSA" })).toBeNull());
    expect(backend.callsOf("DeleteWebhook")[0]?.request).toMatchObject({ id: hook.id });
    expect(webhookItem("Team chat")).toBeTruthy();
  });

  it("is hidden without alert.manage: no nav link, no page, no request", async () => {
    const backend = new FakeBackend({ role: Role.TECHNICIAN });
    renderApp("/webhooks", { backend });

    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(within(nav).queryByRole("link", { name: "Webhooks" })).toBeNull();
    expect((await screen.findByRole("alert")).textContent).toMatch(/not allowed to manage webhooks/);
    expect(backend.callsOf("ListWebhooks")).toHaveLength(0);
  });
});
