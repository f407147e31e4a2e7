// Package apperr defines the errors domain code returns to say what went
// wrong in terms a caller can act on. The API edge translates them to
// Connect codes in one place (api.ToConnect); anything else is an
// internal error, logged and masked.
package apperr

import (
	"errors"
	"fmt"

	"github.com/wegweiser/wegweiser/ent"
)

// Kind classifies an error for the caller.
type Kind int

// The kinds, each mapped to one Connect code at the API edge.
const (
	KindInvalid Kind = iota + 1
	KindNotFound
	KindAlreadyExists
	KindPermissionDenied
	KindUnauthenticated
	KindFailedPrecondition
	KindResourceExhausted
	KindUnavailable
)

// Error is a domain error with a message safe to show the caller.
type Error struct {
	Kind Kind
	// Field names the request field at fault, for KindInvalid.
	Field string
	// Msg is shown to the caller.
	Msg string
	// RetryAfter hints when to try again, for KindResourceExhausted.
	RetryAfterSeconds int
	// Err is the cause, for logs; never shown.
	Err error
}

func (e *Error) Error() string {
	msg := e.Msg
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Invalid reports a bad request field.
func Invalid(field, format string, args ...any) error {
	return &Error{Kind: KindInvalid, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// NotFound reports that an object does not exist or is not visible to the
// caller: the two are indistinguishable on purpose.
func NotFound(what string) error {
	return &Error{Kind: KindNotFound, Msg: what + " not found"}
}

// AlreadyExists reports a uniqueness conflict.
func AlreadyExists(format string, args ...any) error {
	return &Error{Kind: KindAlreadyExists, Msg: fmt.Sprintf(format, args...)}
}

// PermissionDenied reports a missing permission.
func PermissionDenied(format string, args ...any) error {
	return &Error{Kind: KindPermissionDenied, Msg: fmt.Sprintf(format, args...)}
}

// Unauthenticated reports missing or bad credentials.
func Unauthenticated(format string, args ...any) error {
	return &Error{Kind: KindUnauthenticated, Msg: fmt.Sprintf(format, args...)}
}

// FailedPrecondition reports that the system is not in a state where the
// request can be done (e.g. deleting an organisation that still has devices).
func FailedPrecondition(format string, args ...any) error {
	return &Error{Kind: KindFailedPrecondition, Msg: fmt.Sprintf(format, args...)}
}

// ResourceExhausted reports a limit; retryAfter is a hint in seconds.
func ResourceExhausted(retryAfter int, format string, args ...any) error {
	return &Error{Kind: KindResourceExhausted, RetryAfterSeconds: retryAfter, Msg: fmt.Sprintf(format, args...)}
}

// Unavailable reports a dependency that is down; the caller may retry.
func Unavailable(cause error, format string, args ...any) error {
	return &Error{Kind: KindUnavailable, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// As returns the domain error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err is a domain error of kind k.
func Is(err error, k Kind) bool {
	e, ok := As(err)
	return ok && e.Kind == k
}

// NotFoundIf turns ent's not-found error into NotFound(what); any other
// error (or nil) passes unchanged.
func NotFoundIf(err error, what string) error {
	if ent.IsNotFound(err) {
		return NotFound(what)
	}
	return err
}
