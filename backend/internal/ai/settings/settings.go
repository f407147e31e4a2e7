// Package settings keeps a tenant's language model endpoint and token
// budget, and is the ai.Resolver the assistant asks for a tenant's
// provider: the tenant's own endpoint when it enabled one, else the
// operator's default from the server configuration, else none (the
// built-in answerer). It records every model call (never its prompt,
// answer or key) and refuses calls once the month's tokens reach the
// budget.
//
// A tenant's key is sealed at rest with the operator's secret key. A tenant
// endpoint is reached through a dialer that refuses loopback, link-local,
// private and other special addresses at connect time unless the operator
// allows them (netguard); the operator's own endpoint may be anywhere.
package settings

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/ai/provider"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/netguard"
	"github.com/wegweiser/wegweiser/backend/internal/secrets"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/aicall"
	"github.com/wegweiser/wegweiser/ent/aisettings"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Limits of the settings.
const (
	MaxBaseURL         = 500
	MaxModel           = 200
	MaxAPIKey          = 500
	MaxAzureAPIVersion = 50
	MaxTokenBudget     = 1_000_000_000
	// RecentCalls is how many calls Usage lists.
	RecentCalls = 50
	// usageTTL is how long Allow trusts a tenant's counted tokens before it
	// sums them again (calls recorded by this process are added at once).
	usageTTL = 30 * time.Second
	// testTimeout bounds TestAISettings' call.
	testTimeout = 30 * time.Second
)

// AuditAction is the audit action of a settings change.
const AuditAction = "ai.settings"

// Source says where the settings in effect come from.
type Source string

// The sources.
const (
	SourceBuiltin  Source = "builtin"
	SourceOperator Source = "operator"
	SourceTenant   Source = "tenant"
)

// Operator is the operator's default endpoint and budget, from the server
// configuration.
type Operator struct {
	BaseURL, Model, APIKey, AzureAPIVersion string
	// TokenBudget is each tenant's monthly budget unless it sets its own;
	// 0 means no limit.
	TokenBudget int64
	// AllowPrivate lets tenant endpoints reach loopback and private
	// addresses.
	AllowPrivate bool
}

// Service stores the settings and resolves providers.
type Service struct {
	st  *store.Store
	box *secrets.Box
	op  Operator
	// NewProvider builds a provider from an endpoint (provider.NewOpenAI;
	// tests replace it).
	NewProvider func(provider.Config) (ai.Provider, error)
	now         func() time.Time

	mu    sync.Mutex
	usage map[uuid.UUID]counted
}

// counted is a tenant's token count of one month.
type counted struct {
	month  time.Time
	tokens int64
	at     time.Time
}

