// Package narrative writes the narrative of an entity's health: a short
// explanation and prioritised next steps for a device, a group, an
// organisation or the tenant, from its findings and the stored policy
// guidance. A language model writes it when the tenant has one (ai.Resolver);
// without one Wegweiser writes it itself from the findings, the costliest
// first. A narrative is kept with the hash of what it was written from, so
// an entity whose findings did not change costs nothing. It also puts
// together the discovery report of an organisation.
package narrative

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/policy"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/narrative"
	"github.com/wegweiser/wegweiser/ent/policyguidance"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Limits of a narrative.
const (
	MaxText          = 4000
	MaxSteps         = 8
	MaxStepTitle     = 200
	MaxStepDetail    = 1000
	MaxStepDevices   = 20
	MaxStepChecks    = 10
	maxPromptItems   = 40
	maxFindingsRead  = 500
	narrativeTimeout = 90 * time.Second
)

// Effort is a rough estimate of a step's work.
type Effort string

// The efforts.
const (
	EffortMinutes Effort = "minutes"
	EffortHours   Effort = "hours"
	EffortProject Effort = "project"
)

// Step is one prioritised next step.
type Step struct {
	Title     string   `json:"title"`
	Detail    string   `json:"detail"`
	Effort    Effort   `json:"effort"`
	CheckIDs  []string `json:"check_ids"`
	DeviceIDs []string `json:"device_ids"`
}

// Narrative is a stored narrative.
type Narrative struct {
	Ref         health.Ref
	Text        string
	Steps       []Step
	Model       string
	GeneratedAt time.Time
	// Stale is true when the entity's findings changed since.
	Stale bool
}

// Service writes and reads narratives.
type Service struct {
	st       *store.Store
	jobs     *jobs.Client
	health   *health.Service
	policy   *policy.Service
	resolver ai.Resolver
	log      *slog.Logger
	now      func() time.Time
}

