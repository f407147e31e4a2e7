// Package netguard keeps outgoing connections to endpoints a tenant chose
// (webhooks, language model APIs) away from loopback, link-local, private
// and other special addresses: a dialer that checks the address actually
// connected to, after DNS resolution, and a check of a host when it is
// saved. Alert webhooks and the AI providers share it.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// specialRange is an address block tenant endpoints must not reach unless the
// operator allows private targets. When embedded is set, the block carries
// an IPv4 address at byte offset embedded, and only addresses whose
// embedded IPv4 is itself special are refused (the rest reach a public
// IPv4 host through a translator or relay).
type specialRange struct {
	prefix   netip.Prefix
	embedded int
}

func special(cidr string) specialRange { return specialRange{prefix: netip.MustParsePrefix(cidr)} }

func embeds(cidr string, offset int) specialRange {
	return specialRange{prefix: netip.MustParsePrefix(cidr), embedded: offset}
}

// specialRanges is the one table of loopback, private, shared, reserved,
// documentation, benchmarking, multicast and translation ranges (the IANA
// IPv4 and IPv6 Special-Purpose Address Registries, RFC 6890), each with
// the RFC that defines it.
var specialRanges = []specialRange{
	// IPv4
	special("0.0.0.0/8"),          // RFC 791, RFC 1122 §3.2.1.3: "this network"
	special("10.0.0.0/8"),         // RFC 1918: private
	special("100.64.0.0/10"),      // RFC 6598: shared address space (carrier-grade NAT)
	special("127.0.0.0/8"),        // RFC 1122 §3.2.1.3: loopback
	special("169.254.0.0/16"),     // RFC 3927: link-local (cloud metadata at 169.254.169.254)
	special("172.16.0.0/12"),      // RFC 1918: private
	special("192.0.0.0/24"),       // RFC 6890 §2.2.2: IETF protocol assignments
	special("192.0.2.0/24"),       // RFC 5737: documentation (TEST-NET-1)
	special("192.88.99.0/24"),     // RFC 7526: deprecated 6to4 relay anycast
	special("192.168.0.0/16"),     // RFC 1918: private
	special("198.18.0.0/15"),      // RFC 2544: benchmarking
	special("198.51.100.0/24"),    // RFC 5737: documentation (TEST-NET-2)
	special("203.0.113.0/24"),     // RFC 5737: documentation (TEST-NET-3)
	special("224.0.0.0/4"),        // RFC 5771: multicast
	special("240.0.0.0/4"),        // RFC 1112 §4: reserved
	special("255.255.255.255/32"), // RFC 919, RFC 8190: limited broadcast
	// IPv6
	special("::/128"),           // RFC 4291 §2.5.2: unspecified
	special("::1/128"),          // RFC 4291 §2.5.3: loopback
	special("::/96"),            // RFC 4291 §2.5.5.1: deprecated IPv4-compatible
	embeds("::ffff:0:0/96", 12), // RFC 4291 §2.5.5.2: IPv4-mapped
	embeds("64:ff9b::/96", 12),  // RFC 6052: NAT64 well-known prefix
	special("64:ff9b:1::/48"),   // RFC 8215: local-use NAT64
	special("100::/64"),         // RFC 6666: discard-only
	special("2001::/32"),        // RFC 4380: Teredo (embedded IPv4 obfuscated)
	special("2001:2::/48"),      // RFC 5180: benchmarking
	special("2001:10::/28"),     // RFC 4843: ORCHID (deprecated)
	special("2001:20::/28"),     // RFC 7343: ORCHIDv2
	special("2001:db8::/32"),    // RFC 3849: documentation
	embeds("2002::/16", 2),      // RFC 3056: 6to4
	special("3fff::/20"),        // RFC 9637: documentation
	special("5f00::/16"),        // RFC 9602: SRv6 SIDs
	special("fc00::/7"),         // RFC 4193: unique local
	special("fe80::/10"),        // RFC 4291 §2.5.6: link-local
	special("fec0::/10"),        // RFC 3879: deprecated site-local
	special("ff00::/8"),         // RFC 4291 §2.7: multicast
}

// Forbidden reports whether a tenant endpoint may not connect to addr: an invalid
// address, one in a special range, or one embedding a special IPv4.
func Forbidden(addr netip.Addr) bool {
	if !addr.IsValid() {
		return true
	}
	addr = addr.WithZone("") // a zoned address never matches a prefix
	for _, r := range specialRanges {
		if !r.prefix.Contains(addr) {
			continue
		}
		if r.embedded == 0 {
			return true
		}
		b := addr.As16()
		v4 := netip.AddrFrom4([4]byte(b[r.embedded : r.embedded+4]))
		return Forbidden(v4)
	}
	return false
}

// ErrForbiddenAddress is returned by the dialer for a refused address.
var ErrForbiddenAddress = errors.New("refusing to connect to a loopback, private or reserved address")

// ControlAddress is the dialer's Control hook: it runs after DNS resolution,
// on the address actually being connected to, so a name checked when the
// endpoint was saved cannot be pointed at a private address later.
func ControlAddress(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || Forbidden(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	return nil
}

// NewDialer returns the dialer tenant endpoints are reached with; unless
// allowPrivate, it refuses special addresses before connecting.
func NewDialer(allowPrivate bool) *net.Dialer {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if !allowPrivate {
		d.Control = ControlAddress
	}
	return d
}

// Resolver looks up a host's addresses (net.DefaultResolver, or a fake in
// tests).
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// PublicHost reports whether host (a name or an IP literal) resolves only
// to addresses a tenant endpoint may reach. It does not say why not: a host that
// does not resolve and one that resolves to a private address look the
// same to the caller.
func PublicHost(ctx context.Context, r Resolver, host string) bool {
	if a, err := netip.ParseAddr(host); err == nil {
		return !Forbidden(a)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return false
	}
	for _, a := range addrs {
		if Forbidden(a) {
			return false
		}
	}
	return true
}

// NewTransport returns an HTTP transport that connects through
// NewDialer(allowPrivate) and never through a proxy (a proxy would connect
// on the endpoint's behalf, past the check).
func NewTransport(allowPrivate bool) *http.Transport {
	return &http.Transport{
		Proxy: nil, DialContext: NewDialer(allowPrivate).DialContext,
		TLSHandshakeTimeout: 5 * time.Second, ForceAttemptHTTP2: true,
	}
}
