package reqinfo

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Sources finds the client address of a call (for the sign-in throttles,
// sessions and the audit log).
// The peer address is the client unless the peer is one of the trusted
// proxies; then X-Forwarded-For is read from the right, skipping trusted
// proxies, and the first untrusted hop is the client. A client can put
// anything into X-Forwarded-For, so only hops appended by trusted proxies
// count. IPv6 clients are keyed by their /64, which one host usually
// controls entirely.
type Sources struct {
	Trusted []netip.Prefix
}

// Addr returns the client address of a call from peer ("host:port") with
// header h.
func (s Sources) Addr(peer string, h http.Header) string {
	cur, ok := parseHost(peer)
	if !ok {
		return "peer:" + peer
	}
	if !s.trusted(cur) {
		return key(cur)
	}
	var hops []string
	for _, v := range h.Values("X-Forwarded-For") {
		for _, hop := range strings.Split(v, ",") {
			if hop = strings.TrimSpace(hop); hop != "" {
				hops = append(hops, hop)
			}
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHost(hops[i])
		if !ok {
			// Garbage where a trusted proxy should have written an address:
			// the last trusted hop is all we know.
			return key(cur)
		}
		cur = a
		if !s.trusted(a) {
			return key(a)
		}
	}
	return key(cur)
}

func (s Sources) trusted(a netip.Addr) bool {
	for _, p := range s.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHost parses "1.2.3.4", "1.2.3.4:5", "[::1]:5" or "::1".
func parseHost(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		if a, err := netip.ParseAddr(host); err == nil {
			return a.Unmap().WithZone(""), true
		}
	}
	return netip.Addr{}, false
}

func key(a netip.Addr) string {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
