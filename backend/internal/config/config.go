// Package config reads Wegweiser's configuration from flags and WEGWEISER_*
// environment variables (flags win).
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/ai/tools"
	"github.com/wegweiser/wegweiser/backend/internal/api/agentapi"
	"github.com/wegweiser/wegweiser/backend/internal/mail"
)

// Config is the server's configuration.
type Config struct {
	// DatabaseURL is a postgres:// URL; empty means embedded SQLite in DataDir.
	DatabaseURL string
	// RedisURL is a redis:// URL for state shared between replicas (the
	// login throttle); empty means in this process.
	RedisURL string
	// ListenAddr is where the HTTP server listens.
	ListenAddr string
	// DataDir holds the embedded database and generated keys.
	DataDir string
	// PublicURL is how users reach the dashboard (for links in invitations).
	PublicURL string
	// WebAuthnOrigins are origins accepted for passkeys besides PublicURL's
	// (e.g. a dev server on another port); the RP id stays PublicURL's host.
	WebAuthnOrigins []string
	// AgentDir holds the agent builds and packages the server offers for
	// download (what `make agents` writes); empty means "agents" next to
	// the server's executable (bin/agents for bin/wegweiser).
	AgentDir string
	// CORSOrigins are the browser origins allowed to call the API.
	CORSOrigins []string
	// JWTKey is a base64 Ed25519 seed; empty means generate and keep one in
	// DataDir.
	JWTKey string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// ShutdownTimeout bounds graceful shutdown.
	ShutdownTimeout time.Duration
	// SecretKey is a base64 AES-256 key that encrypts tenant secrets at rest;
	// empty means generate one in DataDir.
	SecretKey string
	// AllowPrivateWebhooks lets webhooks target loopback and private
	// addresses (and plain http).
	AllowPrivateWebhooks bool
	// OperatorPassword, when set, mounts River's job dashboard at /riverui/
	// behind HTTP Basic authentication (user "operator"). The dashboard shows
	// jobs of every tenant, so it is for operators of the installation,
	// never for tenant users.
	OperatorPassword string
	// GenerateKeys lets a PostgreSQL-backed process generate JWTKey and
	// SecretKey and keep them in DataDir when they are not set. Only safe
	// when exactly one process ever runs against the database, with the
	// same data directory; the embedded SQLite store always does this.
	GenerateKeys bool
	// Workers runs the background job workers in this process.
	Workers bool
	// JobPollInterval is how often workers look for new jobs.
	JobPollInterval time.Duration
	// TrustedProxies are the networks of reverse proxies whose
	// X-Forwarded-For is believed; empty means the peer address is the
	// client (X-Forwarded-For is ignored).
	TrustedProxies []netip.Prefix
	// SMTPURL is smtp://user:pass@host:587 (or smtps://…:465) for mail;
	// empty writes mails to the log instead.
	SMTPURL string
	// MailFrom is the sender address of mails.
	MailFrom string
	// ChromiumPath is the Chromium that prints reports as PDF; PDF is
	// unavailable when it is not there.
	ChromiumPath string
	// PublicSignup lets anyone create a tenant with SignUp.
	PublicSignup bool
	// RedisPrefix namespaces the keys Wegweiser keeps in Redis.
	RedisPrefix string
	// APIKeyRateLimit is how many requests one API key may make per
	// minute; 0 means apikey.DefaultRateLimit (600).
	APIKeyRateLimit int
	// Mail, when set, replaces the sender made from SMTPURL (tests keep
	// messages in a mail.Recorder).
	Mail mail.Sender
	// MCPTools, when set, replaces tools.Catalogue as the tools the MCP
	// endpoint serves (tests serve fakes that read through the app's
	// services).
	MCPTools func(tools.Deps) []tools.Tool
	// AIResolver, when set, replaces the resolver of the tenants' model
	// endpoints and budgets (tests point it at a local endpoint); nil
	// answers with the built-in answerer.
	AIResolver ai.Resolver
	// ChatSummaryBudget, when set, replaces the estimated token size past
	// which a conversation's older messages are summarised.
	ChatSummaryBudget int
	// AIBaseURL is the operator's default language model endpoint (any
	// OpenAI-compatible API) for tenants without their own; empty: the
	// built-in answerer.
	AIBaseURL string
	// AIModel is the default endpoint's model (Azure: the deployment).
	AIModel string
	// AIAPIKey is the default endpoint's key.
	AIAPIKey string
	// AIAzureAPIVersion selects Azure OpenAI for the default endpoint.
	AIAzureAPIVersion string
	// AITokenBudget is every tenant's monthly token budget unless it sets
	// its own.
	AITokenBudget int64
	// AIAllowPrivate lets tenants point their endpoint at loopback and
	// private addresses (the operator's own endpoint may always be private).
	AIAllowPrivate bool

	// AgentUpdates lets the server offer newer agent builds to agents in
	// the heartbeat's answer; false stops all offers.
	AgentUpdates bool
	// AgentUpdatesDev also offers updates to development builds of the
	// agent (versions such as "0.1.0-dev"), which are otherwise left alone.
	AgentUpdatesDev bool
	// AgentUpdateSource, when set, replaces the server's own agent builds
	// as the source of update offers (tests serve their own).
	AgentUpdateSource agentapi.UpdateSource

	trustedProxies *string // raw -trusted-proxies, parsed by Validate

	envErr error // a malformed environment variable, reported by Validate
}

