package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/authz"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Authenticator turns an access token into a viewer.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*viewer.Viewer, error)
}

// DeviceAuthenticator turns a device token into the device's tenant viewer
// and the device.
type DeviceAuthenticator interface {
	AuthenticateDevice(ctx context.Context, token string) (*viewer.Viewer, *ent.Device, error)
}

// EnrolmentKeyVerifier checks an enrolment key (found, active, uses left)
// before an Enroll call's body is read.
type EnrolmentKeyVerifier interface {
	VerifyEnrolmentKey(ctx context.Context, key string) error
}

// AgentCredentials authenticates what agents present: device tokens and
// enrolment keys.
type AgentCredentials interface {
	DeviceAuthenticator
	EnrolmentKeyVerifier
}

type deviceKey struct{}

type enrolmentKeyKey struct{}

// admittedKey marks a context whose call the Guard's middleware already
// admitted; the value is the procedure.
type admittedKey struct{}

// EnrolmentKeyOf returns the enrolment key an Enroll call presented as its
// bearer credential (verified before the body was read), or "".
func EnrolmentKeyOf(ctx context.Context) string {
	k, _ := ctx.Value(enrolmentKeyKey{}).(string)
	return k
}

// DeviceOf returns the device of an agent call (authenticated by its device
// token), or nil.
func DeviceOf(ctx context.Context) *ent.Device {
	d, _ := ctx.Value(deviceKey{}).(*ent.Device)
	return d
}

// Guard is the interceptor every service runs behind. For each call it
// looks up the procedure in authz.Procedures (unknown procedures are refused:
// it fails closed), authenticates the bearer token, checks the permission
// with casbin, puts the viewer in the context and translates whatever error
// comes back with ToConnect. Its Middleware does the same in front of the
// Connect handlers, before the request body is read; the interceptor then
// reuses that decision.
type Guard struct {
	auth       Authenticator
	devices    AgentCredentials
	enforcer   *authz.Enforcer
	procedures map[string]authz.Access
	log        *slog.Logger
}

// NewGuard returns the interceptor over the given permission map.
func NewGuard(auth Authenticator, devices AgentCredentials, enforcer *authz.Enforcer, procedures map[string]authz.Access, log *slog.Logger) *Guard {
	return &Guard{auth: auth, devices: devices, enforcer: enforcer, procedures: procedures, log: log}
}

var _ connect.Interceptor = (*Guard)(nil)

// admit decides a call; it returns the context to run it with.
func (g *Guard) admit(ctx context.Context, procedure string, header http.Header) (context.Context, error) {
	if p, _ := ctx.Value(admittedKey{}).(string); p == procedure {
		return ctx, nil
	}
	access, ok := g.procedures[procedure]
	if !ok {
		g.log.ErrorContext(ctx, "procedure missing from the permission map; refusing", "procedure", procedure)
		return ctx, apperr.PermissionDenied("procedure not permitted")
	}
	return g.admitAccess(ctx, access, header)
}

// admitAccess decides a call that requires access; it returns the context
// to run it with.
func (g *Guard) admitAccess(ctx context.Context, access authz.Access, header http.Header) (context.Context, error) {
	token, hasToken, err := bearer(header)
	if err != nil {
		return ctx, err
	}
	if !hasToken {
		if access.Public {
			return ctx, nil
		}
		return ctx, apperr.Unauthenticated("missing access token: send Authorization: Bearer <token>")
	}
	if access.EnrolmentKey {
		if err := g.devices.VerifyEnrolmentKey(ctx, token); err != nil {
			return ctx, err
		}
		return context.WithValue(ctx, enrolmentKeyKey{}, token), nil
	}
	if access.Device {
		v, d, err := g.devices.AuthenticateDevice(ctx, token)
		if err != nil {
			return ctx, err
		}
		return context.WithValue(viewer.NewContext(ctx, v), deviceKey{}, d), nil
	}
	v, err := g.auth.Authenticate(ctx, token)
	if err != nil {
		if access.Public && apperr.Is(err, apperr.KindUnauthenticated) {
			// A stale token on a public call (e.g. Login) is ignored.
			return ctx, nil
		}
		return ctx, err
	}
	ctx = viewer.NewContext(ctx, v)
	if access.SessionOnly && v.APIKeyID != uuid.Nil {
		return ctx, apperr.PermissionDenied("an API key cannot call this; sign in as a member")
	}
	if v.SecondFactorSetupPending && !access.DuringFactorSetup && !access.Public {
		return ctx, apperr.FailedPrecondition("your organisation requires a second factor: set up a passkey or an authenticator app under Settings → Security first")
	}
	if access.Public || access.Permission == (authz.Permission{}) {
		return ctx, nil
	}
	allowed, err := g.enforcer.Allowed(v, access.Permission)
	if err != nil {
		return ctx, err
	}
	if !allowed {
		return ctx, apperr.PermissionDenied("your role (%s) lacks %s", v.Role, access.Permission)
	}
	return ctx, nil
}

