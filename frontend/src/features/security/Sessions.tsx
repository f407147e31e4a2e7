/** Sessions lists the caller's sign-in sessions with revoke and "sign out everywhere". */
export function Sessions() {
  return null;
}
