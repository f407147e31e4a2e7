import { createClient } from "@connectrpc/connect";
import { useTransport } from "@connectrpc/connect-query";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import {
  createContext,
  useCallback,
  useEffect,
  useMemo,
  useSyncExternalStore,
  type ReactNode,
} from "react";
import { AuthService } from "../../gen/wegweiser/v1/auth_pb";
import type { WhoAmIResponse } from "../../gen/wegweiser/v1/auth_pb";
import type { TokenPair, TokenStore } from "./tokens";

/** Session is the signed-in state of this browser. */
export interface Session {
  /** The current tokens; null when signed out. */
  tokens: TokenPair | null;
  /** signIn stores a new pair (after SignUp, Login or AcceptInvitation). */
  signIn(tokens: TokenPair): void;
  /** signOut revokes the session on the server (best effort) and forgets it here. */
  signOut(): Promise<void>;
}

/**
 * forgetSession drops what was cached for a session. The server's public
 * sign-in settings (GetAuthConfig) belong to no session and are kept, so a
 * signed-out page that is loading them is not cut off.
 */
function forgetSession(queryClient: QueryClient) {
  queryClient.removeQueries({
    predicate: (q) => !JSON.stringify(q.queryKey).includes('"methodName":"GetAuthConfig"'),
  });
  queryClient.getMutationCache().clear();
}

/** SessionContext carries the Session; use useSession() to read it. */
export const SessionContext = createContext<Session | null>(null);

/** SessionProvider exposes the token store as a Session. Needs TransportProvider and QueryClientProvider above it. */
export function SessionProvider({ store, children }: { store: TokenStore; children: ReactNode }) {
  const tokens = useSyncExternalStore(store.subscribe, store.get, store.get);
  const queryClient = useQueryClient();
  const transport = useTransport();

  // Whatever was cached belongs to the previous session.
  useEffect(() => {
    if (!tokens) forgetSession(queryClient);
  }, [tokens, queryClient]);

  const signIn = useCallback(
    (pair: TokenPair) => {
      forgetSession(queryClient);
      store.set(pair);
    },
    [store, queryClient],
  );

  const signOut = useCallback(async () => {
    const current = store.get();
    if (current) {
      try {
        await createClient(AuthService, transport).logout({ refreshToken: current.refreshToken });
      } catch {
        // The tokens are forgotten either way; an expired session is fine.
      }
    }
    store.set(null);
    forgetSession(queryClient);
  }, [store, transport, queryClient]);

  const session = useMemo(() => ({ tokens, signIn, signOut }), [tokens, signIn, signOut]);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** ViewerContext carries the caller (WhoAmI) inside the signed-in layout. */
export const ViewerContext = createContext<WhoAmIResponse | null>(null);