// Middleware authenticates and authorizes each call of a procedure in the
// permission map before its body is read, so that a caller without a valid
// credential cannot make the server read, decompress or unmarshal anything:
// a refused call is answered (in the caller's protocol) at once. The
// decision travels in the request context and the interceptor does not
// repeat it. Public procedures get their body capped at publicMaxBytes as
// sent (compressed); the handlers' Limits cap it after decompression.
// Paths outside the permission map pass through unchanged.
func (g *Guard) Middleware(publicMaxBytes int64, next http.Handler) http.Handler {
	errs := connect.NewErrorWriter()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		procedure := r.URL.Path
		access, ok := g.procedures[procedure]
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		ctx, err := g.admit(r.Context(), procedure, r.Header)
		if err != nil {
			_ = errs.Write(w, r, ToConnect(ctx, g.log, procedure, err))
			return
		}
		if access.Public {
			r.Body = http.MaxBytesReader(w, r.Body, publicMaxBytes)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, admittedKey{}, procedure)))
	})
}

// Authorize admits a plain HTTP request to an endpoint outside the Connect
// services (the MCP endpoint) exactly like a call of a procedure that needs
// p: the bearer access token goes through the same Authenticator (a user's
// session, refreshed membership and role on every request) and p is checked
// with casbin. It returns the request's context with the viewer in it, or an
// apperr: unauthenticated for a missing or bad token, permission_denied when
// the role lacks p.
func (g *Guard) Authorize(r *http.Request, p authz.Permission) (context.Context, error) {
	return g.admitAccess(r.Context(), authz.Access{Permission: p}, r.Header)
}

// RequirePermission guards a plain HTTP endpoint (not a Connect service)
// with Authorize before its body is read: next runs with the caller's viewer
// in the request context. A refusal is answered with the HTTP status of its
// Connect code and a JSON body {"code", "message"}: 401 with a
// WWW-Authenticate Bearer challenge for a missing or bad token, 403 for a
// missing permission, 503 when the database is down.
func (g *Guard) RequirePermission(p authz.Permission, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, err := g.Authorize(r, p)
		if err != nil {
			writeHTTPError(w, ToConnect(ctx, g.log, r.URL.Path, err), r.Header.Get("Authorization") != "")
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// writeHTTPError answers a plain HTTP request with err (a Connect error from
// ToConnect). hadToken says whether the request presented a credential, for
// the Bearer challenge of a 401.
func writeHTTPError(w http.ResponseWriter, err error, hadToken bool) {
	code := connect.CodeOf(err)
	msg := err.Error()
	var ce *connect.Error
	if errors.As(err, &ce) {
		msg = ce.Message()
	}
	status := httpStatus(code)
	if status == http.StatusUnauthorized {
		challenge := `Bearer realm="wegweiser"`
		if hadToken {
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	if ce != nil {
		if ra := ce.Meta().Get("Retry-After"); ra != "" {
			w.Header().Set("Retry-After", ra)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code.String(), "message": msg})
}

// httpStatus is the HTTP status of a Connect code (Connect's own mapping).
func httpStatus(code connect.Code) int {
	switch code {
	case connect.CodeCanceled:
		return 499
	case connect.CodeInvalidArgument, connect.CodeFailedPrecondition, connect.CodeOutOfRange:
		return http.StatusBadRequest
	case connect.CodeDeadlineExceeded:
		return http.StatusGatewayTimeout
	case connect.CodeNotFound:
		return http.StatusNotFound
	case connect.CodeAlreadyExists, connect.CodeAborted:
		return http.StatusConflict
	case connect.CodePermissionDenied:
		return http.StatusForbidden
	case connect.CodeResourceExhausted:
		return http.StatusTooManyRequests
	case connect.CodeUnimplemented:
		return http.StatusNotImplemented
	case connect.CodeUnavailable:
		return http.StatusServiceUnavailable
	case connect.CodeUnauthenticated:
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

func bearer(h http.Header) (string, bool, error) {
	raw := h.Get("Authorization")
	if raw == "" {
		return "", false, nil
	}
	scheme, token, ok := strings.Cut(raw, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false, apperr.Unauthenticated("Authorization header must be \"Bearer <token>\"")
	}
	return strings.TrimSpace(token), true, nil
}

// WrapUnary implements connect.Interceptor.
func (g *Guard) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		procedure := req.Spec().Procedure
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		ctx, err := g.admit(ctx, procedure, req.Header())
		if err != nil {
			return nil, ToConnect(ctx, g.log, procedure, err)
		}
		res, err := next(ctx, req)
		if err != nil {
			return nil, ToConnect(ctx, g.log, procedure, err)
		}
		return res, nil
	}
}

// WrapStreamingClient implements connect.Interceptor (no-op).
func (g *Guard) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler implements connect.Interceptor.
func (g *Guard) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		procedure := conn.Spec().Procedure
		ctx, err := g.admit(ctx, procedure, conn.RequestHeader())
		if err != nil {
			return ToConnect(ctx, g.log, procedure, err)
		}
		if err := next(ctx, conn); err != nil {
			return ToConnect(ctx, g.log, procedure, err)
		}
		return nil
	}
}

// ViewerOf returns the viewer of an authenticated call. Handlers behind a
// non-public procedure can rely on it; the Guard refused the call otherwise.
func ViewerOf(ctx context.Context) (*viewer.Viewer, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, errors.New("no viewer: procedure reached a handler without authentication")
	}
	return v, nil
}
