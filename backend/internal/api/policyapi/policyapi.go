// Package policyapi serves wegweiser.v1.PolicyService.
package policyapi

import (
	"context"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/policy"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
)

// Service implements PolicyService.
type Service struct{ svc *policy.Service }

var _ wegweiserv1connect.PolicyServiceHandler = (*Service)(nil)

// New returns the PolicyService handler.
func New(svc *policy.Service) *Service { return &Service{svc: svc} }

var levels = map[v1.PolicyLevel]policy.Level{
	v1.PolicyLevel_POLICY_LEVEL_TENANT:       policy.LevelTenant,
	v1.PolicyLevel_POLICY_LEVEL_ORGANISATION: policy.LevelOrganisation,
	v1.PolicyLevel_POLICY_LEVEL_GROUP:        policy.LevelGroup,
	v1.PolicyLevel_POLICY_LEVEL_DEVICE:       policy.LevelDevice,
}

func scope(s *v1.PolicyScope) (policy.Scope, error) {
	if s == nil {
		return policy.Scope{}, apperr.Invalid("scope", "is required")
	}
	l, ok := levels[s.GetLevel()]
	if !ok {
		return policy.Scope{}, apperr.Invalid("scope.level", "must be tenant, organisation, group or device")
	}
	if l == policy.LevelTenant {
		id, err := validate.OptionalID("scope.id", s.GetId())
		return policy.Scope{Level: l, ID: id}, err
	}
	id, err := validate.ID("scope.id", s.GetId())
	return policy.Scope{Level: l, ID: id}, err
}

func toScope(level string, id string) *v1.PolicyScope {
	for pl, l := range levels {
		if string(l) == level {
			return &v1.PolicyScope{Level: pl, Id: id}
		}
	}
	return nil
}

func override(o *ent.PolicyOverride) *v1.Override {
	return &v1.Override{
		Id: o.ID.String(), Scope: toScope(string(o.Level), o.TargetID.String()), CheckId: o.CheckID,
		Enabled: o.Enabled, Warn: o.Warn, Fail: o.Fail, Severity: o.Severity, Suppress: o.Suppress,
		Reason: o.Reason, UpdatedBy: o.UpdatedBy, UpdateTime: pbconv.Time(o.UpdatedAt),
	}
}

// ListPolicies implements PolicyService.ListPolicies.
func (s *Service) ListPolicies(ctx context.Context, req *v1.ListPoliciesRequest) (*v1.ListPoliciesResponse, error) {
	sc, err := scope(req.GetScope())
	if err != nil {
		return nil, err
	}
	ovs, guidance, err := s.svc.List(ctx, sc)
	if err != nil {
		return nil, err
	}
	out := &v1.ListPoliciesResponse{Guidance: guidance}
	for _, o := range ovs {
		out.Overrides = append(out.Overrides, override(o))
	}
	return out, nil
}

// GetEffectivePolicy implements PolicyService.GetEffectivePolicy.
func (s *Service) GetEffectivePolicy(ctx context.Context, req *v1.GetEffectivePolicyRequest) (*v1.GetEffectivePolicyResponse, error) {
	id, err := validate.ID("device_id", req.GetDeviceId())
	if err != nil {
		return nil, err
	}
	eff, err := s.svc.Effective(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &v1.GetEffectivePolicyResponse{Guidance: eff.Guidance}
	for _, o := range eff.Overrides {
		out.Overrides = append(out.Overrides, override(o))
	}
	return out, nil
}

// SetOverride implements PolicyService.SetOverride.
func (s *Service) SetOverride(ctx context.Context, req *v1.SetOverrideRequest) (*v1.SetOverrideResponse, error) {
	sc, err := scope(req.GetScope())
	if err != nil {
		return nil, err
	}
	o, n, err := s.svc.Set(ctx, sc, policy.Input{
		CheckID: req.GetCheckId(), Enabled: req.Enabled, Warn: req.Warn, Fail: req.Fail,
		Severity: req.GetSeverity(), Suppress: req.GetSuppress(), Reason: req.GetReason(),
	})
	if err != nil {
		return nil, err
	}
	return &v1.SetOverrideResponse{Override: override(o), QueuedDevices: int32(n)}, nil
}

// DeleteOverride implements PolicyService.DeleteOverride.
func (s *Service) DeleteOverride(ctx context.Context, req *v1.DeleteOverrideRequest) (*v1.DeleteOverrideResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	n, err := s.svc.Delete(ctx, id, req.GetReason())
	if err != nil {
		return nil, err
	}
	return &v1.DeleteOverrideResponse{QueuedDevices: int32(n)}, nil
}

// SetGuidance implements PolicyService.SetGuidance.
func (s *Service) SetGuidance(ctx context.Context, req *v1.SetGuidanceRequest) (*v1.SetGuidanceResponse, error) {
	sc, err := scope(req.GetScope())
	if err != nil {
		return nil, err
	}
	if err := s.svc.SetGuidance(ctx, sc, req.GetText()); err != nil {
		return nil, err
	}
	return &v1.SetGuidanceResponse{}, nil
}

// ListPolicyAudit implements PolicyService.ListPolicyAudit.
func (s *Service) ListPolicyAudit(ctx context.Context, req *v1.ListPolicyAuditRequest) (*v1.ListPolicyAuditResponse, error) {
	size, err := validate.PageSize("page_size", req.GetPageSize(), 100)
	if err != nil {
		return nil, err
	}
	rows, err := s.svc.Audit(ctx, size)
	if err != nil {
		return nil, err
	}
	out := &v1.ListPolicyAuditResponse{}
	for _, r := range rows {
		out.Events = append(out.Events, &v1.PolicyAuditEvent{
			Action: r.Action, Scope: toScope(r.Level, r.TargetID.String()), CheckId: r.CheckID, Actor: r.Actor,
			Reason: r.Reason, Detail: r.Detail, Time: pbconv.Time(r.CreatedAt),
		})
	}
	return out, nil
}