// DefaultAITokenBudget is the monthly token budget of a tenant when neither
// the tenant nor the operator sets one.
const DefaultAITokenBudget = 2_000_000

// env returns the environment variable WEGWEISER_<name>, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv("WEGWEISER_" + name); ok {
		return v
	}
	return def
}

// Register declares the flags of c on fs with defaults from the environment.
func (c *Config) Register(fs *flag.FlagSet) {
	fs.StringVar(&c.DatabaseURL, "database-url", env("DATABASE_URL", ""), "PostgreSQL URL; empty for the embedded SQLite store under -data-dir (env WEGWEISER_DATABASE_URL)")
	fs.StringVar(&c.RedisURL, "redis-url", env("REDIS_URL", ""), "Redis URL for the login throttle and the session-check cache shared by replicas; empty keeps both in this process (env WEGWEISER_REDIS_URL)")
	fs.StringVar(&c.ListenAddr, "listen-addr", env("LISTEN_ADDR", ":8080"), "HTTP listen address (env WEGWEISER_LISTEN_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", env("DATA_DIR", "data"), "directory for the embedded database and generated keys (env WEGWEISER_DATA_DIR)")
	fs.StringVar(&c.AgentDir, "agent-dir", env("AGENT_DIR", ""), "directory of the agent builds offered for download; empty for agents/ next to the server binary (env WEGWEISER_AGENT_DIR)")
	fs.StringVar(&c.PublicURL, "public-url", env("PUBLIC_URL", ""), "URL users reach the dashboard at, e.g. https://wegweiser.example.com (env WEGWEISER_PUBLIC_URL)")
	fs.Func("cors-origins", "comma-separated browser origins allowed to call the API (env WEGWEISER_CORS_ORIGINS)", func(s string) error {
		c.CORSOrigins = splitList(s)
		return nil
	})
	c.CORSOrigins = splitList(env("CORS_ORIGINS", ""))
	fs.StringVar(&c.JWTKey, "jwt-key", env("JWT_KEY", ""), "base64 Ed25519 seed that signs access tokens; empty to generate one in -data-dir (env WEGWEISER_JWT_KEY)")
	fs.StringVar(&c.LogLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (env WEGWEISER_LOG_LEVEL)")
	shutdown := 20 * time.Second
	if v := env("SHUTDOWN_TIMEOUT", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			c.envErr = fmt.Errorf("WEGWEISER_SHUTDOWN_TIMEOUT: %w", err)
		}
		shutdown = d
	}
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", shutdown, "how long requests and running jobs get to finish on shutdown; jobs still running then are cancelled (env WEGWEISER_SHUTDOWN_TIMEOUT)")
	fs.StringVar(&c.SecretKey, "secret-key", env("SECRET_KEY", ""), "base64 32-byte key that encrypts webhook secrets at rest; empty to generate one in -data-dir (env WEGWEISER_SECRET_KEY)")
	fs.BoolVar(&c.AllowPrivateWebhooks, "allow-private-webhooks", env("ALLOW_PRIVATE_WEBHOOKS", "false") == "true", "let webhooks target loopback and private addresses and plain http (env WEGWEISER_ALLOW_PRIVATE_WEBHOOKS)")
	fs.StringVar(&c.OperatorPassword, "operator-password", env("OPERATOR_PASSWORD", ""), "password of the operator's job dashboard at /riverui/ (user \"operator\"); empty disables it (env WEGWEISER_OPERATOR_PASSWORD)")
	fs.BoolVar(&c.GenerateKeys, "generate-keys", env("GENERATE_KEYS", "false") == "true", "on PostgreSQL, generate missing -jwt-key and -secret-key and keep them in -data-dir (only for a single process; env WEGWEISER_GENERATE_KEYS)")
	fs.BoolVar(&c.Workers, "workers", env("WORKERS", "true") == "true", "run the job workers (analysis, roll-ups) in this process (env WEGWEISER_WORKERS)")
	fs.DurationVar(&c.JobPollInterval, "job-poll-interval", time.Second, "how often job workers look for new jobs")
	proxies := env("TRUSTED_PROXIES", "")
	fs.StringVar(&proxies, "trusted-proxies", proxies, "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is trusted; empty: use the peer address (env WEGWEISER_TRUSTED_PROXIES)")
	c.trustedProxies = &proxies
	fs.StringVar(&c.SMTPURL, "smtp-url", env("SMTP_URL", ""), "SMTP server for mail, smtp://user:pass@host:587 or smtps://user:pass@host:465; empty writes mails to the log (env WEGWEISER_SMTP_URL)")
	fs.StringVar(&c.MailFrom, "mail-from", env("MAIL_FROM", "wegweiser@localhost"), "sender address of mails (env WEGWEISER_MAIL_FROM)")
	fs.StringVar(&c.ChromiumPath, "chromium", env("CHROMIUM", "/usr/bin/chromium"), "headless Chromium that prints health reports as PDF; PDF is unavailable without it (env WEGWEISER_CHROMIUM)")
	fs.Func("webauthn-origins", "extra origins accepted for passkeys, comma-separated, e.g. http://localhost:5173 (env WEGWEISER_WEBAUTHN_ORIGINS)", func(v string) error {
		c.WebAuthnOrigins = splitList(v)
		return nil
	})
	c.WebAuthnOrigins = splitList(env("WEBAUTHN_ORIGINS", ""))
	fs.BoolVar(&c.PublicSignup, "public-signup", env("PUBLIC_SIGNUP", "true") == "true", "let anyone sign up a new tenant; false: only invitations (env WEGWEISER_PUBLIC_SIGNUP)")
	fs.StringVar(&c.AIBaseURL, "ai-base-url", env("AI_BASE_URL", ""), "default language model endpoint (OpenAI-compatible API) for tenants without their own; empty: the built-in answerer (env WEGWEISER_AI_BASE_URL)")
	fs.StringVar(&c.AIModel, "ai-model", env("AI_MODEL", ""), "model of the default endpoint (Azure OpenAI: the deployment) (env WEGWEISER_AI_MODEL)")
	fs.StringVar(&c.AIAPIKey, "ai-api-key", env("AI_API_KEY", ""), "API key of the default endpoint (env WEGWEISER_AI_API_KEY)")
	fs.StringVar(&c.AIAzureAPIVersion, "ai-azure-api-version", env("AI_AZURE_API_VERSION", ""), "Azure OpenAI API version of the default endpoint; empty for other APIs (env WEGWEISER_AI_AZURE_API_VERSION)")
	budget := int64(DefaultAITokenBudget)
	if v := env("AI_TOKEN_BUDGET", ""); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			c.envErr = fmt.Errorf("WEGWEISER_AI_TOKEN_BUDGET: %w", err)
		}
		budget = n
	}
	fs.Int64Var(&c.AITokenBudget, "ai-token-budget", budget, "tokens each tenant may use per calendar month unless it sets its own budget (env WEGWEISER_AI_TOKEN_BUDGET)")
	fs.BoolVar(&c.AIAllowPrivate, "ai-allow-private", env("AI_ALLOW_PRIVATE", "false") == "true", "let tenants point their language model endpoint at loopback and private addresses (env WEGWEISER_AI_ALLOW_PRIVATE)")
	fs.BoolVar(&c.AgentUpdates, "agent-updates", env("AGENT_UPDATES", "true") == "true", "offer newer agent builds to enrolled agents, which then update themselves; false: never (env WEGWEISER_AGENT_UPDATES)")
	fs.BoolVar(&c.AgentUpdatesDev, "agent-updates-dev", env("AGENT_UPDATES_DEV", "false") == "true", "also offer updates to development builds of the agent (versions such as 0.1.0-dev) (env WEGWEISER_AGENT_UPDATES_DEV)")
	keyLimit := 600
	if v := env("API_KEY_RATE_LIMIT", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			c.envErr = fmt.Errorf("WEGWEISER_API_KEY_RATE_LIMIT: %w", err)
		}
		keyLimit = n
	}
	fs.IntVar(&c.APIKeyRateLimit, "api-key-rate-limit", keyLimit, "requests per minute one API key may make; more are refused with resource_exhausted and Retry-After (env WEGWEISER_API_KEY_RATE_LIMIT)")
	fs.StringVar(&c.RedisPrefix, "redis-prefix", env("REDIS_PREFIX", "wegweiser:"), "prefix of Wegweiser's keys in Redis (env WEGWEISER_REDIS_PREFIX)")
}

