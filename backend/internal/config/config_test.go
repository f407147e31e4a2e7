package config

import (
	"errors"
	"flag"
	"strings"
	"testing"
	"time"
)

func parsed(t *testing.T, args ...string) Config {
	t.Helper()
	var c Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	c.Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCheckKeys: on PostgreSQL both keys are required unless keys may be
// generated (flag or environment); the embedded store needs none.
func TestCheckKeys(t *testing.T) {
	for _, v := range []string{"DATABASE_URL", "JWT_KEY", "SECRET_KEY", "GENERATE_KEYS"} {
		t.Setenv("WEGWEISER_"+v, "")
	}
	c := parsed(t, "-database-url", "postgres://db/wegweiser")
	err := c.CheckKeys(true)
	if !errors.Is(err, ErrKeysRequired) {
		t.Fatalf("PostgreSQL without keys: %v", err)
	}
	for _, want := range []string{"WEGWEISER_JWT_KEY (-jwt-key) and WEGWEISER_SECRET_KEY (-secret-key) are not set", "openssl rand -base64 32", "-generate-keys"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if c := parsed(t); c.CheckKeys(false) != nil {
		t.Fatal("embedded store without keys refused")
	}
	c = parsed(t, "-generate-keys")
	if err := c.CheckKeys(true); err != nil {
		t.Fatalf("with -generate-keys: %v", err)
	}
	t.Setenv("WEGWEISER_GENERATE_KEYS", "true")
	if c := parsed(t); !c.GenerateKeys {
		t.Fatal("WEGWEISER_GENERATE_KEYS=true not read")
	}
	t.Setenv("WEGWEISER_GENERATE_KEYS", "")
	t.Setenv("WEGWEISER_JWT_KEY", "a2V5")
	t.Setenv("WEGWEISER_SECRET_KEY", "a2V5")
	c = parsed(t)
	if err := c.CheckKeys(true); err != nil {
		t.Fatalf("with both keys: %v", err)
	}
}

// TestShutdownTimeoutFromEnv: the shutdown timeout has an environment
// variable like every other setting, and a malformed one is an error.
func TestShutdownTimeoutFromEnv(t *testing.T) {
	t.Setenv("WEGWEISER_SHUTDOWN_TIMEOUT", "45s")
	c := parsed(t)
	if err := c.Validate(); err != nil || c.ShutdownTimeout != 45*time.Second {
		t.Fatalf("timeout %s, err %v; want 45s", c.ShutdownTimeout, err)
	}
	t.Setenv("WEGWEISER_SHUTDOWN_TIMEOUT", "soon")
	c = parsed(t)
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "WEGWEISER_SHUTDOWN_TIMEOUT") {
		t.Fatalf("malformed timeout: %v", err)
	}
}
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

// TestAIFromEnv: the operator's model endpoint and budget come from the
// environment; the budget defaults to DefaultAITokenBudget, a malformed or
// negative one and an endpoint without a model are refused.
func TestAIFromEnv(t *testing.T) {
	for _, v := range []string{"AI_BASE_URL", "AI_MODEL", "AI_API_KEY", "AI_AZURE_API_VERSION", "AI_TOKEN_BUDGET", "AI_ALLOW_PRIVATE"} {
		t.Setenv("WEGWEISER_"+v, "")
	}
	c := parsed(t)
	if err := c.Validate(); err != nil || c.AITokenBudget != DefaultAITokenBudget || c.AIBaseURL != "" || c.AIAllowPrivate {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	t.Setenv("WEGWEISER_AI_BASE_URL", "http://127.0.0.1:11434/v1")
	t.Setenv("WEGWEISER_AI_MODEL", "llama3.2")
	t.Setenv("WEGWEISER_AI_API_KEY", "k")
	t.Setenv("WEGWEISER_AI_TOKEN_BUDGET", "500000")
	t.Setenv("WEGWEISER_AI_ALLOW_PRIVATE", "true")
	c = parsed(t)
	if err := c.Validate(); err != nil || c.AIBaseURL != "http://127.0.0.1:11434/v1" || c.AIModel != "llama3.2" || c.AIAPIKey != "k" ||
		c.AITokenBudget != 500000 || !c.AIAllowPrivate {
		t.Fatalf("from the environment: %+v %v", c, err)
	}
	t.Setenv("WEGWEISER_AI_TOKEN_BUDGET", "lots")
	if c = parsed(t); c.Validate() == nil {
		t.Fatal("malformed budget accepted")
	}
	t.Setenv("WEGWEISER_AI_TOKEN_BUDGET", "-1")
	if c = parsed(t); c.Validate() == nil {
		t.Fatal("negative budget accepted")
	}
	t.Setenv("WEGWEISER_AI_TOKEN_BUDGET", "")
	t.Setenv("WEGWEISER_AI_MODEL", "")
	if c = parsed(t); c.Validate() == nil {
		t.Fatal("an endpoint without a model accepted")
	}
}
