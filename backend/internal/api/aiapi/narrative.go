package aiapi

import (
	"context"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/ai/narrative"
	"github.com/wegweiser/wegweiser/backend/internal/api/healthapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
)

// entity converts a request's entity; none means the caller's tenant.
func entity(e *v1.EntityRef) (health.Ref, error) {
	if e == nil {
		return health.Ref{Kind: health.KindTenant}, nil
	}
	return pbconv.EntityRef("entity", e, false)
}

var efforts = map[narrative.Effort]v1.Effort{
	narrative.EffortMinutes: v1.Effort_EFFORT_MINUTES,
	narrative.EffortHours:   v1.Effort_EFFORT_HOURS,
	narrative.EffortProject: v1.Effort_EFFORT_PROJECT,
}

// toNarrative converts a narrative for a response (nil stays nil).
func toNarrative(n *narrative.Narrative) *v1.Narrative {
	if n == nil {
		return nil
	}
	out := &v1.Narrative{Entity: pbconv.Entity(n.Ref), Text: n.Text, Model: n.Model, GenerateTime: pbconv.Time(n.GeneratedAt), Stale: n.Stale}
	for _, st := range n.Steps {
		out.NextSteps = append(out.NextSteps, &v1.NextStep{Title: st.Title, Detail: st.Detail, Effort: efforts[st.Effort], CheckIds: st.CheckIDs, DeviceIds: st.DeviceIDs})
	}
	return out
}

// GetNarrative implements AIService.GetNarrative.
func (s *Service) GetNarrative(ctx context.Context, req *v1.GetNarrativeRequest) (*v1.GetNarrativeResponse, error) {
	ref, err := entity(req.GetEntity())
	if err != nil {
		return nil, err
	}
	n, err := s.narratives.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	return &v1.GetNarrativeResponse{Narrative: toNarrative(n)}, nil
}

// RefreshNarrative implements AIService.RefreshNarrative.
func (s *Service) RefreshNarrative(ctx context.Context, req *v1.RefreshNarrativeRequest) (*v1.RefreshNarrativeResponse, error) {
	ref, err := entity(req.GetEntity())
	if err != nil {
		return nil, err
	}
	if err := s.narratives.Refresh(ctx, ref); err != nil {
		return nil, err
	}
	return &v1.RefreshNarrativeResponse{}, nil
}

// GetDiscoveryReport implements AIService.GetDiscoveryReport.
func (s *Service) GetDiscoveryReport(ctx context.Context, req *v1.GetDiscoveryReportRequest) (*v1.GetDiscoveryReportResponse, error) {
	id, err := validate.ID("organisation_id", req.GetOrganisationId())
	if err != nil {
		return nil, err
	}
	r, err := s.narratives.Discovery(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &v1.DiscoveryReport{
		OrganisationId: r.OrganisationID.String(), OrganisationName: r.OrganisationName, GenerateTime: pbconv.Time(r.GeneratedAt),
		Health: healthapi.HealthOf(r.Health), Narrative: toNarrative(r.Narrative), UnscoredDevices: int32(r.UnscoredDevices),
	}
	for _, k := range r.Risks {
		risk := &v1.Risk{
			CheckId: k.CheckID, Title: k.Title, Domain: string(k.Domain), Severity: string(k.Severity),
			FailDevices: int32(k.DevicesFailing), WarnDevices: int32(k.DevicesWarning), Impact: float64(k.Impact),
			Effort: efforts[k.Effort], Recommendation: k.Recommendation, Evidence: k.Evidence,
		}
		for _, d := range k.Devices {
			risk.Devices = append(risk.Devices, healthapi.DeviceScoreOf(d))
		}
		out.Risks = append(out.Risks, risk)
	}
	return &v1.GetDiscoveryReportResponse{Report: out}, nil
}
