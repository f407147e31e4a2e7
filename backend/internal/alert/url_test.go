package alert

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wegweiser/wegweiser/backend/internal/netguard"
)

// fakeResolver answers from a map; names not in it do not resolve.
type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	ss, ok := f[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, Server: "10.0.0.2:53", IsNotFound: true}
	}
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out, nil
}

var names = fakeResolver{
	"hooks.example.com": {"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"},
	"db.internal":       {"10.0.0.5"},
	"cgnat.example.com": {"100.64.1.2"},
	"mixed.example.com": {"93.184.215.14", "192.168.1.1"},
	"nat64.example.com": {"64:ff9b::a9fe:a9fe"}, // 169.254.169.254 through NAT64
}

// TestWebhookURLs: without the operator's permission, webhooks must be
// https and must not point at special addresses, by literal or by name.
func TestWebhookURLs(t *testing.T) {
	ctx := context.Background()
	s := &Service{resolver: names}
	for _, u := range []string{
		"http://example.com/hook",                // not https
		"https://127.0.0.1/hook",                 // loopback
		"https://[::1]/hook",                     // loopback v6
		"https://10.1.2.3/hook",                  // private
		"https://192.168.0.10/hook",              // private
		"https://169.254.169.254/latest/meta",    // link-local (cloud metadata)
		"https://100.64.0.1/hook",                // CGNAT
		"https://198.18.0.1/hook",                // benchmarking
		"https://[64:ff9b::a9fe:a9fe]/hook",      // NAT64 of the metadata address
		"https://[::ffff:127.0.0.1]/hook",        // IPv4-mapped loopback
		"https://[2002:c0a8:1::1]/hook",          // 6to4 of 192.168.0.1
		"https://[fd00::1]/hook",                 // unique local
		"https://db.internal/hook",               // name of a private address
		"https://cgnat.example.com/hook",         // name of a CGNAT address
		"https://mixed.example.com/hook",         // one of its addresses is private
		"https://nat64.example.com/hook",         // AAAA into NAT64 of link-local
		"https://nowhere.internal/hook",          // does not resolve
		"https://user:pw@hooks.example.com/hook", // credentials
		"ftp://example.com/x",
		"not a url",
	} {
		if _, err := s.checkURL(ctx, u); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	for _, u := range []string{"https://hooks.example.com/hook", "https://8.8.8.8/x", "https://[64:ff9b::808:808]/x"} {
		if _, err := s.checkURL(ctx, u); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	allowed := &Service{allowPrivate: true}
	if _, err := allowed.checkURL(ctx, "http://127.0.0.1:8080/hook"); err != nil {
		t.Errorf("operator-allowed private URL refused: %v", err)
	}
}

// TestWebhookErrorsDoNotRevealResolution: creating a webhook whose host does
// not resolve, one whose host resolves to a private address (by a fake
// resolver, and "localhost" by the system's) and one naming a private
// address gives the same message, which names neither the host's addresses
// nor the resolver's answer.
func TestWebhookErrorsDoNotRevealResolution(t *testing.T) {
	ctx := context.Background()
	fake := &Service{resolver: names}
	system := &Service{}
	var msgs []string
	for _, c := range []struct {
		s   *Service
		url string
	}{
		{fake, "https://nowhere.internal/hook"},
		{fake, "https://db.internal/hook"},
		{fake, "https://10.0.0.5/hook"},
		{system, "https://localhost/hook"},
	} {
		_, _, err := c.s.CreateWebhook(ctx, c.url, "", nil)
		if err == nil {
			t.Fatalf("%s accepted", c.url)
		}
		msgs = append(msgs, err.Error())
	}
	for i, m := range msgs {
		if m != msgs[0] {
			t.Fatalf("messages differ:\n%q\n%q", msgs[0], m)
		}
		for _, leak := range []string{"10.0.0", "127.0.0.1", "no such host", "resolve to a private", "does not resolve"} {
			if strings.Contains(m, leak) {
				t.Fatalf("message %d %q reveals %q", i, m, leak)
			}
		}
	}
}

// ipv6 reports whether the machine can open IPv6 sockets.
func ipv6() bool {
	c, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// TestDialerRefusesSpecialAddresses tests the connect-time check directly:
// a dialer that does not allow private addresses refuses loopback and the
// other special ranges after resolution and before connecting (a listener
// on 127.0.0.1 never sees a connection), also when a DNS name
// ("localhost") leads there; the dialer that allows them connects.
func TestDialerRefusesSpecialAddresses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			_ = c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	targets := []string{
		ln.Addr().String(), net.JoinHostPort("localhost", strconv.Itoa(port)), net.JoinHostPort("::ffff:127.0.0.1", strconv.Itoa(port)),
		"10.1.2.3:443", "100.64.0.1:443", "169.254.169.254:80", "198.18.0.1:443", "192.0.0.1:443", "0.0.0.0:80",
		"240.0.0.1:443", "203.0.113.5:443",
	}
	if ipv6() {
		targets = append(targets, net.JoinHostPort("::1", strconv.Itoa(port)), "[64:ff9b::7f00:1]:80", "[2002:a00:1::1]:80", "[fd00::1]:443", "[2001:db8::1]:443")
	}
	d := netguard.NewDialer(false)
	for _, target := range targets {
		c, err := d.DialContext(ctx, "tcp", target)
		if err == nil {
			_ = c.Close()
			t.Errorf("dialed %s", target)
			continue
		}
		if !errors.Is(err, netguard.ErrForbiddenAddress) {
			t.Errorf("dialing %s: %v, want the address refused before connecting", target, err)
		}
	}
	if err := netguard.ControlAddress("tcp", "not-an-address", nil); !errors.Is(err, netguard.ErrForbiddenAddress) {
		t.Errorf("an address that does not parse passed: %v", err)
	}

	// Through the webhook client: no request reaches the server, and the
	// delivery log's text is the same as for a name that does not resolve.
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	local := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	_, sendErr := newHTTPClient(false).post(ctx, local+"/hook", []byte("{}"), nil)
	if sendErr == nil || hits.Load() != 0 {
		t.Fatalf("webhook client reached %s: %v", local, sendErr)
	}
	dnsErr := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "db.internal", Server: "10.0.0.2:53", IsNotFound: true}}
	if a, b := deliveryError(sendErr), deliveryError(dnsErr); a != b || strings.Contains(a, "127.0.0.1") || strings.Contains(a, "10.0.0.2") {
		t.Fatalf("delivery log texts: private %q, unresolved %q", a, b)
	}

	if accepted.Load() != 0 {
		t.Fatalf("%d connections reached the listener", accepted.Load())
	}
	// The same dialer with private addresses allowed connects: the refusals
	// above are the check's, not the test machine's.
	c, err := netguard.NewDialer(true).DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("allowed dialer: %v", err)
	}
	_ = c.Close()
	if _, err := newHTTPClient(true).post(ctx, local+"/hook", []byte("{}"), nil); err != nil || hits.Load() != 1 {
		t.Fatalf("allowed client: %v (%d requests)", err, hits.Load())
	}
}
