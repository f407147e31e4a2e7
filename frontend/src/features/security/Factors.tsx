/** Factors lists and manages the caller's passkeys, authenticator app and recovery codes. */
export function Factors() {
  return null;
}
