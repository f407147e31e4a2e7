import { createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { AuthService } from "../../gen/wegweiser/v1/auth_pb";
import { createAuthInterceptor } from "./interceptor";
import { tokenPairFrom, type TokenStore } from "./tokens";

/**
 * createAppTransport is the SPA's Connect transport (JSON, same origin by
 * default) with the auth interceptor. Refresh calls go through a second
 * transport without it.
 */
export function createAppTransport(opts: {
  baseUrl: string;
  store: TokenStore;
  onSessionLost?: () => void;
}): Transport {
  const plain = createConnectTransport({ baseUrl: opts.baseUrl });
  return createConnectTransport({
    baseUrl: opts.baseUrl,
    interceptors: [authInterceptorFor(plain, opts.store, opts.onSessionLost)],
  });
}

/** authInterceptorFor builds the auth interceptor refreshing through `plain`. */
export function authInterceptorFor(
  plain: Transport,
  store: TokenStore,
  onSessionLost?: () => void,
): Interceptor {
  const auth = createClient(AuthService, plain);
  return createAuthInterceptor({
    store,
    onSessionLost,
    refresh: async (refreshToken) => tokenPairFrom(await auth.refresh({ refreshToken })),
  });
}
