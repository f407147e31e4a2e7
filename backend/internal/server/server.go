// Package server assembles Wegweiser's HTTP server: every Connect service
// behind the Guard interceptor (gRPC, gRPC-Web and Connect on one port,
// HTTP/1.1 and h2c), health endpoints, CORS and the embedded SPA.
package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"entgo.io/ent/dialect"
	"github.com/redis/rueidis"
	"github.com/rs/cors"
	"riverqueue.com/riverui"

	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1/agentv1connect"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/agentdist"
	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/ai/builtin"
	"github.com/wegweiser/wegweiser/backend/internal/ai/chat"
	"github.com/wegweiser/wegweiser/backend/internal/ai/mcpserver"
	"github.com/wegweiser/wegweiser/backend/internal/ai/memory"
	"github.com/wegweiser/wegweiser/backend/internal/ai/narrative"
	"github.com/wegweiser/wegweiser/backend/internal/ai/settings"
	"github.com/wegweiser/wegweiser/backend/internal/ai/tools"
	"github.com/wegweiser/wegweiser/backend/internal/alert"
	"github.com/wegweiser/wegweiser/backend/internal/api"
	"github.com/wegweiser/wegweiser/backend/internal/api/agentapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/aiapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/alertapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/apikeyapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/auditapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/authapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/chatapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/deviceapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/enrolmentapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/healthapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/inventoryapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/onboardingapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/policyapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/reportapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/securityapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/ssoapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/tenantapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/transferapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/userapi"
	"github.com/wegweiser/wegweiser/backend/internal/apikey"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/authz"
	"github.com/wegweiser/wegweiser/backend/internal/branding"
	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/device"
	"github.com/wegweiser/wegweiser/backend/internal/enrolment"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/ingest"
	"github.com/wegweiser/wegweiser/backend/internal/inventory"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/mail"
	"github.com/wegweiser/wegweiser/backend/internal/member"
	"github.com/wegweiser/wegweiser/backend/internal/mfa"
	"github.com/wegweiser/wegweiser/backend/internal/onboarding"
	"github.com/wegweiser/wegweiser/backend/internal/policy"
	"github.com/wegweiser/wegweiser/backend/internal/ratelimit"
	"github.com/wegweiser/wegweiser/backend/internal/report"
	"github.com/wegweiser/wegweiser/backend/internal/reqinfo"
	"github.com/wegweiser/wegweiser/backend/internal/retention"
	"github.com/wegweiser/wegweiser/backend/internal/secrets"
	"github.com/wegweiser/wegweiser/backend/internal/sso"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/tenancy"
	"github.com/wegweiser/wegweiser/backend/internal/transfer"
	"github.com/wegweiser/wegweiser/ent/viewer"
	"github.com/wegweiser/wegweiser/frontend"
)

// Request size limits (after decompression); larger requests are
// resource_exhausted. Calls without a credential (public procedures such
// as Login, SignUp and Enroll, and the gRPC health and reflection
// services) get MaxPublicRequestBytes, both as sent and decompressed;
// calls of other procedures are authenticated before their body is read.
const (
	MaxRequestBytes       = 1 << 20
	MaxSnapshotBytes      = 16 << 20
	MaxPublicRequestBytes = 64 << 10
	// MaxTransferRequestBytes bounds TransferService requests, which carry
	// a CSV file of up to transfer.MaxBytes (10 MB; about 13.4 MB as
	// base64 in JSON).
	MaxTransferRequestBytes = 16 << 20
)

// Services lists the fully-qualified names of every Connect service served.
var Services = []string{
	wegweiserv1connect.AuthServiceName,
	wegweiserv1connect.TenantServiceName,
	wegweiserv1connect.DeviceServiceName,
	wegweiserv1connect.UserServiceName,
	wegweiserv1connect.EnrolmentServiceName,
	wegweiserv1connect.InventoryServiceName,
	wegweiserv1connect.HealthServiceName,
	wegweiserv1connect.PolicyServiceName,
	wegweiserv1connect.AlertServiceName,
	wegweiserv1connect.ChatServiceName,
	wegweiserv1connect.AIServiceName,
	wegweiserv1connect.OnboardingServiceName,
	wegweiserv1connect.TransferServiceName,
	wegweiserv1connect.ReportServiceName,
	wegweiserv1connect.SecurityServiceName,
	wegweiserv1connect.SingleSignOnServiceName,
	wegweiserv1connect.APIKeyServiceName,
	wegweiserv1connect.AuditServiceName,
	agentv1connect.AgentServiceName,
}

