// Package healthapi serves wegweiser.v1.HealthService.
package healthapi

import (
	"context"
	"strconv"
	"time"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
)

// Service implements HealthService.
type Service struct{ svc *health.Service }

var _ wegweiserv1connect.HealthServiceHandler = (*Service)(nil)

// New returns the HealthService handler.
func New(svc *health.Service) *Service { return &Service{svc: svc} }

// ref converts a request's entity reference (required).
func ref(e *v1.EntityRef) (health.Ref, error) { return pbconv.EntityRef("entity", e, false) }

var bands = map[analyzer.Band]v1.Band{
	analyzer.BandHealthy: v1.Band_BAND_HEALTHY, analyzer.BandFair: v1.Band_BAND_FAIR,
	analyzer.BandPoor: v1.Band_BAND_POOR, analyzer.BandCritical: v1.Band_BAND_CRITICAL,
}

func band(b analyzer.Band, scored bool) v1.Band {
	if !scored {
		return v1.Band_BAND_UNSPECIFIED
	}
	return bands[b]
}

func deviceScore(d health.DeviceScore) *v1.DeviceScore {
	return &v1.DeviceScore{
		DeviceId: d.DeviceID.String(), Hostname: d.Hostname, OrganisationId: d.OrganisationID.String(),
		Score: int32(d.Score), Band: band(d.Band, d.Scored), Stale: d.Stale, Server: d.Server,
		Reason: d.Reason, NeedsAttention: d.NeedsAttention, TopReasonCheckId: d.TopCheckID,
	}
}

// GetHealth implements HealthService.GetHealth.
func (s *Service) GetHealth(ctx context.Context, req *v1.GetHealthRequest) (*v1.GetHealthResponse, error) {
	r, err := ref(req.GetEntity())
	if err != nil {
		return nil, err
	}
	v, err := s.svc.Get(ctx, r)
	if err != nil {
		return nil, err
	}
	out := &v1.GetHealthResponse{Health: healthOf(v)}
	for _, w := range v.Worst {
		out.Worst = append(out.Worst, deviceScore(w))
	}
	return out, nil
}

// ListOrganisationHealth implements HealthService.ListOrganisationHealth.
func (s *Service) ListOrganisationHealth(ctx context.Context, _ *v1.ListOrganisationHealthRequest) (*v1.ListOrganisationHealthResponse, error) {
	orgs, err := s.svc.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	out := &v1.ListOrganisationHealthResponse{TenantMedian: health.Median(orgs)}
	for _, o := range orgs {
		out.Organisations = append(out.Organisations, &v1.OrganisationHealth{
			OrganisationId: o.ID.String(), Name: o.Name, Health: healthOf(&o.View), Baseline: o.Baseline, Regressed: o.Regressed,
		})
	}
	return out, nil
}

func healthOf(v *health.View) *v1.Health {
	h := &v1.Health{
		Entity: pbconv.Entity(v.Ref), Score: int32(v.Score), Band: band(v.Band, v.Scored), Scored: v.Scored, CapReason: v.CapReason,
		Coverage: v.Coverage, Freshness: v.Freshness, Stale: v.Stale, DeviceCount: int32(v.DeviceCount),
		ComputeTime: pbconv.Time(v.ComputedAt), NeedsAttention: int32(v.NeedsAttention),
	}
	for _, d := range v.Domains {
		h.Domains = append(h.Domains, &v1.DomainScore{Domain: string(d.Domain), Score: int32(d.Score), Scored: d.Scored})
	}
	for _, b := range analyzer.AllBands {
		if n := v.Bands[b]; n > 0 {
			h.Bands = append(h.Bands, &v1.BandCount{Band: band(b, b != analyzer.BandUnscored), Devices: int32(n)})
		}
	}
	return h
}

// ListFindings implements HealthService.ListFindings.
func (s *Service) ListFindings(ctx context.Context, req *v1.ListFindingsRequest) (*v1.ListFindingsResponse, error) {
	r, err := ref(req.GetEntity())
	if err != nil {
		return nil, err
	}
	limit, err := validate.Limit("page_size", req.GetPageSize(), 200, 1000)
	if err != nil {
		return nil, err
	}
	fs, err := s.svc.Findings(ctx, r, req.GetIncludePassed(), req.GetDomain(), limit)
	if err != nil {
		return nil, err
	}
	out := &v1.ListFindingsResponse{}
	for _, f := range fs {
		out.Findings = append(out.Findings, finding(f))
	}
	return out, nil
}

