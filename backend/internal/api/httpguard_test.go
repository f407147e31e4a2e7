package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/authz"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// tokens is an Authenticator over fixed tokens.
type tokens map[string]*viewer.Viewer

func (ts tokens) Authenticate(_ context.Context, token string) (*viewer.Viewer, error) {
	switch token {
	case "db-down":
		return nil, apperr.Unavailable(errors.New("connection refused"), "service temporarily unavailable; retry shortly")
	}
	v, ok := ts[token]
	if !ok {
		return nil, apperr.Unauthenticated("invalid or expired access token")
	}
	return v, nil
}

// TestRequirePermission: a plain HTTP endpoint behind the Guard gets the
// viewer of the bearer token when its role holds the permission, and is
// never reached otherwise: 401 with a Bearer challenge for a missing or bad
// token, 403 for a role without the permission (checked with casbin), 503
// when authentication cannot reach the database.
func TestRequirePermission(t *testing.T) {
	enf, err := authz.NewEnforcer()
	if err != nil {
		t.Fatal(err)
	}
	tenant := uuid.New()
	auth := tokens{
		"owner":    {UserID: uuid.New(), TenantID: tenant, Role: viewer.RoleOwner},
		"customer": {UserID: uuid.New(), TenantID: tenant, Role: viewer.RoleCustomer, OrganisationIDs: []uuid.UUID{uuid.New()}},
		// A role the policy does not know holds nothing.
		"stranger": {UserID: uuid.New(), TenantID: tenant, Role: viewer.Role("auditor")},
	}
	g := NewGuard(auth, nil, enf, authz.Procedures, slog.New(slog.DiscardHandler))
	var reached *viewer.Viewer
	h := g.RequirePermission(authz.AIUse, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = viewer.FromContext(r.Context())
		_, _ = io.WriteString(w, "ok")
	}))
	for _, c := range []struct {
		name, header string
		status       int
		code         string
		challenge    string
	}{
		{"owner", "Bearer owner", http.StatusOK, "", ""},
		{"customer", "bearer customer", http.StatusOK, "", ""},
		{"no token", "", http.StatusUnauthorized, "unauthenticated", `Bearer realm="wegweiser"`},
		{"bad token", "Bearer forged", http.StatusUnauthorized, "unauthenticated", `Bearer realm="wegweiser", error="invalid_token"`},
		{"not bearer", "Basic b3duZXI6eA==", http.StatusUnauthorized, "unauthenticated", `Bearer realm="wegweiser", error="invalid_token"`},
		{"role without ai.use", "Bearer stranger", http.StatusForbidden, "permission_denied", ""},
		{"database down", "Bearer db-down", http.StatusServiceUnavailable, "unavailable", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			reached = nil
			req := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(`{}`))
			if c.header != "" {
				req.Header.Set("Authorization", c.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != c.challenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, c.challenge)
			}
			if c.status == http.StatusOK {
				want := auth[strings.Fields(c.header)[1]]
				if reached != want {
					t.Fatalf("handler ran as %+v, want %+v", reached, want)
				}
				return
			}
			if reached != nil {
				t.Fatal("a refused request reached the handler")
			}
			var body struct{ Code, Message string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Code != c.code || body.Message == "" {
				t.Fatalf("body %s (%v), want code %s and a message", rec.Body, err, c.code)
			}
			if c.code == "permission_denied" && !strings.Contains(body.Message, "ai.use") {
				t.Errorf("message %q does not name the permission", body.Message)
			}
		})
	}
}

// TestJSONHandler: a plain JSON endpoint gets the Connect handlers' limits:
// bytes, elements per list and nesting, refused before it reads anything.
func TestJSONHandler(t *testing.T) {
	var got string
	h := Limits{MaxBytes: 64, MaxListElements: 3, MaxDepth: 4}.JSONHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = string(b)
	}))
	for _, c := range []struct {
		body, encoding string
		status         int
	}{
		{`{"a":[1,2,3]}`, "", http.StatusOK},
		{`{"a":"` + strings.Repeat("x", 64) + `"}`, "", http.StatusRequestEntityTooLarge},
		{`{"a":[1,2,3,4]}`, "", http.StatusRequestEntityTooLarge},
		{`[[[[[1]]]]]`, "", http.StatusRequestEntityTooLarge},
		{`{"a":1}`, "gzip", http.StatusUnsupportedMediaType},
	} {
		got = ""
		req := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(c.body))
		if c.encoding != "" {
			req.Header.Set("Content-Encoding", c.encoding)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.status {
			t.Errorf("%.30s: status %d, want %d (%s)", c.body, rec.Code, c.status, rec.Body)
		}
		if c.status == http.StatusOK && got != c.body {
			t.Errorf("handler read %q, want %q", got, c.body)
		}
		if c.status != http.StatusOK && got != "" {
			t.Errorf("%.30s: refused body reached the handler", c.body)
		}
	}
}
