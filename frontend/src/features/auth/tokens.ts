import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampMs } from "@bufbuild/protobuf/wkt";

/** STORAGE_KEY is the one localStorage key holding the session's tokens. */
export const STORAGE_KEY = "wegweiser.session";

/** TokenPair is what the SPA keeps of a session. Times are Unix milliseconds (0 = unknown). */
export interface TokenPair {
  accessToken: string;
  accessTokenExpiresAt: number;
  refreshToken: string;
  refreshTokenExpiresAt: number;
}

/** TokenStore holds the current token pair and tells subscribers when it changes. */
export interface TokenStore {
  get(): TokenPair | null;
  set(tokens: TokenPair | null): void;
  subscribe(listener: () => void): () => void;
}

/** TokenResponse is the shape shared by SignUp, Login, Refresh and AcceptInvitation responses. */
export interface TokenResponse {
  accessToken: string;
  accessTokenExpiresAt?: Timestamp;
  refreshToken: string;
  refreshTokenExpiresAt?: Timestamp;
}

/** tokenPairFrom extracts the token pair of an auth response. */
export function tokenPairFrom(res: TokenResponse): TokenPair {
  return {
    accessToken: res.accessToken,
    accessTokenExpiresAt: res.accessTokenExpiresAt ? timestampMs(res.accessTokenExpiresAt) : 0,
    refreshToken: res.refreshToken,
    refreshTokenExpiresAt: res.refreshTokenExpiresAt ? timestampMs(res.refreshTokenExpiresAt) : 0,
  };
}

/**
 * createTokenStore keeps the pair in storage (localStorage by default) under
 * STORAGE_KEY. Changes made by other tabs are picked up on the next get() and
 * announced to subscribers.
 */
export function createTokenStore(storage: Storage | undefined = safeLocalStorage()): TokenStore {
  const listeners = new Set<() => void>();
  let memory: string | null = null; // used when storage is unavailable
  let cachedRaw: string | null = null;
  let cached: TokenPair | null = null;

  const read = (): string | null => {
    if (!storage) return memory;
    try {
      return storage.getItem(STORAGE_KEY);
    } catch {
      return memory;
    }
  };
  const write = (raw: string | null) => {
    memory = raw;
    if (!storage) return;
    try {
      if (raw === null) storage.removeItem(STORAGE_KEY);
      else storage.setItem(STORAGE_KEY, raw);
    } catch {
      // Private mode or quota: the in-memory copy still works for this tab.
    }
  };
  const notify = () => listeners.forEach((l) => l());

  const onStorage = (e: StorageEvent) => {
    if (e.key === STORAGE_KEY || e.key === null) notify();
  };

  return {
    get() {
      const raw = read();
      if (raw !== cachedRaw) {
        cachedRaw = raw;
        cached = parse(raw);
      }
      return cached;
    },
    set(tokens) {
      write(tokens ? JSON.stringify(tokens) : null);
      notify();
    },
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1 && typeof window !== "undefined") {
        window.addEventListener("storage", onStorage);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && typeof window !== "undefined") {
          window.removeEventListener("storage", onStorage);
        }
      };
    },
  };
}

function parse(raw: string | null): TokenPair | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<TokenPair>;
    if (typeof v.accessToken !== "string" || typeof v.refreshToken !== "string") return null;
    return {
      accessToken: v.accessToken,
      accessTokenExpiresAt: Number(v.accessTokenExpiresAt) || 0,
      refreshToken: v.refreshToken,
      refreshTokenExpiresAt: Number(v.refreshTokenExpiresAt) || 0,
    };
  } catch {
    return null;
  }
}

function safeLocalStorage(): Storage | undefined {
  try {
    return typeof localStorage === "undefined" ? undefined : localStorage;
  } catch {
    return undefined;
  }
}
