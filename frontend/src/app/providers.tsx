import type { Transport } from "@connectrpc/connect";
import { TransportProvider } from "@connectrpc/connect-query";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Code, ConnectError } from "@connectrpc/connect";
import { SessionProvider } from "../features/auth/session";
import type { TokenStore } from "../features/auth/tokens";

/** Codes for which trying again cannot help. */
const final = new Set<Code>([
  Code.InvalidArgument,
  Code.NotFound,
  Code.AlreadyExists,
  Code.PermissionDenied,
  Code.Unauthenticated,
  Code.FailedPrecondition,
  Code.Unimplemented,
  Code.ResourceExhausted,
]);

/** createQueryClient makes the SPA's TanStack query client. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: true,
        retry: (failures, err) => failures < 2 && !final.has(ConnectError.from(err).code),
      },
      mutations: { retry: false },
    },
  });
}

/** AppProviders puts query client, transport and session in context. */
export function AppProviders({
  transport,
  store,
  queryClient,
  children,
}: {
  transport: Transport;
  store: TokenStore;
  queryClient: QueryClient;
  children: ReactNode;
}) {
  return (
    <QueryClientProvider client={queryClient}>
      <TransportProvider transport={transport}>
        <SessionProvider store={store}>{children}</SessionProvider>
      </TransportProvider>
    </QueryClientProvider>
  );
}