// New returns the settings service.
func New(st *store.Store, box *secrets.Box, op Operator) *Service {
	return &Service{st: st, box: box, op: op, NewProvider: provider.NewOpenAI,
		now: func() time.Time { return time.Now().UTC() }, usage: map[uuid.UUID]counted{}}
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Settings are a tenant's stored settings and what is in effect.
type Settings struct {
	Enabled         bool
	BaseURL         string
	Model           string
	HasAPIKey       bool
	AzureAPIVersion string
	TokenBudget     int64
	UpdatedAt       time.Time

	EffectiveSource Source
	EffectiveModel  string
	EffectiveBudget int64
}

// Update is a change of the settings.
type Update struct {
	Enabled         bool
	BaseURL         string
	Model           string
	APIKey          string
	ClearAPIKey     bool
	AzureAPIVersion string
	TokenBudget     int64
}

// hasKey reports whether a row holds a sealed key (a cleared column reads
// back as an empty value).
func hasKey(row *ent.AISettings) bool {
	return row.APIKeyEncrypted != nil && len(*row.APIKeyEncrypted) > 0
}

// keyAAD binds a sealed key to its tenant.
func keyAAD(tenantID uuid.UUID) []byte { return []byte("ai_settings:" + tenantID.String()) }

// load returns the tenant's row, nil when it has none.
func (s *Service) load(ctx context.Context, tenantID uuid.UUID) (*ent.AISettings, error) {
	row, err := s.st.Ent.AISettings.Query().Where(aisettings.TenantID(tenantID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load AI settings: %w", err)
	}
	return row, nil
}

// view turns a row (nil: none) into Settings.
func (s *Service) view(row *ent.AISettings) *Settings {
	out := &Settings{}
	if row != nil {
		out.Enabled, out.BaseURL, out.Model, out.HasAPIKey = row.Enabled, row.BaseURL, row.Model, hasKey(row)
		out.AzureAPIVersion, out.TokenBudget, out.UpdatedAt = row.AzureAPIVersion, row.MonthlyTokenBudget, row.UpdatedAt
	}
	switch {
	case row != nil && row.Enabled:
		out.EffectiveSource, out.EffectiveModel = SourceTenant, row.Model
	case s.op.BaseURL != "":
		out.EffectiveSource, out.EffectiveModel = SourceOperator, s.op.Model
	default:
		out.EffectiveSource, out.EffectiveModel = SourceBuiltin, ai.BuiltinModel
	}
	out.EffectiveBudget = s.op.TokenBudget
	if row != nil && row.MonthlyTokenBudget > 0 {
		out.EffectiveBudget = row.MonthlyTokenBudget
	}
	return out
}

// Get returns the viewer's tenant's settings; never the key.
func (s *Service) Get(ctx context.Context) (*Settings, error) {
	row, err := s.load(ctx, viewer.FromContext(ctx).TenantID)
	if err != nil {
		return nil, err
	}
	return s.view(row), nil
}

// errPrivateURL is the answer for a base URL naming a special address.
func errPrivateURL() error {
	return apperr.Invalid("base_url", "must not point at a loopback, link-local, private or reserved address (an operator can allow private endpoints)")
}

// checkBaseURL validates a base URL. A host written as an address must be
// public unless private endpoints are allowed; a host name is checked when
// it is connected to, on the address it then resolves to.
func (s *Service) checkBaseURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	if len(raw) > MaxBaseURL {
		return "", apperr.Invalid("base_url", "must be at most %d characters", MaxBaseURL)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", apperr.Invalid("base_url", "must be an absolute http:// or https:// URL without credentials, query or fragment")
	}
	if !s.op.AllowPrivate {
		host := u.Hostname()
		if a, err := netip.ParseAddr(host); err == nil && netguard.Forbidden(a) {
			return "", errPrivateURL()
		}
	}
	return u.String(), nil
}

// Update validates and stores the viewer's tenant's settings, and audits
// the change (never the key).
func (s *Service) Update(ctx context.Context, up Update) (*Settings, error) {
	base, err := s.checkBaseURL(up.BaseURL)
	if err != nil {
		return nil, err
	}
	model := strings.TrimSpace(up.Model)
	switch {
	case len(model) > MaxModel:
		return nil, apperr.Invalid("model", "must be at most %d characters", MaxModel)
	case len(up.APIKey) > MaxAPIKey:
		return nil, apperr.Invalid("api_key", "must be at most %d characters", MaxAPIKey)
	case up.APIKey != "" && up.ClearAPIKey:
		return nil, apperr.Invalid("clear_api_key", "cannot be set together with a new api_key")
	case strings.ContainsAny(up.APIKey, "\r\n"):
		return nil, apperr.Invalid("api_key", "must be one line")
	case len(up.AzureAPIVersion) > MaxAzureAPIVersion:
		return nil, apperr.Invalid("azure_api_version", "must be at most %d characters", MaxAzureAPIVersion)
	case up.TokenBudget < 0 || up.TokenBudget > MaxTokenBudget:
		return nil, apperr.Invalid("monthly_token_budget", "must be between 0 and %d", MaxTokenBudget)
	case up.Enabled && base == "":
		return nil, apperr.Invalid("base_url", "is required when the endpoint is enabled")
	case up.Enabled && model == "":
		return nil, apperr.Invalid("model", "is required when the endpoint is enabled")
	}
	tenantID := viewer.FromContext(ctx).TenantID
	var sealed []byte
	if up.APIKey != "" {
		if sealed, err = s.box.Seal([]byte(up.APIKey), keyAAD(tenantID)); err != nil {
			return nil, fmt.Errorf("seal API key: %w", err)
		}
	}
	var out *ent.AISettings
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, "ai_settings:"+tenantID.String()); err != nil {
			return err
		}
		row, err := tx.AISettings.Query().Where(aisettings.TenantID(tenantID)).Only(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return fmt.Errorf("load AI settings: %w", err)
		}
		now := s.now()
		key := "kept"
		switch {
		case up.APIKey != "":
			key = "replaced"
		case up.ClearAPIKey:
			key = "removed"
		}
		if row == nil {
			c := tx.AISettings.Create().SetTenantID(tenantID).SetEnabled(up.Enabled).SetBaseURL(base).SetModel(model).
				SetAzureAPIVersion(strings.TrimSpace(up.AzureAPIVersion)).SetMonthlyTokenBudget(up.TokenBudget).SetUpdatedAt(now)
			if sealed != nil {
				c.SetAPIKeyEncrypted(sealed)
			}
			if out, err = c.Save(ctx); err != nil {
				return fmt.Errorf("store AI settings: %w", err)
			}
		} else {
			u := row.Update().SetEnabled(up.Enabled).SetBaseURL(base).SetModel(model).
				SetAzureAPIVersion(strings.TrimSpace(up.AzureAPIVersion)).SetMonthlyTokenBudget(up.TokenBudget).SetUpdatedAt(now)
			switch {
			case sealed != nil:
				u.SetAPIKeyEncrypted(sealed)
			case up.ClearAPIKey:
				u.ClearAPIKeyEncrypted()
			}
			if out, err = u.Save(ctx); err != nil {
				return fmt.Errorf("store AI settings: %w", err)
			}
		}
		return audit.Record(ctx, tx, audit.Event{
			Action: AuditAction, TargetKind: "tenant", TargetID: tenantID, TargetName: "AI settings",
			Detail: fmt.Sprintf("enabled=%t base_url=%q model=%q azure_api_version=%q monthly_token_budget=%d api_key=%s",
				up.Enabled, base, model, up.AzureAPIVersion, up.TokenBudget, key),
		})
	})
	if err != nil {
		return nil, err
	}
	s.forget(tenantID)
	return s.view(out), nil
}

