import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import { FakeBackend } from "../../test/fake-backend";
import { renderApp } from "../../test/render";
import { actionWords, shortUserAgent } from "./labels";

const FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

let downloads: { name: string; text: string }[] = [];

beforeEach(() => {
  downloads = [];
  // jsdom has no object URLs: record what would be downloaded.
  let blob: Blob | undefined;
  vi.stubGlobal("URL", Object.assign(URL, {
    createObjectURL: (b: Blob) => {
      blob = b;
      return "blob:fake";
    },
    revokeObjectURL: () => undefined,
  }));
  vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
    const name = this.download;
    void blob?.text().then((text) => downloads.push({ name, text }));
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

function seed(backend: FakeBackend) {
  const log = backend.auditLog;
  log.add({ action: "auth.login", actor: "ada@example.com", actorId: "u1", targetId: "u1", targetName: "ada@example.com",
    sourceAddress: "203.0.113.7", userAgent: FIREFOX, time: new Date("2026-11-20T09:00:00") });
  log.add({ action: "user.role_change", actor: "ada@example.com", actorId: "u1", targetId: "u2", targetName: "bob@example.com",
    detail: "technician -> admin", sourceAddress: "203.0.113.7", userAgent: "curl/8.5.0", time: new Date("2026-11-25T10:00:00") });
  log.add({ action: "tenant.update", actor: "bob@example.com", actorId: "u2", targetKind: "tenant", targetId: "t1",
    targetName: "=HYPERLINK(\"x\")", detail: "renamed from Contoso", sourceAddress: "198.51.100.2", time: new Date("2026-11-28T11:00:00") });
}

describe("audit log", () => {
  it("is in the owner's navigation and shows who did what, when and from where", async () => {
    const backend = new FakeBackend();
    seed(backend);
    renderApp("/", { backend });
    fireEvent.click(await screen.findByRole("link", { name: "Audit log" }));
    const table = await screen.findByRole("table", { name: "Audit events" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(3);
    // Newest first, actions in words with the detail, user agents shortened
    // with the full text as a tooltip.
    expect(rows[0]!.textContent).toContain("Renamed the tenant");
    expect(rows[0]!.textContent).toContain("198.51.100.2");
    expect(rows[1]!.textContent).toContain("Changed a role");
    expect(rows[1]!.textContent).toContain("technician -> admin");
    expect(rows[1]!.textContent).toContain("bob@example.com");
    expect(within(rows[2]!).getByText("Firefox 133 on Windows").getAttribute("title")).toBe(FIREFOX);
    expect(within(rows[2]!).getByText("Signed in").getAttribute("title")).toBe("auth.login");
  }, 30_000);

  it("filters by kind of action, actor, text and days", async () => {
    const backend = new FakeBackend();
    seed(backend);
    renderApp("/audit", { backend });
    await screen.findByRole("table", { name: "Audit events" });
    const shown = async (actions: string[]) =>
      waitFor(() => {
        const rows = within(screen.getByRole("table", { name: "Audit events" })).getAllByRole("row").slice(1);
        expect(rows.map((r) => within(r).getByTitle(/^[a-z]+\.[a-z_]+$/).textContent)).toEqual(actions);
      });
    await shown(["Renamed the tenant", "Changed a role", "Signed in"]);

    fireEvent.change(screen.getByLabelText("Action"), { target: { value: "user." } });
    await shown(["Changed a role"]);
    expect(backend.callsOf("ListAuditEvents").at(-1)?.request).toMatchObject({ filter: { actionPrefix: "user." } });

    fireEvent.change(screen.getByLabelText("Action"), { target: { value: "" } });
    fireEvent.change(screen.getByLabelText("Search"), { target: { value: "RENAMED" } });
    await shown(["Renamed the tenant"]);

    fireEvent.change(screen.getByLabelText("Search"), { target: { value: "" } });
    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2026-11-21" } });
    fireEvent.change(screen.getByLabelText("To"), { target: { value: "2026-11-25" } });
    await shown(["Changed a role"]);
    // "To" counts the whole day: the range ends at the next local midnight.
    const filter = (backend.callsOf("ListAuditEvents").at(-1)?.request as { filter: { startTime: never; endTime: never } }).filter;
    expect(timestampDate(filter.startTime).getTime()).toBe(new Date(2026, 10, 21).getTime());
    expect(timestampDate(filter.endTime).getTime()).toBe(new Date(2026, 10, 26).getTime());

    fireEvent.change(screen.getByLabelText("To"), { target: { value: "2026-11-01" } });
    expect(await screen.findByText("must not be before From")).toBeTruthy();

    fireEvent.change(screen.getByLabelText("From"), { target: { value: "" } });
    fireEvent.change(screen.getByLabelText("To"), { target: { value: "" } });
    fireEvent.change(screen.getByLabelText("Actor"), { target: { value: "u1" } });
    await shown(["Changed a role", "Signed in"]);
    expect(backend.callsOf("ListAuditEvents").at(-1)?.request).toMatchObject({ filter: { actorId: "u1" } });
  }, 30_000);

  it("loads more and exports the filtered events as CSV", async () => {
    const backend = new FakeBackend();
    for (let i = 0; i < 130; i++) {
      backend.auditLog.add({ action: "device.move", actor: "ada@example.com", actorId: "u1", targetKind: "device",
        targetId: `dev-${i}`, targetName: `PC-${i}`, time: new Date(Date.UTC(2026, 10, 1, 0, i)) });
    }
    seed(backend);
    renderApp("/audit", { backend });
    const table = await screen.findByRole("table", { name: "Audit events" });
    expect(within(table).getAllByRole("row")).toHaveLength(101);
    fireEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(within(screen.getByRole("table", { name: "Audit events" })).getAllByRole("row")).toHaveLength(134));
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();

    fireEvent.change(screen.getByLabelText("Action"), { target: { value: "device." } });
    await waitFor(() => expect(backend.callsOf("ListAuditEvents").at(-1)?.request).toMatchObject({ filter: { actionPrefix: "device." } }));
    fireEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(downloads).toHaveLength(1));
    expect(backend.callsOf("ExportAuditEvents")[0]?.request).toMatchObject({ filter: { actionPrefix: "device." } });
    expect(downloads[0]!.name).toBe("audit-2026-12-01.csv");
    const lines = downloads[0]!.text.replace(/^\ufeff/, "").trim().split("\r\n");
    expect(lines[0]).toBe("time,action,actor,actor_id,target_kind,target_id,target_name,organisation_id,detail,source_address,user_agent,id");
    expect(lines).toHaveLength(131);
  }, 30_000);

  it("says why an export is refused", async () => {
    const backend = new FakeBackend();
    seed(backend);
    renderApp("/audit", { backend });
    await screen.findByRole("table", { name: "Audit events" });
    backend.failures.set("ExportAuditEvents", new ConnectError(
      "120000 events match; an export holds at most 100000: narrow the time range", Code.ResourceExhausted));
    fireEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    expect(await screen.findByText(/narrow the time range/)).toBeTruthy();
    expect(downloads).toHaveLength(0);
  });

  it("is not offered to technicians", async () => {
    const backend = new FakeBackend({ role: Role.TECHNICIAN });
    seed(backend);
    renderApp("/audit", { backend });
    expect(await screen.findByText("Only owners and admins can read the audit log.")).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Audit log" })).toBeNull();
    expect(backend.callsOf("ListAuditEvents")).toHaveLength(0);
  });
});

describe("audit labels", () => {
  it("says actions in words and shortens user agents", () => {
    expect(actionWords("user.role_change")).toBe("Changed a role");
    expect(actionWords("something.new")).toBe("something.new");
    expect(shortUserAgent(FIREFOX)).toBe("Firefox 133 on Windows");
    expect(shortUserAgent("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"))
      .toBe("Safari 17 on macOS");
    expect(shortUserAgent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"))
      .toBe("Chrome 131 on Linux");
    expect(shortUserAgent("curl/8.5.0")).toBe("curl 8.5.0");
    expect(shortUserAgent("")).toBe("");
  });
});