// App is the assembled application: domain services over one store.
type App struct {
	Store     *store.Store
	Identity  *identity.Service
	MFA       *mfa.Service
	Tenancy   *tenancy.Service
	Devices   *device.Service
	Members   *member.Service
	Enrolment *enrolment.Service
	// Agents offers the agent builds and packages for download.
	Agents    *agentdist.Catalog
	Ingest    *ingest.Service
	Inventory *inventory.Service
	Health    *health.Service
	Policy    *policy.Service
	Alerts    *alert.Service
	// Onboarding keeps the getting-started checklists and seen tours.
	Onboarding *onboarding.Service
	Transfer   *transfer.Service
	Retention  *retention.Service
	// Chat is the assistant's conversation engine and Memories the facts
	// it was taught.
	Chat     *chat.Service
	Memories *memory.Service
	// AISettings keeps the tenants' model endpoints, budgets and call
	// records; AIResolver picks a tenant's model (AISettings unless
	// config.AIResolver replaces it); Narratives writes the narratives.
	AISettings *settings.Service
	AIResolver ai.Resolver
	Narratives *narrative.Service
	// Reports renders and mails the organisation health reports.
	Reports *report.Service
	// SSO keeps the tenants' OpenID Connect sign-in.
	SSO      *sso.Service
	Jobs     *jobs.Client
	Enforcer *authz.Enforcer
	// Throttles are the Redis-backed sign-in limiters, none without a Redis
	// URL; Throttles[0] counts failed logins per account.
	Throttles []*ratelimit.Redis
	redisConn *ratelimit.RedisConn
	// AuthCache holds the per-request session checks in Redis (nil
	// without a Redis URL: they are cached in the process).
	AuthCache *identity.RedisAuthCache
	riverUI   *riverui.Handler
	Log       *slog.Logger
	cfg       config.Config
	// mcp serves the assistant's tools at /mcp (Streamable HTTP).
	mcp http.Handler

	// APIKeys manages and authenticates the tenants' API keys.
	APIKeys *apikey.Service
}

