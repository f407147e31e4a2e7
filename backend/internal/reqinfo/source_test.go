package reqinfo

import (
	"net/http"
	"net/netip"
	"testing"
)

func TestSourcesAddr(t *testing.T) {
	trusted := Sources{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	none := Sources{}
	h := func(xff ...string) http.Header {
		out := http.Header{}
		for _, v := range xff {
			out.Add("X-Forwarded-For", v)
		}
		return out
	}
	cases := []struct {
		name string
		s    Sources
		peer string
		h    http.Header
		want string
	}{
		{"no proxy configured: header ignored", none, "198.51.100.1:5000", h("203.0.113.7"), "198.51.100.1"},
		{"untrusted peer: header ignored", trusted, "198.51.100.1:5000", h("203.0.113.7"), "198.51.100.1"},
		{"trusted peer: right-most hop", trusted, "10.0.0.2:5000", h("203.0.113.7"), "203.0.113.7"},
		{"client-forged left part skipped", trusted, "10.0.0.2:5000", h("1.1.1.1, 203.0.113.7"), "203.0.113.7"},
		{"chain of trusted proxies", trusted, "10.0.0.2:5000", h("203.0.113.7, 10.1.1.1"), "203.0.113.7"},
		{"several headers", trusted, "10.0.0.2:5000", h("1.1.1.1", "203.0.113.7"), "203.0.113.7"},
		{"garbage hop: last trusted", trusted, "10.0.0.2:5000", h("nonsense"), "10.0.0.2"},
		{"only trusted hops", trusted, "10.0.0.2:5000", h("10.9.9.9"), "10.9.9.9"},
		{"IPv6 keyed by /64", none, "[2001:db8:1:2:3:4:5:6]:443", nil, "2001:db8:1:2::/64"},
		{"IPv4-mapped IPv6", none, "[::ffff:198.51.100.1]:5000", nil, "198.51.100.1"},
	}
	for _, c := range cases {
		if got := c.s.Addr(c.peer, c.h); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