func finding(f health.DeviceFinding) *v1.Finding {
	out := &v1.Finding{
		CheckId: f.CheckID, Subject: f.Subject, Domain: string(f.Domain), Status: string(f.Status), Severity: string(f.Severity),
		Penalty: int32(f.Penalty), Title: f.Title, Detail: f.Detail, Recommendation: f.Recommendation,
		Suppressed: f.Suppressed, SuppressReason: f.SuppressReason, DeviceId: f.DeviceID.String(), Hostname: f.Hostname,
	}
	for _, e := range f.Evidence {
		out.Evidence = append(out.Evidence, &v1.Evidence{Label: e.Label, Value: e.Value, Source: e.Source})
	}
	return out
}

var spans = map[v1.HistoryRange]time.Duration{
	v1.HistoryRange_HISTORY_RANGE_UNSPECIFIED: 30 * 24 * time.Hour,
	v1.HistoryRange_HISTORY_RANGE_7_DAYS:      7 * 24 * time.Hour,
	v1.HistoryRange_HISTORY_RANGE_30_DAYS:     30 * 24 * time.Hour,
	v1.HistoryRange_HISTORY_RANGE_90_DAYS:     90 * 24 * time.Hour,
}

// GetHistory implements HealthService.GetHistory.
func (s *Service) GetHistory(ctx context.Context, req *v1.GetHistoryRequest) (*v1.GetHistoryResponse, error) {
	r, err := ref(req.GetEntity())
	if err != nil {
		return nil, err
	}
	span, ok := spans[req.GetRange()]
	if !ok {
		return nil, apperr.Invalid("range", "must be 7, 30 or 90 days")
	}
	pts, err := s.svc.History(ctx, r, span)
	if err != nil {
		return nil, err
	}
	out := &v1.GetHistoryResponse{}
	for _, p := range pts {
		out.Points = append(out.Points, &v1.HistoryPoint{Time: pbconv.Time(p.Time), Score: int32(p.Score), Band: band(p.Band, p.Scored)})
	}
	return out, nil
}

// ExplainChange implements HealthService.ExplainChange.
func (s *Service) ExplainChange(ctx context.Context, req *v1.ExplainChangeRequest) (*v1.ExplainChangeResponse, error) {
	id, err := validate.ID("device_id", req.GetDeviceId())
	if err != nil {
		return nil, err
	}
	var from, to time.Time
	if req.GetFromTime() != nil {
		from = req.GetFromTime().AsTime()
	}
	if req.GetToTime() != nil {
		to = req.GetToTime().AsTime()
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return nil, apperr.Invalid("from_time", "must be before to_time")
	}
	e, err := s.svc.Explain(ctx, id, from, to)
	if err != nil {
		return nil, err
	}
	out := &v1.ExplainChangeResponse{
		FromScore: int32(e.FromScore), ToScore: int32(e.ToScore), FromComputeTime: pbconv.Time(e.FromTime),
		ToComputeTime: pbconv.Time(e.ToTime), Note: e.Note,
	}
	for _, c := range e.Changes {
		out.Changes = append(out.Changes, &v1.Change{Delta: int32(c.Delta), Kind: c.Kind, CheckId: c.CheckID, Subject: c.Subject, Text: c.Text})
	}
	return out, nil
}

// ListWorstDevices implements HealthService.ListWorstDevices.
func (s *Service) ListWorstDevices(ctx context.Context, req *v1.ListWorstDevicesRequest) (*v1.ListWorstDevicesResponse, error) {
	r, err := ref(req.GetEntity())
	if err != nil {
		return nil, err
	}
	limit, err := validate.Limit("limit", req.GetLimit(), 10, 100)
	if err != nil {
		return nil, err
	}
	ds, err := s.svc.Worst(ctx, r, limit)
	if err != nil {
		return nil, err
	}
	out := &v1.ListWorstDevicesResponse{}
	for _, d := range ds {
		out.Devices = append(out.Devices, deviceScore(d))
	}
	return out, nil
}

// ListChecks implements HealthService.ListChecks.
func (s *Service) ListChecks(context.Context, *v1.ListChecksRequest) (*v1.ListChecksResponse, error) {
	out := &v1.ListChecksResponse{}
	for _, c := range analyzer.Catalogue() {
		out.Checks = append(out.Checks, checkInfo(c))
	}
	return out, nil
}

