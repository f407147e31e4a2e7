import { createRouterTransport } from "@connectrpc/connect";
import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { AppProviders } from "../app/providers";
import { routes } from "../app/routes";
import { createTokenStore, type TokenPair } from "../features/auth/tokens";
import { authInterceptorFor } from "../features/auth/transport";
import { FakeBackend } from "./fake-backend";

/**
 * renderApp renders the whole SPA at `path` against a FakeBackend through
 * createRouterTransport (no server), with the real auth interceptor.
 * By default the browser is signed in with the backend's current tokens.
 */
export function renderApp(
  path: string,
  opts: { backend?: FakeBackend; tokens?: TokenPair | null } = {},
) {
  const backend = opts.backend ?? new FakeBackend();
  const store = createTokenStore(window.localStorage);
  store.set(opts.tokens === undefined ? backend.tokens() : opts.tokens);

  const plain = createRouterTransport(backend.routes);
  const transport = createRouterTransport(backend.routes, {
    transport: { interceptors: [authInterceptorFor(plain, store)] },
  });
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: 0 }, mutations: { retry: false } },
  });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const view = render(
    <AppProviders transport={transport} store={store} queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProviders>,
  );
  return { ...view, backend, store, router, queryClient };
}