// ParseCIDRs parses a comma-separated list of CIDRs (a bare address is a
// single host).
func ParseCIDRs(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, p := range splitList(s) {
		if !strings.Contains(p, "/") {
			a, err := netip.ParseAddr(p)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR", p)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		pr, err := netip.ParsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", p, err)
		}
		out = append(out, pr.Masked())
	}
	return out, nil
}

// Validate checks values that flags cannot.
func (c *Config) Validate() error {
	if c.envErr != nil {
		return c.envErr
	}
	if c.ShutdownTimeout <= 0 {
		return fmt.Errorf("shutdown timeout must be positive, got %s", c.ShutdownTimeout)
	}
	if c.trustedProxies != nil {
		p, err := ParseCIDRs(*c.trustedProxies)
		if err != nil {
			return err
		}
		c.TrustedProxies = p
	}
	if c.SMTPURL != "" && !strings.HasPrefix(c.SMTPURL, "smtp://") && !strings.HasPrefix(c.SMTPURL, "smtps://") {
		return fmt.Errorf("SMTP URL must start with smtp:// or smtps://")
	}
	if c.APIKeyRateLimit < 0 {
		return fmt.Errorf("API key rate limit must not be negative, got %d", c.APIKeyRateLimit)
	}
	if c.AITokenBudget < 0 {
		return fmt.Errorf("AI token budget must not be negative, got %d", c.AITokenBudget)
	}
	if c.AIBaseURL != "" && c.AIModel == "" {
		return fmt.Errorf("WEGWEISER_AI_MODEL must be set with WEGWEISER_AI_BASE_URL")
	}
	if c.AIBaseURL != "" && !strings.HasPrefix(c.AIBaseURL, "http://") && !strings.HasPrefix(c.AIBaseURL, "https://") {
		return fmt.Errorf("AI base URL must start with http:// or https://")
	}
	if c.ListenAddr == "" {
		return fmt.Errorf("listen address must not be empty")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log level %q: want debug, info, warn or error", c.LogLevel)
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return fmt.Errorf("database URL must start with postgres:// (or be empty for the embedded store)")
	}
	return nil
}

