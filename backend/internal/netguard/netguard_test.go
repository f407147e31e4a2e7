package netguard

import (
	"context"
	"net"
	"net/netip"
	"testing"
)

// TestSpecialRanges: every special-purpose range is refused, including
// IPv4 embedded in NAT64, IPv4-mapped and 6to4 addresses; public
// addresses, also embedded ones, are allowed.
func TestSpecialRanges(t *testing.T) {
	refused := []string{
		"0.0.0.0", "0.1.2.3", "10.1.2.3", "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.255.0.1",
		"169.254.169.254", "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.1", "192.88.99.1",
		"192.168.0.10", "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1",
		"239.255.255.250", "240.0.0.1", "255.255.255.255",
		"::", "::1", "::127.0.0.1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
		"64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b::6440:1", "64:ff9b:1::1", "100::1",
		"2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:2::1", "2001:db8::1", "2001:10::1", "2001:20::1",
		"2002:7f00:1::1", "2002:a00:1::", "2002:c0a8:101::1", "3fff::1", "5f00::1",
		"fc00::1", "fd12:3456::1", "fe80::1", "fe80::1%eth0", "fec0::1", "ff02::1",
	}
	for _, s := range refused {
		if !Forbidden(netip.MustParseAddr(s)) {
			t.Errorf("%s allowed", s)
		}
	}
	allowed := []string{
		"8.8.8.8", "1.1.1.1", "93.184.215.14", "100.63.255.255", "100.128.0.1", "198.17.255.255", "198.20.0.1",
		"192.0.1.1", "223.255.255.255", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e",
		"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",
	}
	for _, s := range allowed {
		if Forbidden(netip.MustParseAddr(s)) {
			t.Errorf("%s refused", s)
		}
	}
	if !Forbidden(netip.Addr{}) {
		t.Error("the zero address allowed")
	}
}

// fakeResolver answers from a map; names not in it do not resolve.
type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	ss, ok := f[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out, nil
}

// TestPublicHost: literals and names are judged by every address they
// resolve to; a name that does not resolve is not public.
func TestPublicHost(t *testing.T) {
	r := fakeResolver{"api.example.com": {"93.184.215.14"}, "llm.internal": {"10.0.0.7"}, "mixed.example.com": {"93.184.215.14", "127.0.0.1"}}
	ctx := context.Background()
	for host, want := range map[string]bool{
		"api.example.com": true, "8.8.8.8": true, "llm.internal": false, "mixed.example.com": false,
		"nowhere.example": false, "127.0.0.1": false, "::1": false,
	} {
		if got := PublicHost(ctx, r, host); got != want {
			t.Errorf("PublicHost(%s) = %t, want %t", host, got, want)
		}
	}
}