// NewApp wires the domain services. On PostgreSQL it refuses to start
// without fixed keys unless cfg.GenerateKeys is set (config.CheckKeys).
// Redis, when configured, is connected in the background: the app starts
// while Redis is down and throttles logins in the process until it is back.
func NewApp(cfg config.Config, st *store.Store, log *slog.Logger) (*App, error) {
	if err := cfg.CheckKeys(st.Dialect == dialect.Postgres); err != nil {
		return nil, err
	}
	key, err := identity.LoadOrCreateKey(cfg.JWTKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	issuer := cfg.PublicURL
	if issuer == "" {
		issuer = "wegweiser"
	}
	enf, err := authz.NewEnforcer()
	if err != nil {
		return nil, err
	}
	var limits *identity.Limits
	keyLimit := apikey.RateLimit(cfg.APIKeyRateLimit)
	keyLimiter := apikey.MemoryLimiter(keyLimit)
	var throttles []*ratelimit.Redis
	var redisConn *ratelimit.RedisConn
	var authCache *identity.RedisAuthCache
	var cache identity.AuthCache
	if cfg.RedisURL != "" {
		opt, err := rueidis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("parse Redis URL: %w", err)
		}
		opt.DisableCache = true
		prefix := cfg.RedisPrefix
		if prefix == "" {
			prefix = "wegweiser:"
		}
		// One connection, made in the background, serves every limiter;
		// each falls back to this process while Redis is down (see
		// ratelimit.RedisConn).
		redisConn = ratelimit.DialRedisConn(opt, log)
		limits = identity.NewLimits(func(name string, limit int, period time.Duration) ratelimit.Limiter {
			r := redisConn.Limiter(prefix+name+":", limit, period)
			throttles = append(throttles, r)
			return r
		})
		// The session checks use their own connection with client-side
		// caching (server-assisted invalidation).
		authCache = identity.DialRedisAuthCache(opt, prefix, log)
		cache = authCache
		keyLimiter = redisConn.Limiter(prefix+"apikey-requests:", keyLimit, apikey.RateWindow)
	}
	sender := cfg.Mail
	if sender == nil && cfg.SMTPURL != "" {
		if sender, err = mail.NewSMTP(cfg.SMTPURL, cfg.MailFrom); err != nil {
			return nil, err
		}
	}
	ids := identity.NewService(st, identity.NewSigner(key, issuer), &identity.Options{
		Limits: limits, Mail: sender, BaseURL: cfg.ServerURL(), SignUpClosed: !cfg.PublicSignup, AuthCache: cache,
		SignInCheck: sso.SignInCheck(st),
	}, log)
	jc, err := jobs.New(st, log, jobs.Options{Work: cfg.Workers, PollInterval: cfg.JobPollInterval})
	if err != nil {
		return nil, err
	}
	box, err := secrets.LoadOrCreate(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	factors, err := mfa.New(st, ids, box, mfa.Config{PublicURL: cfg.ServerURL(), ExtraOrigins: cfg.WebAuthnOrigins}, log)
	if err != nil {
		return nil, err
	}
	agentDir := cfg.AgentDir
	if agentDir == "" {
		if exe, err := os.Executable(); err == nil {
			agentDir = filepath.Join(filepath.Dir(exe), "agents")
		}
	}
	agents, err := agentdist.New(agentDir, box.DeriveKey(agentdist.SigningKeyPurpose))
	if err != nil {
		return nil, err
	}
	inv := inventory.NewService(st)
	pol := policy.NewService(st, jc)
	alerts := alert.NewService(st, jc, box, cfg.AllowPrivateWebhooks)
	hs := health.NewService(st, jc, inv, pol, alerts, log)
	ret := retention.NewService(st, log)
	devices := device.NewService(st, jc)
	devices.SetPermissionCheck(enf.Allowed)
	ten := tenancy.NewService(st, jc)
	// The assistant's read-only tools read through the same services as the
	// RPCs; the chat engine and the MCP endpoint share them (tests may give
	// MCP fakes).
	deps := tools.Deps{Store: st, Health: hs, Devices: devices, Inventory: inv, Tenancy: ten}
	toolset := tools.Catalogue(deps)
	mcpTools := toolset
	if cfg.MCPTools != nil {
		mcpTools = cfg.MCPTools(deps)
	}
	mcpHandler, err := mcpserver.New(mcpTools, mcpserver.Options{Store: st, Log: log})
	if err != nil {
		return nil, fmt.Errorf("MCP endpoint: %w", err)
	}
	aiSettings := settings.New(st, box, settings.Operator{
		BaseURL: cfg.AIBaseURL, Model: cfg.AIModel, APIKey: cfg.AIAPIKey, AzureAPIVersion: cfg.AIAzureAPIVersion,
		TokenBudget: cfg.AITokenBudget, AllowPrivate: cfg.AIAllowPrivate,
	})
	var resolver ai.Resolver = aiSettings
	if cfg.AIResolver != nil {
		resolver = cfg.AIResolver
	}
	narratives := narrative.New(st, jc, hs, pol, resolver, log)
	reports := report.New(st, hs, narratives, report.NewPrinter(cfg.ChromiumPath), sender, jc, log)
	// Every job's worker lives with its domain; they meet River here.
	regs := append(hs.Workers(), alerts.Worker(), ret.Worker(), narratives.Worker(), devices.BulkWorker())
	if err := jc.Register(append(regs, reports.Workers()...)...); err != nil {
		return nil, err
	}
	var ui *riverui.Handler
	if cfg.OperatorPassword != "" {
		ui, err = riverui.NewHandler(&riverui.HandlerOpts{
			Endpoints: riverui.NewEndpoints(jc.River(), nil), Logger: log, Prefix: "/riverui", JobListHideArgsByDefault: true,
		})
		if err != nil {
			return nil, fmt.Errorf("job dashboard: %w", err)
		}
	}
	memories := memory.NewService(st)
	chats := chat.NewService(st, memories, chat.Options{
		Resolver: resolver, Tools: toolset, Builtin: builtin.New(toolset), SummaryBudget: cfg.ChatSummaryBudget,
		CanTeach: func(ctx context.Context) error {
			ok, err := enf.Allowed(viewer.FromContext(ctx), authz.AIWrite)
			if err != nil {
				return err
			}
			if !ok {
				return apperr.PermissionDenied("teaching the assistant needs the %s permission (technicians and above)", authz.AIWrite)
			}
			return nil
		},
	})
	return &App{
		SSO:        sso.New(st, box, ids, cfg.ServerURL(), nil, log),
		Chat:       chats,
		Memories:   memories,
		Throttles:  throttles,
		redisConn:  redisConn,
		AuthCache:  authCache,
		riverUI:    ui,
		mcp:        mcpHandler,
		Enrolment:  enrolment.NewService(st),
		Agents:     agents,
		Ingest:     ingest.NewService(st, jc, log),
		Inventory:  inv,
		Health:     hs,
		Policy:     pol,
		Alerts:     alerts,
		Onboarding: onboarding.NewService(st, devices),
		Retention:  ret,
		Jobs:       jc,
		Store:      st,
		Identity:   ids,
		MFA:        factors,
		Tenancy:    ten,
		Devices:    devices,
		Transfer:   transfer.NewService(st, devices),
		AISettings: aiSettings,
		AIResolver: resolver,
		Narratives: narratives,
		Reports:    reports,
		APIKeys:    apikey.NewService(st, keyLimiter, keyLimit, log),
		Members:    member.NewService(st, ids),
		Enforcer:   enf,
		Log:        log,
		cfg:        cfg,
	}, nil
}

// scriptURL is the server URL the install scripts carry: the configured
// public URL, or else the address the script was fetched from (which the
// endpoint fetching it evidently reaches).
func (a *App) scriptURL(r *http.Request) string {
	if a.cfg.PublicURL != "" {
		return a.cfg.ServerURL()
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// Handler returns the HTTP handler serving API, health and SPA.
func (a *App) Handler() http.Handler {
	// Bearer tokens starting with "wwk_" are API keys; the rest are the
	// members' access tokens.
	authn := apikey.Authenticator{Keys: a.APIKeys, Sessions: a.Identity}
	guard := api.NewGuard(authn, a.Enrolment, a.Enforcer, authz.Procedures, a.Log)
	// Every handler decodes through codecs that count list elements before
	// unmarshalling and a gzip reader that stops at the size limit
	// (api.Limits, default 100,000 elements per list, 500,000 per message).
	public := api.Limits{MaxBytes: MaxPublicRequestBytes}.HandlerOptions()
	opts := []connect.HandlerOption{
		connect.WithInterceptors(guard),
		api.Limits{MaxBytes: MaxRequestBytes}.HandlerOptions(),
	}
	publicOpts := []connect.HandlerOption{connect.WithInterceptors(guard), public}
	agentOpts := []connect.HandlerOption{
		connect.WithInterceptors(guard),
		api.Limits{MaxBytes: MaxSnapshotBytes}.HandlerOptions(),
		connect.WithCompressMinBytes(1024),
	}
	updates := a.cfg.AgentUpdateSource
	if updates == nil && a.Agents != nil {
		updates = agentdist.Updates{Catalog: a.Agents, ServerURL: a.cfg.ServerURL()}
	}
	agent := agentapi.New(a.Enrolment, a.Ingest, ingest.DefaultConfig).WithUpdates(agentapi.Updates{
		Source: updates, Off: !a.cfg.AgentUpdates, OfferToDev: a.cfg.AgentUpdatesDev,
	})
	mux := http.NewServeMux()
	// AuthService is public but for WhoAmI (whose request is empty).
	authSvc := authapi.New(a.Identity, a.Members, a.Tenancy, a.Enforcer, a.cfg.TrustedProxies).WithSSO(a.SSO)
	authSvc.SetFactors(a.MFA)
	mux.Handle(wegweiserv1connect.NewAuthServiceHandler(authSvc, publicOpts...))
	mux.Handle(wegweiserv1connect.NewTenantServiceHandler(tenantapi.New(a.Tenancy, a.Retention, branding.NewService(a.Store)), opts...))
	mux.Handle(wegweiserv1connect.NewDeviceServiceHandler(deviceapi.New(a.Devices), opts...))
	mux.Handle(wegweiserv1connect.NewUserServiceHandler(userapi.New(a.Members), opts...))
	mux.Handle(wegweiserv1connect.NewEnrolmentServiceHandler(enrolmentapi.New(a.Enrolment, enrolmentapi.Distribution{
		ServerURL: a.cfg.ServerURL(), Configured: a.cfg.PublicURL != "", Agents: a.Agents,
	}), opts...))
	mux.Handle(wegweiserv1connect.NewInventoryServiceHandler(inventoryapi.New(a.Inventory), opts...))
	mux.Handle(wegweiserv1connect.NewHealthServiceHandler(healthapi.New(a.Health), opts...))
	mux.Handle(wegweiserv1connect.NewPolicyServiceHandler(policyapi.New(a.Policy), opts...))
	mux.Handle(wegweiserv1connect.NewAlertServiceHandler(alertapi.New(a.Alerts), opts...))
	mux.Handle(wegweiserv1connect.NewChatServiceHandler(chatapi.New(a.Chat), opts...))
	mux.Handle(wegweiserv1connect.NewAIServiceHandler(aiapi.New(a.AISettings, a.Narratives, a.Memories), opts...))
	mux.Handle(wegweiserv1connect.NewOnboardingServiceHandler(onboardingapi.New(a.Onboarding), opts...))
	// TransferService carries CSV files: its own, larger limit.
	transferOpts := []connect.HandlerOption{
		connect.WithInterceptors(guard),
		api.Limits{MaxBytes: MaxTransferRequestBytes}.HandlerOptions(),
	}
	transferPath, transferHandler := wegweiserv1connect.NewTransferServiceHandler(transferapi.New(a.Transfer), transferOpts...)
	mux.Handle(transferPath, refuseLarger(MaxTransferRequestBytes, "an import file may have at most 10 MB: split it into smaller files", transferHandler, transferOpts...))
	mux.Handle(wegweiserv1connect.NewReportServiceHandler(reportapi.New(a.Reports), opts...))
	securitySvc := securityapi.New(a.Identity)
	securitySvc.SetFactors(a.MFA)
	mux.Handle(wegweiserv1connect.NewSecurityServiceHandler(securitySvc, opts...))
	mux.Handle(wegweiserv1connect.NewSingleSignOnServiceHandler(ssoapi.New(a.SSO), opts...))
	mux.Handle(wegweiserv1connect.NewAPIKeyServiceHandler(apikeyapi.New(a.APIKeys), opts...))
	mux.Handle(wegweiserv1connect.NewAuditServiceHandler(auditapi.New(audit.NewService(a.Store)), opts...))
	mux.Handle(agentv1connect.NewAgentServiceHandler(agent, agentOpts...))
	// Enroll is public: the same service with the public limits.
	_, enroll := agentv1connect.NewAgentServiceHandler(agent, publicOpts...)
	mux.Handle(agentv1connect.AgentServiceEnrollProcedure, enroll)

	// The MCP endpoint: the caller's access token like the API (checked
	// before the body is read), ai.use, the API's request size limits;
	// every tool then runs as the caller's viewer.
	mux.Handle("/mcp", guard.RequirePermission(authz.AIUse, api.Limits{MaxBytes: MaxRequestBytes}.JSONHandler(a.mcp)))

	checker := &healthChecker{store: a.Store}
	handlePublic := func(path string, h http.Handler) {
		mux.Handle(path, http.MaxBytesHandler(h, MaxPublicRequestBytes))
	}
	handlePublic(grpchealth.NewHandler(checker, public))
	reflector := grpcreflect.NewStaticReflector(Services...)
	handlePublic(grpcreflect.NewHandlerV1(reflector, public))
	handlePublic(grpcreflect.NewHandlerV1Alpha(reflector, public))
	// The agent downloads, their signed checksums and the install scripts
	// are public: endpoints fetch them before they hold any credential.
	a.Agents.Register(mux, a.scriptURL)
	// The identity provider sends the browser back here (public): it
	// redirects to the dashboard's /login/sso with a one-time code.
	mux.HandleFunc("GET "+sso.CallbackPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		// The target is built by sso.Callback from the server's own public
		// URL and a path of its own; nothing of the request picks the host.
		http.Redirect(w, r, a.SSO.Callback(r.Context(), r.URL.Query()), http.StatusSeeOther) //nolint:gosec // G710: not an open redirect, see above

	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain")
		if err := a.Store.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unavailable\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	if a.riverUI != nil {
		mux.Handle("/riverui/", operatorOnly(a.cfg.OperatorPassword, a.riverUI))
	}
	fsys, built := frontend.Dist()
	mux.Handle("/", spaHandler(fsys, built))

	// Credentials are checked before any body is read.
	h := guard.Middleware(MaxPublicRequestBytes, mux)
	h = http.MaxBytesHandler(h, MaxSnapshotBytes+64<<10)
	// Every request carries its source (address, User-Agent) for the
	// throttles, sessions and the audit log.
	h = reqinfo.Middleware(a.cfg.TrustedProxies, h)
	if len(a.cfg.CORSOrigins) > 0 {
		h = cors.New(cors.Options{
			AllowedOrigins: a.cfg.CORSOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost},
			AllowedHeaders: []string{"Authorization", "Content-Type", "Connect-Protocol-Version", "Connect-Timeout-Ms",
				"Grpc-Timeout", "X-Grpc-Web", "X-User-Agent"},
			ExposedHeaders: []string{"Grpc-Status", "Grpc-Message", "Grpc-Status-Details-Bin", "Retry-After"},
			MaxAge:         7200,
		}).Handler(h)
	}
	// Browser hardening headers on every response, CORS preflights too.
	return securityHeaders(a.cfg.TrustedProxies, h)
}

// refuseLarger answers requests that declare a body over limit bytes with
// resource_exhausted and msg, in the caller's protocol, before reading
// them. A body of unknown length is cut at limit bytes, and the handler's
// own limit (resource_exhausted) then reports msg as the cause.
func refuseLarger(limit int64, msg string, h http.Handler, opts ...connect.HandlerOption) http.Handler {
	ew := connect.NewErrorWriter(opts...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			_ = ew.Write(w, r, connect.NewError(connect.CodeResourceExhausted,
				fmt.Errorf("the request has %.1f MB; %s", float64(r.ContentLength)/(1<<20), msg)))
			return
		}
		if r.ContentLength < 0 && r.Body != nil {
			r.Body = &cappedBody{ReadCloser: r.Body, left: limit + 1, msg: msg}
		}
		h.ServeHTTP(w, r)
	})
}

// cappedBody fails with msg once more than its limit has been read.
type cappedBody struct {
	io.ReadCloser
	left int64
	msg  string
}

// Read implements io.Reader.
func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errors.New(b.msg)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

type healthChecker struct{ store *store.Store }

// Check implements grpchealth.Checker: serving while the database answers.
func (c *healthChecker) Check(ctx context.Context, req *grpchealth.CheckRequest) (*grpchealth.CheckResponse, error) {
	known := req.Service == ""
	for _, s := range Services {
		known = known || s == req.Service
	}
	if !known {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("unknown service %q", req.Service))
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := c.store.Ping(ctx); err != nil {
		return &grpchealth.CheckResponse{Status: grpchealth.StatusNotServing}, nil
	}
	return &grpchealth.CheckResponse{Status: grpchealth.StatusServing}, nil
}

// StartWorkers runs the job workers (when configured) until StopWorkers.
// Cancelling ctx (the signal context) does not stop them: StopWorkers lets
// running jobs finish first.
func (a *App) StartWorkers(ctx context.Context) error {
	if !a.cfg.Workers {
		return nil
	}
	return a.Jobs.Start(ctx)
}

// Close releases what NewApp opened besides the store (the Redis client).
func (a *App) Close() {
	if a.redisConn != nil {
		a.redisConn.Close()
	}
	if a.AuthCache != nil {
		a.AuthCache.Close()
	}
}

// startDashboard starts River's dashboard when it is configured.
func (a *App) startDashboard(ctx context.Context) error {
	if a.riverUI == nil {
		return nil
	}
	return a.riverUI.Start(ctx)
}

// operatorOnly guards h with HTTP Basic authentication for the operator.
func operatorOnly(password string, h http.Handler) http.Handler {
	want := sha256.Sum256([]byte("operator:" + password))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		got := sha256.Sum256([]byte(user + ":" + pass))
		if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="Wegweiser operator"`)
			http.Error(w, "operator credentials required", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// StopWorkers stops fetching jobs and lets running ones finish, up to the
// shutdown timeout; jobs still running then are cancelled.
func (a *App) StopWorkers() error {
	if !a.cfg.Workers {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	return a.Jobs.Stop(ctx)
}

// Serve listens on cfg.ListenAddr (HTTP/1.1 and h2c) until ctx is done, then
// shuts down gracefully. ready, if not nil, receives the bound address.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	srv := &http.Server{
		Handler:           a.Handler(),
		Protocols:         protocols,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	if err := a.startDashboard(ctx); err != nil {
		return fmt.Errorf("start job dashboard: %w", err)
	}
	ln, err := net.Listen("tcp", a.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.ListenAddr, err)
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "timeout", a.cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
