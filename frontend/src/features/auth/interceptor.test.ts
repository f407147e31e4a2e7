import { createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it, vi } from "vitest";
import { AuthService } from "../../gen/wegweiser/v1/auth_pb";
import { TenantService } from "../../gen/wegweiser/v1/tenant_pb";
import { FakeBackend } from "../../test/fake-backend";
import { createTokenStore, STORAGE_KEY } from "./tokens";
import { authInterceptorFor } from "./transport";

function setup(backend = new FakeBackend()) {
  const store = createTokenStore(window.localStorage);
  store.set(backend.tokens());
  const onSessionLost = vi.fn();
  const plain = createRouterTransport(backend.routes);
  const transport = createRouterTransport(backend.routes, {
    transport: { interceptors: [authInterceptorFor(plain, store, onSessionLost)] },
  });
  return {
    backend,
    store,
    onSessionLost,
    tenant: createClient(TenantService, transport),
    auth: createClient(AuthService, transport),
  };
}

describe("auth interceptor", () => {
  it("sends the access token as a bearer token", async () => {
    const { backend, tenant } = setup();
    await tenant.getTenant({});
    expect(backend.callsOf("GetTenant")[0]?.authorization).toBe("Bearer access-1");
  });

  it("refreshes once on unauthenticated and retries with the new token", async () => {
    const { backend, store, tenant } = setup();
    backend.expireAccessToken();

    const res = await tenant.getTenant({});

    expect(res.tenant?.name).toBe("Acme IT Services");
    expect(backend.callsOf("Refresh")).toHaveLength(1);
    expect(backend.callsOf("Refresh")[0]?.request).toMatchObject({ refreshToken: "refresh-1" });
    const calls = backend.callsOf("GetTenant");
    expect(calls.map((c) => c.authorization)).toEqual(["Bearer access-1", `Bearer ${backend.accessToken}`]);
    expect(store.get()).toMatchObject({ accessToken: backend.accessToken, refreshToken: backend.refreshToken });
  });

  it("shares one refresh between concurrent calls", async () => {
    const { backend, tenant } = setup();
    backend.expireAccessToken();

    const results = await Promise.all([
      tenant.getTenant({}),
      tenant.listOrganisations({}),
      tenant.listGroups({}),
    ]);

    expect(results).toHaveLength(3);
    // A second refresh with the same (single-use) token would revoke the session.
    expect(backend.callsOf("Refresh")).toHaveLength(1);
  });

  it("clears the tokens and reports the lost session when the refresh fails", async () => {
    const { backend, store, onSessionLost, tenant } = setup();
    backend.expireAccessToken();
    backend.refreshToken = "rotated-elsewhere";

    await expect(tenant.getTenant({})).rejects.toMatchObject({ code: 16 /* unauthenticated */ });

    expect(store.get()).toBeNull();
    expect(localStorage.getItem(STORAGE_KEY)).toBeNull();
    expect(onSessionLost).toHaveBeenCalledTimes(1);
  });

  it("refreshes ahead of time when the access token has expired", async () => {
    const { backend, store, tenant } = setup();
    store.set({ ...backend.tokens(), accessTokenExpiresAt: Date.now() - 1000 });

    await tenant.getTenant({});

    expect(backend.callsOf("Refresh")).toHaveLength(1);
    // The first GetTenant already carried the refreshed token.
    expect(backend.callsOf("GetTenant")).toHaveLength(1);
  });

  it("never refreshes for Login, and sends no token with it", async () => {
    const { backend, auth } = setup();
    backend.failures.set("Login", new (await import("@connectrpc/connect")).ConnectError("nope", 16));

    await expect(auth.login({ email: "a@b.c", password: "x" })).rejects.toBeTruthy();

    expect(backend.callsOf("Login")[0]?.authorization).toBeNull();
    expect(backend.callsOf("Refresh")).toHaveLength(0);
  });
});
