package sso

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// Dialer returns the dialer identity providers are reached with. Unlike a
// tenant's webhooks and AI endpoints (netguard), an issuer may live on a
// private address: companies run Keycloak or ADFS on their own network,
// and only the tenant's owner configures it. Link-local addresses (cloud
// metadata services such as 169.254.169.254), multicast and the
// unspecified address are refused after DNS resolution. Loopback is
// allowed (a provider on the same host, and the tests).
func Dialer() *net.Dialer {
	return &net.Dialer{Timeout: 5 * time.Second, Control: controlAddress}
}

func controlAddress(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || Refused(ap.Addr()) {
		return fmt.Errorf("refusing to connect to a link-local, multicast or unspecified address: %s", address)
	}
	return nil
}

// Refused reports whether an identity provider may not be reached at addr.
func Refused(addr netip.Addr) bool {
	addr = addr.WithZone("").Unmap()
	return !addr.IsValid() || addr.IsUnspecified() || addr.IsLinkLocalUnicast() ||
		addr.IsLinkLocalMulticast() || addr.IsInterfaceLocalMulticast() || addr.IsMulticast()
}
