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

/**
 * FieldError is an invalid_argument error the server pinned on one request
 * field. The server's translator (backend/internal/api/errors.go) writes
 * apperr.Invalid(field, …) as "<field>: <message>", the field named as in the
 * proto (snake_case, dotted for nested fields: "scope.id").
 */
export interface FieldError {
  field: string;
  message: string;
}

const fieldPattern = /^([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*(?:\[\d+\])?): (.+)$/s;

/** fieldError returns the field an invalid_argument error names, or null for any other error. */
export function fieldError(err: unknown): FieldError | null {
  if (!err) return null;
  const ce = ConnectError.from(err);
  if (ce.code !== Code.InvalidArgument) return null;
  const m = fieldPattern.exec(ce.rawMessage.trim());
  if (!m?.[1] || !m[2]) return null;
  return { field: m[1], message: capitalise(m[2]) };
}

/**
 * splitFieldError puts an error beside the form field it names: `fields`
 * maps the request's field names to the form's; byField has the message of
 * the field at fault, and rest is the error when no field of this form is at
 * fault (shown in the form's alert box, as before).
 */
export function splitFieldError<F extends string>(
  err: unknown,
  fields: Record<string, F>,
): { byField: Partial<Record<F, string>>; rest: unknown } {
  const fe = fieldError(err);
  const target = fe ? (fields[fe.field] ?? fields[fe.field.split(".")[0] ?? ""]) : undefined;
  if (!fe || !target) return { byField: {}, rest: err };
  return { byField: { [target]: fe.message } as Partial<Record<F, string>>, rest: null };
}
