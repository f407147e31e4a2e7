package server

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ContentSecurityPolicy is sent with every response. Scripts come only
// from the server itself (the SPA build has no inline script); styles may
// be inline (React style attributes); images may be data: or blob: URLs
// (the favicon, tenant logos); nothing may frame the app; forms post only
// to the server.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// PermissionsPolicy keeps passkeys (WebAuthn) and clipboard writes for the
// app's own pages and turns off the device features it never uses.
const PermissionsPolicy = "publickey-credentials-get=(self), publickey-credentials-create=(self), " +
	"clipboard-write=(self), camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), " +
	"hid=(), bluetooth=(), midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), " +
	"screen-wake-lock=(), browsing-topics=(), interest-cohort=()"

// HSTS is sent over TLS only (directly, or behind a trusted proxy that
// says so): a year, subdomains included.
const HSTS = "max-age=31536000; includeSubDomains"

// securityHeaders sets the browser hardening headers on every response
// (API, SPA, downloads): CSP, no framing, no MIME sniffing, no referrer,
// the permissions policy, and HSTS when the request came over TLS.
// X-Forwarded-Proto counts only from a trusted proxy.
func securityHeaders(trusted []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Permissions-Policy", PermissionsPolicy)
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if overTLS(r, trusted) {
			h.Set("Strict-Transport-Security", HSTS)
		}
		next.ServeHTTP(w, r)
	})
}

// overTLS reports whether the client reached the server over TLS: this
// connection is TLS, or the peer is a trusted proxy whose last
// X-Forwarded-Proto is https.
func overTLS(r *http.Request, trusted []netip.Prefix) bool {
	if r.TLS != nil {
		return true
	}
	values := r.Header.Values("X-Forwarded-Proto")
	if len(values) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	peer = peer.Unmap().WithZone("")
	for _, p := range trusted {
		if p.Contains(peer) {
			last := values[len(values)-1]
			if i := strings.LastIndex(last, ","); i >= 0 {
				last = last[i+1:]
			}
			return strings.EqualFold(strings.TrimSpace(last), "https")
		}
	}
	return false
}
