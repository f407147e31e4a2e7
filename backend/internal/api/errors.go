// Package api holds what every Connect service shares at the API edge: the
// interceptor that authenticates and authorizes each call against the
// permission map, and the one translator from domain errors to Connect
// codes. The services themselves live in one sub-package each.
package api

import (
	"context"
	"crypto/rand"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/loglimit"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/privacy"
)

var kindCodes = map[apperr.Kind]connect.Code{
	apperr.KindInvalid:            connect.CodeInvalidArgument,
	apperr.KindNotFound:           connect.CodeNotFound,
	apperr.KindAlreadyExists:      connect.CodeAlreadyExists,
	apperr.KindPermissionDenied:   connect.CodePermissionDenied,
	apperr.KindUnauthenticated:    connect.CodeUnauthenticated,
	apperr.KindFailedPrecondition: connect.CodeFailedPrecondition,
	apperr.KindResourceExhausted:  connect.CodeResourceExhausted,
	apperr.KindUnavailable:        connect.CodeUnavailable,
}

// errorLogs limits the lines ToConnect writes: during an outage every
// request fails the same way, and one line per request would flood the log.
// Lines are keyed by procedure, code and error class.
var errorLogs = loglimit.New(loglimit.Options{})

// logLimited writes one error line through errorLogs.
func logLimited(ctx context.Context, log *slog.Logger, level slog.Level, procedure string, code connect.Code, err error, msg string, args ...any) {
	key := procedure + "|" + code.String() + "|" + errorClass(err)
	errorLogs.Log(ctx, log, level, key, msg, args...)
}

// errorClass names the kind of the innermost cause of err (its Go type),
// which stays the same across requests failing for the same reason while
// the messages differ (addresses, references).
func errorClass(err error) string {
	for {
		var next error
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			next = u.Unwrap()
		case interface{ Unwrap() []error }:
			if errs := u.Unwrap(); len(errs) > 0 {
				next = errs[0]
			}
		}
		if next == nil {
			return fmt.Sprintf("%T", err)
		}
		err = next
	}
}

// ToConnect translates err into a Connect error with the right code. Errors
// the caller cannot act on are logged and masked as internal with a
// reference the operator can find in the logs. The logging is rate-limited
// per procedure, code and error class (loglimit defaults: 5 lines a minute,
// then one summary line with the count of suppressed ones); a suppressed
// internal error's reference appears only if it was the last of its
// interval.
func ToConnect(ctx context.Context, log *slog.Logger, procedure string, err error) error {
	if err == nil {
		return nil
	}
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce
	}
	if e, ok := apperr.As(err); ok {
		out := connect.NewError(kindCodes[e.Kind], errors.New(e.Error()))
		if e.Kind == apperr.KindUnauthenticated || e.Kind == apperr.KindUnavailable {
			out = connect.NewError(kindCodes[e.Kind], errors.New(e.Msg))
		}
		if e.RetryAfterSeconds > 0 {
			out.Meta().Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
		}
		if e.Kind == apperr.KindUnavailable {
			logLimited(ctx, log, slog.LevelWarn, procedure, connect.CodeUnavailable, err, "dependency unavailable", "procedure", procedure, "err", err)
		}
		return out
	}
	switch {
	case errors.Is(err, context.Canceled):
		return connect.NewError(connect.CodeCanceled, errors.New("request canceled"))
	case errors.Is(err, context.DeadlineExceeded):
		return connect.NewError(connect.CodeDeadlineExceeded, errors.New("request timed out"))
	case ent.IsNotFound(err):
		return connect.NewError(connect.CodeNotFound, errors.New("not found"))
	case errors.Is(err, privacy.Deny):
		return connect.NewError(connect.CodePermissionDenied, errors.New("not allowed"))
	case ent.IsValidationError(err):
		var ve *ent.ValidationError
		errors.As(err, &ve)
		return connect.NewError(connect.CodeInvalidArgument, errors.New(ve.Name+": invalid value"))
	case ent.IsConstraintError(err):
		return connect.NewError(connect.CodeFailedPrecondition, errors.New("conflicts with existing data"))
	case isUnavailable(err):
		logLimited(ctx, log, slog.LevelWarn, procedure, connect.CodeUnavailable, err, "database unavailable", "procedure", procedure, "err", err)
		return connect.NewError(connect.CodeUnavailable, errors.New("service temporarily unavailable; retry shortly"))
	}
	ref := newRef()
	logLimited(ctx, log, slog.LevelError, procedure, connect.CodeInternal, err, "internal error", "procedure", procedure, "ref", ref, "err", err)
	return connect.NewError(connect.CodeInternal, errors.New("internal error (ref "+ref+")"))
}

// isUnavailable reports errors that mean the database cannot be reached.
func isUnavailable(err error) bool {
	var ne net.Error
	var pgErr *pgconn.PgError
	var connErr *pgconn.ConnectError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.As(err, &connErr), errors.As(err, &ne):
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exception; 57P01-03: admin shutdown, crash, cannot connect now.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY") ||
		strings.Contains(msg, "closed pool") || strings.Contains(msg, "connection refused")
}

func newRef() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