// New returns the narrative service. resolver picks each tenant's model
// (nil or a resolver answering nil: written by Wegweiser itself).
func New(st *store.Store, jc *jobs.Client, hs *health.Service, pol *policy.Service, resolver ai.Resolver, log *slog.Logger) *Service {
	if resolver == nil {
		resolver = ai.Static{}
	}
	return &Service{st: st, jobs: jc, health: hs, policy: pol, resolver: resolver, log: log,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// Worker returns the worker of jobs.NarrativeArgs.
func (s *Service) Worker() jobs.Registration { return jobs.Work(&worker{s: s}) }

type worker struct {
	river.WorkerDefaults[jobs.NarrativeArgs]
	s *Service
}

// Timeout implements river.Worker: a model may take its time.
func (w *worker) Timeout(*river.Job[jobs.NarrativeArgs]) time.Duration { return narrativeTimeout }

// Work implements river.Worker. A failing model makes River retry; after
// the last attempt the old narrative stays.
func (w *worker) Work(ctx context.Context, job *river.Job[jobs.NarrativeArgs]) error {
	_, err := w.s.Write(ctx, job.Args.TenantID, health.Ref{Kind: health.Kind(job.Args.EntityKind), ID: job.Args.EntityID})
	return err
}

// input is what a narrative is written from.
type input struct {
	ref         health.Ref
	name        string
	org         *uuid.UUID
	view        *health.View
	findings    []health.DeviceFinding // devices
	checks      []health.CheckSummary  // groups, organisations, the tenant
	deviceCount int
	guidance    []string
}

// gather reads what the entity's narrative is written from, as the
// context's viewer. found is false when the entity no longer exists.
func (s *Service) gather(ctx context.Context, ref health.Ref) (*input, bool, error) {
	in := &input{ref: ref}
	var gl []*ent.PolicyGuidance
	guidance := func(level policyguidance.Level, id uuid.UUID) error {
		g, err := s.st.Ent.PolicyGuidance.Query().Where(policyguidance.LevelEQ(level), policyguidance.TargetID(id)).All(ctx)
		if err != nil {
			return fmt.Errorf("load guidance: %w", err)
		}
		gl = append(gl, g...)
		return nil
	}
	tenantID := viewer.FromContext(ctx).TenantID
	switch ref.Kind {
	case health.KindDevice:
		dev, err := s.st.Ent.Device.Get(ctx, ref.ID)
		if ent.IsNotFound(err) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("load device: %w", err)
		}
		in.name, in.org = dev.Hostname, &dev.OrganisationID
		eff, err := s.policy.ForDevice(ctx, s.st.Ent, dev)
		if err != nil {
			return nil, false, err
		}
		in.guidance = eff.Guidance
		if in.findings, err = s.health.Findings(ctx, ref, false, "", maxFindingsRead); err != nil {
			return nil, false, err
		}
		in.deviceCount = 1
	case health.KindGroup, health.KindOrganisation, health.KindTenant:
		if err := guidance(policyguidance.LevelTenant, tenantID); err != nil {
			return nil, false, err
		}
		switch ref.Kind {
		case health.KindGroup:
			g, err := s.st.Ent.Group.Get(ctx, ref.ID)
			if ent.IsNotFound(err) {
				return nil, false, nil
			}
			if err != nil {
				return nil, false, fmt.Errorf("load group: %w", err)
			}
			in.name, in.org = g.Name, &g.OrganisationID
			if err := guidance(policyguidance.LevelOrganisation, g.OrganisationID); err != nil {
				return nil, false, err
			}
			if err := guidance(policyguidance.LevelGroup, g.ID); err != nil {
				return nil, false, err
			}
		case health.KindOrganisation:
			o, err := s.st.Ent.Organisation.Get(ctx, ref.ID)
			if ent.IsNotFound(err) {
				return nil, false, nil
			}
			if err != nil {
				return nil, false, fmt.Errorf("load organisation: %w", err)
			}
			in.name, in.org = o.Name, &o.ID
			if err := guidance(policyguidance.LevelOrganisation, o.ID); err != nil {
				return nil, false, err
			}
		default:
			if ref.ID != tenantID {
				return nil, false, nil
			}
			t, err := s.st.Ent.Tenant.Get(ctx, tenantID)
			if err != nil {
				return nil, false, fmt.Errorf("load tenant: %w", err)
			}
			in.name = t.Name
		}
		for _, g := range gl {
			if g.Text != "" {
				in.guidance = append(in.guidance, g.Text)
			}
		}
		var err error
		if in.checks, in.deviceCount, err = s.health.CheckSummaries(ctx, ref, ""); err != nil {
			return nil, false, err
		}
	default:
		return nil, false, fmt.Errorf("narrative of unknown kind %q", ref.Kind)
	}
	view, err := s.health.Get(ctx, ref)
	if err != nil {
		return nil, false, err
	}
	in.view = view
	return in, true, nil
}

// hash is what the narrative is written from, as a hex SHA-256: for a
// device each finding's check, subject, status, severity and evidence; for
// the levels above, each check's worst severity, device counts, impact and
// worst device; and the policy guidance.
func (in *input) hash() string {
	var lines []string
	for _, f := range in.findings {
		var ev []string
		for _, e := range f.Evidence {
			ev = append(ev, e.Label+"="+e.Value)
		}
		lines = append(lines, fmt.Sprintf("f|%s|%s|%s|%s|%s", f.CheckID, f.Subject, f.Status, f.Severity, strings.Join(ev, ";")))
	}
	for _, c := range in.checks {
		lines = append(lines, fmt.Sprintf("c|%s|%s|%d|%d|%d|%s|%s", c.CheckID, c.Severity, c.DevicesFailing, c.DevicesWarning, c.Impact, c.Worst.DeviceID, c.Worst.Status))
	}
	sort.Strings(lines)
	for _, g := range in.guidance {
		lines = append(lines, "g|"+g)
	}
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:])
}