// ErrKeysRequired is returned by CheckKeys when a PostgreSQL-backed
// process has no fixed keys.
var ErrKeysRequired = errors.New("keys required")

// CheckKeys refuses a PostgreSQL-backed process (postgres: the store's
// dialect) without WEGWEISER_JWT_KEY and WEGWEISER_SECRET_KEY unless
// GenerateKeys is set: keys generated in a data directory differ between
// processes and containers, so a second process (or a restarted container)
// could neither verify the others' tokens nor decrypt webhook secrets. The
// embedded SQLite store keeps its keys beside its database and needs none.
func (c *Config) CheckKeys(postgres bool) error {
	if !postgres || c.GenerateKeys {
		return nil
	}
	var missing []string
	if c.JWTKey == "" {
		missing = append(missing, "WEGWEISER_JWT_KEY (-jwt-key)")
	}
	if c.SecretKey == "" {
		missing = append(missing, "WEGWEISER_SECRET_KEY (-secret-key)")
	}
	if len(missing) == 0 {
		return nil
	}
	verb := " is"
	if len(missing) > 1 {
		verb = " are"
	}
	return fmt.Errorf("%w: on PostgreSQL every process must share the same keys, but %s not set. "+
		"Set each to a base64 32-byte key made with `openssl rand -base64 32` (or run `wegweiser keys`, which prints fresh ones), "+
		"the same values for every serve and worker process; or, for a single process that keeps its -data-dir, "+
		"pass -generate-keys (WEGWEISER_GENERATE_KEYS=true) to generate them there",
		ErrKeysRequired, strings.Join(missing, " and ")+verb)
}

// ServerURL is the URL agents and links should use: PublicURL, or one made
// from the listen address.
func (c *Config) ServerURL() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	host, port, err := net.SplitHostPort(c.ListenAddr)
	if err != nil {
		return "http://" + c.ListenAddr
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
