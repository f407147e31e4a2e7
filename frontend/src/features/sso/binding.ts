/**
 * The browser binding of a single sign-on: a random value kept in this
 * tab's sessionStorage from "Sign in with SSO" until the /login/sso page
 * redeems the callback's code. The server only sees its SHA-256 at the
 * start, and the value itself at the end, so a code that leaks from the
 * address bar is useless in another browser.
 */
export const BINDING_KEY = "wegweiser.sso.binding";

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** newBinding makes and keeps a fresh binding and returns its SHA-256 (hex). */
export async function newBinding(): Promise<string> {
  const raw = new Uint8Array(32);
  crypto.getRandomValues(raw);
  const value = hex(raw.buffer);
  storage()?.setItem(BINDING_KEY, value);
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value)));
}

/** takeBinding returns the kept binding and forgets it (it works once). */
export function takeBinding(): string {
  const s = storage();
  const value = s?.getItem(BINDING_KEY) ?? "";
  s?.removeItem(BINDING_KEY);
  return value;
}
