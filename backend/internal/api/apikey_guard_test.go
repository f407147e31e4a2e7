package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/authz"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// TestGuardAPIKeyViewers: a viewer that came from an API key is held to
// its role like a member (ai.use at /mcp, casbin in the API) and is
// refused session-only procedures.
func TestGuardAPIKeyViewers(t *testing.T) {
	enf, err := authz.NewEnforcer()
	if err != nil {
		t.Fatal(err)
	}
	tenant := uuid.New()
	auth := tokens{
		"wwk_viewer":   {UserID: uuid.New(), TenantID: tenant, Role: viewer.RoleViewer, APIKeyID: uuid.New()},
		"wwk_stranger": {UserID: uuid.New(), TenantID: tenant, Role: viewer.Role("auditor"), APIKeyID: uuid.New()},
		"wwk_owner":    {UserID: uuid.New(), TenantID: tenant, Role: viewer.RoleOwner, APIKeyID: uuid.New()},
	}
	g := NewGuard(auth, nil, enf, authz.Procedures, slog.New(slog.DiscardHandler))
	mcp := g.RequirePermission(authz.AIUse, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	for token, want := range map[string]int{"wwk_viewer": http.StatusOK, "wwk_stranger": http.StatusForbidden} {
		req := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		mcp.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("%s at /mcp: %d, want %d (%s)", token, rec.Code, want, rec.Body)
		}
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := g.Middleware(1<<10, next)
	for _, c := range []struct {
		token, procedure string
		want             int
	}{
		{"wwk_owner", wegweiserv1connect.DeviceServiceListDevicesProcedure, http.StatusTeapot},
		{"wwk_viewer", wegweiserv1connect.TenantServiceCreateOrganisationProcedure, http.StatusForbidden},
		{"wwk_owner", wegweiserv1connect.APIKeyServiceCreateAPIKeyProcedure, http.StatusForbidden},
	} {
		req := httptest.NewRequest(http.MethodPost, c.procedure, strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("%s calling %s: %d, want %d (%s)", c.token, c.procedure, rec.Code, c.want, rec.Body)
		}
	}
}
