package config

import (
	"flag"
	"testing"
)

func TestTrustedProxies(t *testing.T) {
	var c Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	c.Register(fs)
	if err := fs.Parse([]string{"-trusted-proxies", "10.0.0.0/8, 192.0.2.7,::1", "-listen-addr", ":1"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedProxies) != 3 || c.TrustedProxies[1].String() != "192.0.2.7/32" || c.TrustedProxies[2].String() != "::1/128" {
		t.Fatalf("trusted proxies %v", c.TrustedProxies)
	}
	if !c.PublicSignup {
		t.Fatal("public sign-up is off by default")
	}
	if _, err := ParseCIDRs("10.0.0.0/33"); err == nil {
		t.Fatal("bad CIDR accepted")
	}
	if _, err := ParseCIDRs("proxy.example.com"); err == nil {
		t.Fatal("host name accepted")
	}
}
