import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { TransportProvider } from "@connectrpc/connect-query";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import {
  SecurityService,
  SessionSchema,
  SignInMethod,
  type Session,
} from "../../gen/wegweiser/v1/security_pb";
import { Sessions } from "./Sessions";
import { describeDevice } from "./userAgent";

const minutesAgo = (n: number) => timestampFromDate(new Date(Date.now() - n * 60_000));

function session(id: string, userAgent: string, extra: MessageInitShape<typeof SessionSchema> = {}): Session {
  return create(SessionSchema, {
    id,
    userAgent,
    address: "198.51.100.7",
    createTime: minutesAgo(600),
    lastUseTime: minutesAgo(5),
    method: SignInMethod.PASSWORD,
    ...extra,
  });
}

/** A SecurityService with only the session methods, over a list it keeps. */
function backend(initial: Session[], refuse = false) {
  let sessions = [...initial];
  const calls: { method: string; request: unknown }[] = [];
  const transport = createRouterTransport((router) =>
    router.service(SecurityService, {
      listSessions: () => ({ sessions }),
      revokeSession: (req) => {
        calls.push({ method: "RevokeSession", request: req });
        const s = sessions.find((x) => x.id === req.sessionId);
        if (!s || refuse) throw new ConnectError("session not found", Code.NotFound);
        sessions = sessions.filter((x) => x !== s);
        return {};
      },
      revokeAllSessions: (req) => {
        calls.push({ method: "RevokeAllSessions", request: req });
        const before = sessions.length;
        sessions = sessions.filter((s) => req.keepCurrent && s.current);
        return { revoked: before - sessions.length };
      },
    }),
  );
  return { transport, calls };
}

function renderSessions(initial: Session[], refuse = false) {
  const b = backend(initial, refuse);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <TransportProvider transport={b.transport}>
        <Sessions />
      </TransportProvider>
    </QueryClientProvider>,
  );
  return b;
}

const firefoxWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
const safariIPhone =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

describe("sessions", () => {
  it("lists sessions in plain words with this session marked, and signs one out", async () => {
    const b = renderSessions([
      session("s1", firefoxWindows, { current: true, lastUseTime: minutesAgo(0) }),
      session("s2", safariIPhone, { method: SignInMethod.PASSKEY, address: "203.0.113.9" }),
    ]);
    const table = await screen.findByRole("table", { name: "Sessions" });
    const mine = within(table).getByText("Firefox on Windows").closest("tr")!;
    expect(within(mine).getByText("This session")).toBeTruthy();
    // The current session is ended by signing out, not from this list.
    expect(within(mine).queryByRole("button", { name: /Sign out/ })).toBeNull();

    const phone = within(table).getByText("Safari on iPhone").closest("tr")!;
    expect(within(phone).getByText("203.0.113.9")).toBeTruthy();
    expect(within(phone).getByText("Passkey")).toBeTruthy();
    expect(within(phone).getByText("5 minutes ago")).toBeTruthy();
    fireEvent.click(within(phone).getByRole("button", { name: "Sign out Safari on iPhone (203.0.113.9)" }));
    fireEvent.click(within(phone).getByRole("button", { name: "Sign out this session" }));

    await screen.findByText("Firefox on Windows");
    await expectGone("Safari on iPhone");
    expect(b.calls).toEqual([{ method: "RevokeSession", request: expect.objectContaining({ sessionId: "s2" }) }]);
  });

  it("signs out everywhere else, keeping this session", async () => {
    const b = renderSessions([
      session("s1", firefoxWindows, { current: true }),
      session("s2", safariIPhone),
      session("s3", "curl/8.5.0"),
    ]);
    fireEvent.click(await screen.findByRole("button", { name: "Sign out everywhere else" }));
    expect(screen.getByText(/End the 2 other sessions\? This browser stays signed in\./)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Sign out the other sessions" }));

    expect((await screen.findByRole("status")).textContent).toBe("2 sessions were signed out.");
    await expectGone("curl");
    expect(screen.getByText("Firefox on Windows")).toBeTruthy();
    expect(b.calls[0]).toMatchObject({ method: "RevokeAllSessions", request: { keepCurrent: true } });
    // Nothing else to sign out: the action is gone.
    expect(screen.queryByRole("button", { name: "Sign out everywhere else" })).toBeNull();
  });

  it("shows the server's refusal", async () => {
    // Another tab already ended the session: the server says not found.
    renderSessions([session("s1", firefoxWindows, { current: true }), session("gone", safariIPhone)], true);
    const row = (await screen.findByText("Safari on iPhone")).closest("tr")!;
    fireEvent.click(within(row).getByRole("button", { name: /Sign out Safari/ }));
    fireEvent.click(within(row).getByRole("button", { name: "Sign out this session" }));
    expect((await within(row).findByRole("alert")).textContent).toContain("Could not sign out this session");
  });
});

async function expectGone(text: string) {
  for (let i = 0; i < 50 && screen.queryByText(text); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(screen.queryByText(text)).toBeNull();
}

describe("describeDevice", () => {
  it.each([
    [firefoxWindows, "Firefox on Windows"],
    [safariIPhone, "Safari on iPhone"],
    [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
      "Chrome on macOS",
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
      "Edge on Windows",
    ],
    ["Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36", "Chrome on Android"],
    ["curl/8.5.0", "curl"],
    ["connect-go/1.18.1 (go1.25.0)", "connect-go"],
    ["", "Unknown device"],
  ])("%s → %s", (ua, want) => {
    expect(describeDevice(ua)).toBe(want);
  });
});
