// Package reqinfo carries where a request comes from (the client address,
// as the trusted proxies allow it to be known, and the User-Agent) through
// its context, for the sign-in throttles, the session list and the audit
// log.
package reqinfo

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// MaxUserAgent is how much of a User-Agent is kept.
const MaxUserAgent = 300

// Info is where a request comes from.
type Info struct {
	// Address is the client address (an IPv6 client's /64), "" when unknown.
	Address string
	// UserAgent is the request's User-Agent, clipped to MaxUserAgent.
	UserAgent string
}

type ctxKey struct{}

// With returns a copy of ctx that carries i.
func With(ctx context.Context, i Info) context.Context {
	return context.WithValue(ctx, ctxKey{}, i)
}

// From returns the Info of ctx (zero outside a request).
func From(ctx context.Context) Info {
	i, _ := ctx.Value(ctxKey{}).(Info)
	return i
}

// Of returns the Info of r as seen through sources.
func (s Sources) Of(r *http.Request) Info {
	return Info{Address: s.Addr(r.RemoteAddr, r.Header), UserAgent: clip(r.UserAgent())}
}

// Middleware puts the Info of each request into its context.
func Middleware(trusted []netip.Prefix, next http.Handler) http.Handler {
	s := Sources{Trusted: trusted}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(With(r.Context(), s.Of(r))))
	})
}

func clip(s string) string {
	s = strings.ToValidUTF8(strings.TrimSpace(s), "")
	if len(s) <= MaxUserAgent {
		return s
	}
	s = s[:MaxUserAgent]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
