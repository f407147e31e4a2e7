import { Code, ConnectError } from "@connectrpc/connect";

const fallback: Partial<Record<Code, string>> = {
  [Code.InvalidArgument]: "Some of the values are not valid.",
  [Code.AlreadyExists]: "That already exists.",
  [Code.NotFound]: "Not found. It may have been deleted.",
  [Code.PermissionDenied]: "You are not allowed to do that.",
  [Code.Unauthenticated]: "You are not signed in.",
  [Code.ResourceExhausted]: "Too many attempts. Please wait a moment and try again.",
  [Code.FailedPrecondition]: "This cannot be done in the current state.",
  [Code.Unavailable]: "The server cannot be reached. Please try again.",
  [Code.DeadlineExceeded]: "The server took too long to answer. Please try again.",
  [Code.Internal]: "Something went wrong on the server.",
};

/** describeError turns any thrown value into a message for people. */
export function describeError(err: unknown): string {
  const ce = ConnectError.from(err);
  const message = ce.rawMessage.trim();
  if (message && ce.code !== Code.Internal && ce.code !== Code.Unknown) {
    return capitalise(message);
  }
  return fallback[ce.code] ?? (message ? capitalise(message) : "Something went wrong.");
}

/** errorCode returns the Connect code of an error (Code.Unknown for others). */
export function errorCode(err: unknown): Code {
  return ConnectError.from(err).code;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
