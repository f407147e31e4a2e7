package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/server"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
)

func send(t *testing.T, method, url string, header map[string]string, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	return res
}

// TestSecurityHeaders: every response (API, SPA, health, errors, CORS
// preflight) carries the hardening headers and no cookie; HSTS only over
// TLS as a trusted proxy reports it.
func TestSecurityHeaders(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServerWith(t, st, func(c *config.Config) {
			trustLocalProxy(c)
			c.CORSOrigins = []string{"https://app.example"}
		})
		ten := testenv.NewTenant(t, srv, "headers")
		tok := ten.Login(t, ten.Owner)
		jsonH := map[string]string{"Content-Type": "application/json"}
		authed := map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + tok}
		responses := map[string]*http.Response{
			"SPA":             send(t, http.MethodGet, srv.URL+"/", nil, ""),
			"SPA deep link":   send(t, http.MethodGet, srv.URL+"/settings/security", nil, ""),
			"healthz":         send(t, http.MethodGet, srv.URL+"/healthz", nil, ""),
			"login":           send(t, http.MethodPost, srv.URL+"/"+login, jsonH, `{"email":"`+ten.Owner.Email+`","password":"`+testenv.Password+`"}`),
			"signed-in call":  send(t, http.MethodPost, srv.URL+"/"+whoAmI, authed, `{}`),
			"unauthenticated": send(t, http.MethodPost, srv.URL+"/"+listOrgs, jsonH, `{}`),
			"preflight": send(t, http.MethodOptions, srv.URL+"/"+listOrgs, map[string]string{
				"Origin": "https://app.example", "Access-Control-Request-Method": "POST",
				"Access-Control-Request-Headers": "authorization,connect-protocol-version,content-type", // as browsers send it: sorted, lower case
			}, ""),
		}
		for name, res := range responses {
			h := res.Header
			csp := h.Get("Content-Security-Policy")
			if csp != server.ContentSecurityPolicy || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") ||
				!strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("%s: Content-Security-Policy %q", name, csp)
			}
			for k, want := range map[string]string{
				"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
			} {
				if got := h.Get(k); got != want {
					t.Errorf("%s: %s %q, want %q", name, k, got, want)
				}
			}
			pp := h.Get("Permissions-Policy")
			if !strings.Contains(pp, "publickey-credentials-get=(self)") || !strings.Contains(pp, "publickey-credentials-create=(self)") ||
				!strings.Contains(pp, "camera=()") || !strings.Contains(pp, "microphone=()") || !strings.Contains(pp, "geolocation=()") {
				t.Errorf("%s: Permissions-Policy %q", name, pp)
			}
			if h.Get("Strict-Transport-Security") != "" {
				t.Errorf("%s: HSTS over plain HTTP", name)
			}
			if len(res.Cookies()) > 0 || h.Get("Set-Cookie") != "" {
				t.Errorf("%s sets a cookie: %v", name, h.Values("Set-Cookie"))
			}
		}

		// CORS: the configured origin may send the SPA's headers, without
		// credentials; another origin gets no grant.
		pre := responses["preflight"]
		if pre.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
			t.Fatalf("preflight from the configured origin: %v", pre.Header)
		}
		allowed := strings.ToLower(pre.Header.Get("Access-Control-Allow-Headers"))
		for _, want := range []string{"authorization", "content-type", "connect-protocol-version"} {
			if !strings.Contains(allowed, want) {
				t.Errorf("preflight does not allow %s: %q", want, allowed)
			}
		}
		if pre.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Error("CORS allows credentials")
		}
		other := send(t, http.MethodOptions, srv.URL+"/"+listOrgs, map[string]string{
			"Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
		}, "")
		if other.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("preflight from another origin granted: %v", other.Header)
		}
		actual := send(t, http.MethodPost, srv.URL+"/"+whoAmI, map[string]string{
			"Content-Type": "application/json", "Authorization": "Bearer " + tok, "Origin": "https://app.example",
		}, `{}`)
		if actual.Header.Get("Access-Control-Allow-Origin") != "https://app.example" || actual.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Fatalf("cross-origin call: %v", actual.Header)
		}

		// HSTS: behind the trusted proxy that terminated TLS.
		if h := send(t, http.MethodGet, srv.URL+"/healthz", map[string]string{"X-Forwarded-Proto": "https"}, "").Header; h.Get("Strict-Transport-Security") != server.HSTS {
			t.Fatalf("HSTS behind a TLS proxy: %q", h.Get("Strict-Transport-Security"))
		}
		// An untrusted peer cannot claim TLS.
		plain := testenv.StartServer(t, st)
		if h := send(t, http.MethodGet, plain.URL+"/healthz", map[string]string{"X-Forwarded-Proto": "https"}, "").Header; h.Get("Strict-Transport-Security") != "" {
			t.Fatal("HSTS for an untrusted X-Forwarded-Proto")
		}
	})
}
