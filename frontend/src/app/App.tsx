import type { Transport } from "@connectrpc/connect";
import type { QueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { createBrowserRouter, RouterProvider } from "react-router";
import type { TokenStore } from "../features/auth/tokens";
import { AppProviders } from "./providers";
import { routes } from "./routes";

/** App is the whole SPA in the browser. */
export function App({
  transport,
  store,
  queryClient,
}: {
  transport: Transport;
  store: TokenStore;
  queryClient: QueryClient;
}) {
  const [router] = useState(() => createBrowserRouter(routes));
  return (
    <AppProviders transport={transport} store={store} queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProviders>
  );
}