// Write writes the narrative of an entity of a tenant unless its findings
// did not change since the stored one (then no model is called). It
// returns whether it wrote one.
func (s *Service) Write(ctx context.Context, tenantID uuid.UUID, ref health.Ref) (bool, error) {
	ctx = bypass.AsTenant(ctx, tenantID, "narrative job: write the narrative of an entity of its tenant")
	in, found, err := s.gather(ctx, ref)
	if err != nil || !found {
		return false, err
	}
	hash := in.hash()
	old, err := s.st.Ent.Narrative.Query().Where(narrative.EntityKindEQ(narrative.EntityKind(ref.Kind)), narrative.EntityID(ref.ID)).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return false, fmt.Errorf("load narrative: %w", err)
	}
	if old != nil && old.FindingsHash == hash {
		return false, nil
	}
	text, steps, model, err := s.compose(ctx, tenantID, in)
	if err != nil {
		return false, err
	}
	stepsJSON, err := json.Marshal(steps)
	if err != nil {
		return false, fmt.Errorf("encode next steps: %w", err)
	}
	err = s.st.Ent.Narrative.Create().SetTenantID(tenantID).SetEntityKind(narrative.EntityKind(ref.Kind)).SetEntityID(ref.ID).
		SetNillableOrganisationID(in.org).SetFindingsHash(hash).SetText(text).SetNextSteps(stepsJSON).
		SetModel(clip(model, 200)).SetGeneratedAt(s.now()).
		OnConflictColumns(narrative.FieldTenantID, narrative.FieldEntityKind, narrative.FieldEntityID).
		UpdateNewValues().Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store narrative: %w", err)
	}
	return true, nil
}

// compose writes the narrative with the tenant's model, or without one.
func (s *Service) compose(ctx context.Context, tenantID uuid.UUID, in *input) (string, []Step, string, error) {
	p, err := s.resolver.Provider(ctx, tenantID)
	if err != nil {
		return "", nil, "", err
	}
	if p == nil {
		text, steps := builtin(in)
		return text, steps, ai.BuiltinModel, nil
	}
	if err := s.resolver.Allow(ctx, tenantID); err != nil {
		if !apperr.Is(err, apperr.KindResourceExhausted) {
			return "", nil, "", err
		}
		// The budget is spent: Wegweiser writes it, at no cost.
		if err := s.resolver.Record(ctx, ai.Call{TenantID: tenantID, Purpose: ai.PurposeNarrative, Model: p.Model(), Outcome: ai.OutcomeBudget}); err != nil {
			return "", nil, "", err
		}
		text, steps := builtin(in)
		return text, steps, ai.BuiltinModel, nil
	}
	start := time.Now()
	resp, callErr := p.Complete(ctx, prompt(in), nil)
	call := ai.Call{TenantID: tenantID, Purpose: ai.PurposeNarrative, Model: p.Model(), Latency: time.Since(start), Outcome: ai.OutcomeOK,
		PromptTokens: resp.PromptTokens, CompletionTokens: resp.CompletionTokens}
	if callErr != nil {
		call.Outcome = ai.OutcomeError
		if ctx.Err() != nil {
			call.Outcome = ai.OutcomeTimeout
		}
	}
	if resp.Model != "" {
		call.Model = resp.Model
	}
	if err := s.resolver.Record(ctx, call); err != nil {
		return "", nil, "", err
	}
	if callErr != nil {
		return "", nil, "", fmt.Errorf("narrative model call: %w", callErr)
	}
	text, steps, err := parse(resp.Message.Content, in)
	if err != nil {
		return "", nil, "", err
	}
	return text, steps, call.Model, nil
}

