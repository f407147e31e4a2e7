// Package onboardingapi serves wegweiser.v1.OnboardingService.
package onboardingapi

import (
	"context"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/api/deviceapi"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/onboarding"
)

// Service implements OnboardingService.
type Service struct{ svc *onboarding.Service }

var _ wegweiserv1connect.OnboardingServiceHandler = (*Service)(nil)

// New returns the OnboardingService handler.
func New(svc *onboarding.Service) *Service { return &Service{svc: svc} }

var stepIDs = map[onboarding.Step]v1.ChecklistStepId{
	onboarding.StepOrganisation:    v1.ChecklistStepId_CHECKLIST_STEP_ID_CREATE_ORGANISATION,
	onboarding.StepEnrolmentKey:    v1.ChecklistStepId_CHECKLIST_STEP_ID_CREATE_ENROLMENT_KEY,
	onboarding.StepFirstDevice:     v1.ChecklistStepId_CHECKLIST_STEP_ID_FIRST_DEVICE,
	onboarding.StepInviteColleague: v1.ChecklistStepId_CHECKLIST_STEP_ID_INVITE_COLLEAGUE,
	onboarding.StepAlerts:          v1.ChecklistStepId_CHECKLIST_STEP_ID_SET_UP_ALERTS,
	onboarding.StepAI:              v1.ChecklistStepId_CHECKLIST_STEP_ID_CONNECT_AI,
}

func checklist(c *onboarding.Checklist) *v1.GetChecklistResponse {
	out := &v1.GetChecklistResponse{Complete: c.Complete, Dismissed: c.Dismissed}
	for _, s := range c.Steps {
		out.Steps = append(out.Steps, &v1.ChecklistStep{
			Id: stepIDs[s.Step], Title: s.Title, Description: s.Description, Done: s.Done,
			DoneTime: pbconv.TimePtr(s.DoneAt), ActionPath: s.ActionPath, Optional: s.Optional,
		})
	}
	if c.FirstDevice != nil {
		out.FirstDevice = deviceapi.DeviceProto(*c.FirstDevice)
	}
	return out
}

// GetChecklist implements OnboardingService.GetChecklist.
func (s *Service) GetChecklist(ctx context.Context, _ *v1.GetChecklistRequest) (*v1.GetChecklistResponse, error) {
	c, err := s.svc.Get(ctx)
	if err != nil {
		return nil, err
	}
	return checklist(c), nil
}

// DismissChecklist implements OnboardingService.DismissChecklist.
func (s *Service) DismissChecklist(ctx context.Context, req *v1.DismissChecklistRequest) (*v1.DismissChecklistResponse, error) {
	c, err := s.svc.Dismiss(ctx, req.GetDismissed())
	if err != nil {
		return nil, err
	}
	return &v1.DismissChecklistResponse{Checklist: checklist(c)}, nil
}

// ListSeenTours implements OnboardingService.ListSeenTours.
func (s *Service) ListSeenTours(ctx context.Context, _ *v1.ListSeenToursRequest) (*v1.ListSeenToursResponse, error) {
	ids, err := s.svc.SeenTours(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.ListSeenToursResponse{TourIds: ids}, nil
}

// MarkTourSeen implements OnboardingService.MarkTourSeen.
func (s *Service) MarkTourSeen(ctx context.Context, req *v1.MarkTourSeenRequest) (*v1.MarkTourSeenResponse, error) {
	if err := onboarding.ValidTourID("tour_id", req.GetTourId()); err != nil {
		return nil, err
	}
	if err := s.svc.MarkTourSeen(ctx, req.GetTourId(), req.GetSeen()); err != nil {
		return nil, err
	}
	return &v1.MarkTourSeenResponse{}, nil
}