// GetScoringModel implements HealthService.GetScoringModel: every number
// comes from the analyzer's own constants.
func (s *Service) GetScoringModel(context.Context, *v1.GetScoringModelRequest) (*v1.GetScoringModelResponse, error) {
	return ScoringModel(), nil
}

// ScoringModel is the analyzer's scoring model as the API serves it.
func ScoringModel() *v1.GetScoringModelResponse {
	out := &v1.GetScoringModelResponse{
		DeviceCapCritical: analyzer.CapCritical, DeviceCapHigh: analyzer.CapHigh, ServerWeight: analyzer.ServerWeight,
		RollupCapCritical: analyzer.RollUpCapCritical, RollupCapPoor: analyzer.RollUpCapPoor, Version: analyzer.Version,
		DeviceCapTwoHigh: analyzer.CapTwoHigh, RollupSharePercent: analyzer.RollUpShare,
		DeviceRule: analyzer.DeviceRule, RollupRule: analyzer.RollUpRule, NeedsAttentionRule: analyzer.NeedsAttentionRule,
	}
	for _, d := range analyzer.Domains() {
		out.Domains = append(out.Domains, &v1.DomainWeight{Domain: string(d), Weight: int32(analyzer.DomainWeight(d)), FactorPercent: int32(analyzer.DomainFactor(d))})
	}
	for _, b := range analyzer.Bands() {
		out.Bands = append(out.Bands, &v1.BandRange{Band: bands[b.Name], Name: string(b.Name), MinScore: int32(b.Min), MaxScore: int32(b.Max)})
	}
	for _, sev := range analyzer.Severities() {
		out.Penalties = append(out.Penalties, &v1.SeverityPenalty{
			Severity: string(sev), Fail: int32(analyzer.Penalty(analyzer.Fail, sev)), Warn: int32(analyzer.Penalty(analyzer.Warn, sev)),
		})
	}
	return out
}

// Recompute implements HealthService.Recompute.
func (s *Service) Recompute(ctx context.Context, req *v1.RecomputeRequest) (*v1.RecomputeResponse, error) {
	r, err := ref(req.GetEntity())
	if err != nil {
		return nil, err
	}
	n, err := s.svc.Recompute(ctx, r)
	if err != nil {
		return nil, err
	}
	return &v1.RecomputeResponse{QueuedDevices: int32(n)}, nil
}

func checkInfo(c analyzer.CheckInfo) *v1.CheckInfo {
	num := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	warn, fail := num(c.Warn), num(c.Fail)
	if c.Compare != "" {
		if warn != "" {
			warn = c.Compare + " " + warn
		}
		if fail != "" {
			fail = c.Compare + " " + fail
		}
	}
	return &v1.CheckInfo{
		Id: c.ID, Domain: string(c.Domain), Title: c.Title, Severity: string(c.Severity),
		Warn: warn, Fail: fail, Unit: c.Unit, Source: c.Source,
	}
}

// ListCheckSummaries implements HealthService.ListCheckSummaries.
func (s *Service) ListCheckSummaries(ctx context.Context, req *v1.ListCheckSummariesRequest) (*v1.ListCheckSummariesResponse, error) {
	r, err := ref(req.GetEntity())
	if err != nil {
		return nil, err
	}
	// Like ListFindings, an unknown domain matches nothing. A device is no
	// scope, but one the caller cannot see is not_found first (the service
	// resolves before it refuses).
	domain := validate.Clip(req.GetDomain(), 32)
	checks, count, err := s.svc.CheckSummaries(ctx, r, domain)
	if err != nil {
		return nil, err
	}
	out := &v1.ListCheckSummariesResponse{DeviceCount: int32(count)}
	for _, c := range checks {
		out.Checks = append(out.Checks, &v1.CheckSummary{
			CheckId: c.CheckID, Title: c.Title, Domain: string(c.Domain), Severity: string(c.Severity),
			DevicesFailing: int32(c.DevicesFailing), DevicesWarning: int32(c.DevicesWarning), Impact: int32(c.Impact),
			Worst: finding(c.Worst),
		})
	}
	return out, nil
}

// DeviceScoreOf converts a device with its score for a response.
func DeviceScoreOf(d health.DeviceScore) *v1.DeviceScore { return deviceScore(d) }

// HealthOf converts an entity's health for a response.
func HealthOf(v *health.View) *v1.Health { return healthOf(v) }