// Get returns the stored narrative of an entity the viewer can see, stale
// when its findings changed since (a new one is then queued); nil when none
// was written yet (one is queued).
func (s *Service) Get(ctx context.Context, ref health.Ref) (*Narrative, error) {
	ref, err := s.visible(ctx, ref)
	if err != nil {
		return nil, err
	}
	row, err := s.st.Ent.Narrative.Query().Where(narrative.EntityKindEQ(narrative.EntityKind(ref.Kind)), narrative.EntityID(ref.ID)).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, fmt.Errorf("load narrative: %w", err)
	}
	tenantID := viewer.FromContext(ctx).TenantID
	if row == nil {
		return nil, s.enqueue(ctx, tenantID, ref)
	}
	out, err := toNarrative(ref, row)
	if err != nil {
		return nil, err
	}
	// The current hash, read as the tenant: policy guidance of the levels
	// above a scoped viewer's organisations counts too.
	in, found, err := s.gather(bypass.AsTenant(ctx, tenantID, "narrative: compare an entity's findings with its narrative (the viewer may see the entity)"), ref)
	if err != nil {
		return nil, err
	}
	if found && in.hash() != row.FindingsHash {
		out.Stale = true
		if err := s.enqueue(ctx, tenantID, ref); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Stored returns the stored narrative of an entity the viewer can see, or
// nil when none was written; unlike Get it only reads (no comparison with
// the current findings, nothing queued), for documents rendered from what
// is stored.
func (s *Service) Stored(ctx context.Context, ref health.Ref) (*Narrative, error) {
	ref, err := s.visible(ctx, ref)
	if err != nil {
		return nil, err
	}
	row, err := s.st.Ent.Narrative.Query().Where(narrative.EntityKindEQ(narrative.EntityKind(ref.Kind)), narrative.EntityID(ref.ID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load narrative: %w", err)
	}
	return toNarrative(ref, row)
}

// Refresh queues a new narrative of an entity the viewer can see, now.
func (s *Service) Refresh(ctx context.Context, ref health.Ref) error {
	ref, err := s.visible(ctx, ref)
	if err != nil {
		return err
	}
	return s.enqueue(ctx, viewer.FromContext(ctx).TenantID, ref)
}

// enqueue queues the narrative job of an entity.
func (s *Service) enqueue(ctx context.Context, tenantID uuid.UUID, ref health.Ref) error {
	if s.jobs == nil {
		return nil
	}
	return s.jobs.Enqueue(ctx, jobs.NarrativeArgs{TenantID: tenantID, EntityKind: string(ref.Kind), EntityID: ref.ID})
}

// visible checks the viewer may see the entity and returns its reference
// (the tenant's id filled in).
func (s *Service) visible(ctx context.Context, ref health.Ref) (health.Ref, error) {
	v := viewer.FromContext(ctx)
	switch ref.Kind {
	case health.KindDevice:
		_, err := s.st.Ent.Device.Get(ctx, ref.ID)
		return ref, apperr.NotFoundIf(err, "device")
	case health.KindGroup:
		_, err := s.st.Ent.Group.Get(ctx, ref.ID)
		return ref, apperr.NotFoundIf(err, "group")
	case health.KindOrganisation:
		_, err := s.st.Ent.Organisation.Get(ctx, ref.ID)
		return ref, apperr.NotFoundIf(err, "organisation")
	case health.KindTenant:
		if ref.ID != uuid.Nil && ref.ID != v.TenantID {
			return ref, apperr.NotFound("tenant")
		}
		if v.Scoped() {
			return ref, apperr.PermissionDenied("your access is limited to chosen organisations; ask for their narratives instead")
		}
		return health.Ref{Kind: health.KindTenant, ID: v.TenantID}, nil
	}
	return ref, apperr.Invalid("entity.kind", "must be device, group, organisation or tenant")
}

// toNarrative converts a stored narrative.
func toNarrative(ref health.Ref, row *ent.Narrative) (*Narrative, error) {
	out := &Narrative{Ref: ref, Text: row.Text, Model: row.Model, GeneratedAt: row.GeneratedAt}
	if len(row.NextSteps) > 0 {
		if err := json.Unmarshal(row.NextSteps, &out.Steps); err != nil {
			return nil, fmt.Errorf("decode next steps: %w", err)
		}
	}
	return out, nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut at a rune boundary.
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}
