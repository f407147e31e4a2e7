import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { TokenPair, TokenStore } from "./tokens";

/** AUTH_SERVICE is the fully-qualified name of wegweiser.v1.AuthService. */
const AUTH_SERVICE = "wegweiser.v1.AuthService";
/** Methods that take no access token and must never trigger a refresh. */
const PUBLIC_METHODS = new Set([
  "SignUp",
  "Login",
  "Refresh",
  "AcceptInvitation",
  "GetAuthConfig",
  "VerifyEmail",
  "RequestPasswordReset",
  "ResetPassword",
]);
/** Refresh a little before the access token expires, to spare a round trip. */
const EXPIRY_SKEW_MS = 10_000;

/** AuthInterceptorOptions wires the interceptor to the session. */
export interface AuthInterceptorOptions {
  store: TokenStore;
  /** Exchanges a refresh token for a new pair (AuthService.Refresh on a transport without this interceptor). */
  refresh: (refreshToken: string) => Promise<TokenPair>;
  /** Called after the session was lost (refresh failed); the tokens are already cleared. */
  onSessionLost?: () => void;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * createAuthInterceptor sends `Authorization: Bearer <access token>` and, when
 * a call fails with unauthenticated, refreshes the token pair once (one
 * refresh in flight at a time, shared by all waiting calls) and retries the
 * call. When the refresh fails, the tokens are cleared and onSessionLost runs.
 */
export function createAuthInterceptor(opts: AuthInterceptorOptions): Interceptor {
  const { store, refresh, onSessionLost } = opts;
  const now = opts.now ?? Date.now;
  let inflight: Promise<TokenPair> | null = null;

  // refreshFrom rotates the pair whose access token was `used`. If another
  // call rotated it meanwhile, the current pair is returned instead: sending
  // an already-used refresh token would revoke the whole session.
  const refreshFrom = (used: TokenPair): Promise<TokenPair> => {
    const current = store.get();
    if (!current) {
      return Promise.reject(new ConnectError("signed out", Code.Unauthenticated));
    }
    if (current.accessToken !== used.accessToken && !inflight) {
      return Promise.resolve(current);
    }
    if (!inflight) {
      inflight = refresh(current.refreshToken)
        .then((pair) => {
          store.set(pair);
          return pair;
        })
        .catch((err: unknown) => {
          // Only drop the session if nobody replaced it in the meantime
          // (another tab signing in, for example).
          if (store.get()?.refreshToken === current.refreshToken) {
            store.set(null);
            onSessionLost?.();
          }
          throw err;
        })
        .finally(() => {
          inflight = null;
        });
    }
    return inflight;
  };

  return (next) => async (req) => {
    const isAuthService = req.service.typeName === AUTH_SERVICE;
    if (isAuthService && PUBLIC_METHODS.has(req.method.name)) {
      return next(req);
    }
    // Logout must not refresh (and must not loop): it goes out with whatever we have.
    const mayRefresh = !(isAuthService && req.method.name === "Logout");

    let tokens = store.get();
    if (tokens && mayRefresh && tokens.accessTokenExpiresAt > 0 &&
        tokens.accessTokenExpiresAt - EXPIRY_SKEW_MS <= now()) {
      try {
        tokens = await refreshFrom(tokens);
      } catch {
        throw new ConnectError("your session has expired, please sign in again", Code.Unauthenticated);
      }
    }
    if (tokens) req.header.set("Authorization", `Bearer ${tokens.accessToken}`);

    try {
      return await next(req);
    } catch (err) {
      const ce = ConnectError.from(err);
      if (ce.code !== Code.Unauthenticated || !tokens || !mayRefresh || req.stream) {
        throw err;
      }
      let fresh: TokenPair;
      try {
        fresh = await refreshFrom(tokens);
      } catch {
        throw err;
      }
      req.header.set("Authorization", `Bearer ${fresh.accessToken}`);
      return next(req);
    }
  };
}