// tenantHTTPClient is how a tenant endpoint is reached: the netguard
// dialer (refusing special addresses unless allowed), no proxy, no
// redirects.
func (s *Service) tenantHTTPClient() *http.Client {
	return &http.Client{
		Transport:     netguard.NewTransport(s.op.AllowPrivate),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Provider implements ai.Resolver: the tenant's own endpoint when enabled,
// else the operator's, else nil (the built-in answerer).
func (s *Service) Provider(ctx context.Context, tenantID uuid.UUID) (ai.Provider, error) {
	ctx = bypass.AsTenant(ctx, tenantID, "AI resolver: read the tenant's model endpoint for a call made for it")
	row, err := s.load(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if row != nil && row.Enabled {
		cfg := provider.Config{BaseURL: row.BaseURL, Model: row.Model, AzureAPIVersion: row.AzureAPIVersion, HTTPClient: s.tenantHTTPClient()}
		if hasKey(row) {
			key, err := s.box.Open(*row.APIKeyEncrypted, keyAAD(tenantID))
			if err != nil {
				return nil, apperr.FailedPrecondition("the stored API key cannot be read (was the server's secret key changed?); enter it again")
			}
			cfg.APIKey = string(key)
		}
		p, err := s.NewProvider(cfg)
		if err != nil {
			return nil, fmt.Errorf("tenant AI provider: %w", err)
		}
		return p, nil
	}
	if s.op.BaseURL != "" {
		p, err := s.NewProvider(provider.Config{BaseURL: s.op.BaseURL, Model: s.op.Model, APIKey: s.op.APIKey, AzureAPIVersion: s.op.AzureAPIVersion})
		if err != nil {
			return nil, fmt.Errorf("operator AI provider: %w", err)
		}
		return p, nil
	}
	return nil, nil
}

// monthStart is the start of t's calendar month (UTC).
func monthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// sumRow is the month's use as one aggregate row.
type sumRow struct {
	Tokens int64 `json:"tokens"`
	Calls  int64 `json:"calls"`
}

// monthUsage sums the tenant's tokens and calls since the month's start in
// one indexed query (tenant_id, created_at).
func (s *Service) monthUsage(ctx context.Context, start time.Time) (sumRow, error) {
	var rows []sumRow
	err := s.st.Ent.AICall.Query().Where(aicall.CreatedAtGTE(start)).Aggregate(
		func(sel *sql.Selector) string {
			return sql.As(fmt.Sprintf("COALESCE(SUM(%s + %s), 0)", sel.C(aicall.FieldPromptTokens), sel.C(aicall.FieldCompletionTokens)), "tokens")
		},
		func(sel *sql.Selector) string { return sql.As(sql.Count("*"), "calls") },
	).Scan(ctx, &rows)
	if err != nil {
		return sumRow{}, fmt.Errorf("sum AI usage: %w", err)
	}
	if len(rows) == 0 {
		return sumRow{}, nil
	}
	return rows[0], nil
}

// tokensThisMonth returns the tenant's tokens this month, from the cache
// when it is fresh.
func (s *Service) tokensThisMonth(ctx context.Context, tenantID uuid.UUID) (int64, error) {
	now := s.now()
	month := monthStart(now)
	s.mu.Lock()
	c, ok := s.usage[tenantID]
	s.mu.Unlock()
	if ok && c.month.Equal(month) && now.Sub(c.at) < usageTTL {
		return c.tokens, nil
	}
	u, err := s.monthUsage(ctx, month)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	s.usage[tenantID] = counted{month: month, tokens: u.Tokens, at: now}
	s.mu.Unlock()
	return u.Tokens, nil
}

// forget drops a tenant's cached count.
func (s *Service) forget(tenantID uuid.UUID) {
	s.mu.Lock()
	delete(s.usage, tenantID)
	s.mu.Unlock()
}

// Allow implements ai.Resolver: resource_exhausted once the tenant's tokens
// this month reach its budget.
func (s *Service) Allow(ctx context.Context, tenantID uuid.UUID) error {
	ctx = bypass.AsTenant(ctx, tenantID, "AI resolver: count the tenant's tokens this month against its budget")
	row, err := s.load(ctx, tenantID)
	if err != nil {
		return err
	}
	budget := s.view(row).EffectiveBudget
	if budget <= 0 {
		return nil
	}
	used, err := s.tokensThisMonth(ctx, tenantID)
	if err != nil {
		return err
	}
	if used >= budget {
		now := s.now()
		next := monthStart(now).AddDate(0, 1, 0)
		return apperr.ResourceExhausted(int(next.Sub(now).Seconds())+1,
			"the tenant's AI token budget for this month (%d tokens) is spent; it renews on %s", budget, next.Format("2 January 2006"))
	}
	return nil
}

// Record implements ai.Resolver: it stores the call's record (tokens,
// latency, outcome; never a prompt, answer or key).
func (s *Service) Record(ctx context.Context, c ai.Call) error {
	ctx = bypass.AsTenant(ctx, c.TenantID, "AI resolver: record a model call made for the tenant")
	cr := s.st.Ent.AICall.Create().SetTenantID(c.TenantID).SetPurpose(string(c.Purpose)).SetModel(clip(c.Model, MaxModel)).
		SetPromptTokens(max(c.PromptTokens, 0)).SetCompletionTokens(max(c.CompletionTokens, 0)).
		SetLatencyMs(c.Latency.Milliseconds()).SetOutcome(string(c.Outcome)).SetCreatedAt(s.now())
	if c.UserID != uuid.Nil {
		cr.SetUserID(c.UserID)
	}
	if err := cr.Exec(ctx); err != nil {
		return fmt.Errorf("record AI call: %w", err)
	}
	month := monthStart(s.now())
	s.mu.Lock()
	if u, ok := s.usage[c.TenantID]; ok && u.month.Equal(month) {
		u.tokens += max(c.PromptTokens, 0) + max(c.CompletionTokens, 0)
		s.usage[c.TenantID] = u
	}
	s.mu.Unlock()
	return nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// TestResult is how a test call went.
type TestResult struct {
	OK      bool
	Message string
	Model   string
	Latency time.Duration
}

// Test sends one tiny request to the viewer's tenant's effective endpoint.
// Failures are reported in the result, in words that never reveal an
// address or whether an internal name resolves.
func (s *Service) Test(ctx context.Context) (*TestResult, error) {
	v := viewer.FromContext(ctx)
	p, err := s.Provider(ctx, v.TenantID)
	if err != nil {
		if e, ok := apperr.As(err); ok {
			return &TestResult{Message: e.Msg}, nil
		}
		return nil, err
	}
	if p == nil {
		return &TestResult{OK: true, Model: ai.BuiltinModel,
			Message: "No language model is configured: the assistant answers from Wegweiser's data with its built-in answerer."}, nil
	}
	if err := s.Allow(ctx, v.TenantID); err != nil {
		if e, ok := apperr.As(err); ok {
			return &TestResult{Model: p.Model(), Message: e.Msg}, nil
		}
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	start := time.Now()
	resp, callErr := p.Complete(cctx, ai.Request{
		Messages: []ai.Message{
			{Role: ai.RoleSystem, Content: "You are a connection test. Reply with the single word OK."},
			{Role: ai.RoleUser, Content: "Connection test."},
		},
		MaxTokens: 8,
	}, nil)
	latency := time.Since(start)
	call := ai.Call{TenantID: v.TenantID, UserID: v.UserID, Purpose: ai.PurposeTest, Model: p.Model(), Latency: latency, Outcome: ai.OutcomeOK}
	res := &TestResult{Model: p.Model(), Latency: latency}
	if callErr != nil {
		call.Outcome = ai.OutcomeError
		if errors.Is(callErr, context.DeadlineExceeded) {
			call.Outcome = ai.OutcomeTimeout
		}
		res.Message = FailureMessage(callErr)
	} else {
		call.PromptTokens, call.CompletionTokens = resp.PromptTokens, resp.CompletionTokens
		if resp.Model != "" {
			res.Model, call.Model = resp.Model, resp.Model
		}
		res.OK = true
		res.Message = fmt.Sprintf("The endpoint answered in %d ms.", latency.Milliseconds())
	}
	if err := s.Record(ctx, call); err != nil {
		return nil, err
	}
	return res, nil
}

// FailureMessage says in words why a call failed: a fixed sentence for
// connection failures (never the address or the resolver's answer, which
// would tell whether an internal name exists), the safe message of a
// domain error, or a generic one.
func FailureMessage(err error) string {
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.Is(err, netguard.ErrForbiddenAddress), errors.As(err, &dns), errors.As(err, &op) && op.Op == "dial":
		return "Could not connect: the host does not resolve to an allowed address (loopback, link-local and private addresses are refused unless the operator allows them), or it did not accept the connection."
	case errors.Is(err, context.DeadlineExceeded):
		return "The endpoint did not answer in time."
	}
	if e, ok := apperr.As(err); ok {
		if errors.Is(e.Err, netguard.ErrForbiddenAddress) {
			return FailureMessage(e.Err)
		}
		return "The endpoint failed: " + e.Msg
	}
	return "The endpoint failed."
}

// Usage is the tenant's use this month.
type Usage struct {
	TokensUsed  int64
	TokenBudget int64
	PeriodStart time.Time
	Calls       []*ent.AICall
	CallCount   int
}

// Usage returns the viewer's tenant's tokens and calls this month and its
// latest calls.
func (s *Service) Usage(ctx context.Context) (*Usage, error) {
	tenantID := viewer.FromContext(ctx).TenantID
	row, err := s.load(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	start := monthStart(s.now())
	sum, err := s.monthUsage(ctx, start)
	if err != nil {
		return nil, err
	}
	calls, err := s.st.Ent.AICall.Query().Order(ent.Desc(aicall.FieldCreatedAt), ent.Desc(aicall.FieldID)).Limit(RecentCalls).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list AI calls: %w", err)
	}
	return &Usage{TokensUsed: sum.Tokens, TokenBudget: s.view(row).EffectiveBudget, PeriodStart: start, Calls: calls, CallCount: int(sum.Calls)}, nil
}
