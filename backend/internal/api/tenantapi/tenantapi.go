// Package tenantapi serves wegweiser.v1.TenantService.
package tenantapi

import (
	"context"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/branding"
	"github.com/wegweiser/wegweiser/backend/internal/retention"
	"github.com/wegweiser/wegweiser/backend/internal/tenancy"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
)

// Service implements TenantService.
type Service struct {
	svc       *tenancy.Service
	retention *retention.Service
	branding  *branding.Service
}

var _ wegweiserv1connect.TenantServiceHandler = (*Service)(nil)

// New returns the TenantService handler.
func New(svc *tenancy.Service, ret *retention.Service, brand *branding.Service) *Service {
	return &Service{svc: svc, retention: ret, branding: brand}
}

// GetRetention implements TenantService.GetRetention.
func (s *Service) GetRetention(ctx context.Context, _ *v1.GetRetentionRequest) (*v1.GetRetentionResponse, error) {
	p, err := s.retention.Get(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.GetRetentionResponse{
		Retention: retentionMsg(p), Minimum: retentionMsg(retention.Minimum),
		Maximum: retentionMsg(retention.Maximum), Defaults: retentionMsg(retention.Defaults),
	}, nil
}

// UpdateRetention implements TenantService.UpdateRetention.
func (s *Service) UpdateRetention(ctx context.Context, req *v1.UpdateRetentionRequest) (*v1.UpdateRetentionResponse, error) {
	r := req.GetRetention()
	if r == nil {
		return nil, apperr.Invalid("retention", "is required")
	}
	p, err := s.retention.Update(ctx, retention.Policy{
		SnapshotDays: int(r.GetSnapshotDays()), HistoryDays: int(r.GetHistoryDays()),
		NotificationDays: int(r.GetNotificationDays()), DeliveryDays: int(r.GetWebhookDeliveryDays()),
		AuditDays: int(r.GetAuditDays()),
	})
	if err != nil {
		return nil, err
	}
	return &v1.UpdateRetentionResponse{Retention: retentionMsg(p)}, nil
}

func retentionMsg(p retention.Policy) *v1.Retention {
	return &v1.Retention{
		SnapshotDays: int32(p.SnapshotDays), HistoryDays: int32(p.HistoryDays),
		NotificationDays: int32(p.NotificationDays), WebhookDeliveryDays: int32(p.DeliveryDays),
		AuditDays: int32(p.AuditDays),
	}
}

// GetTenant implements TenantService.GetTenant.
func (s *Service) GetTenant(ctx context.Context, _ *v1.GetTenantRequest) (*v1.GetTenantResponse, error) {
	o, err := s.svc.GetTenant(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.GetTenantResponse{
		Tenant:            pbconv.Tenant(o.Tenant),
		OrganisationCount: int32(o.Organisations),
		GroupCount:        int32(o.Groups),
		DeviceCount:       int32(o.Devices),
	}, nil
}

// UpdateTenant implements TenantService.UpdateTenant.
func (s *Service) UpdateTenant(ctx context.Context, req *v1.UpdateTenantRequest) (*v1.UpdateTenantResponse, error) {
	t, err := s.svc.UpdateTenant(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	return &v1.UpdateTenantResponse{Tenant: pbconv.Tenant(t)}, nil
}

// CreateOrganisation implements TenantService.CreateOrganisation.
func (s *Service) CreateOrganisation(ctx context.Context, req *v1.CreateOrganisationRequest) (*v1.CreateOrganisationResponse, error) {
	o, err := s.svc.CreateOrganisation(ctx, req.GetName(), req.GetDescription())
	if err != nil {
		return nil, err
	}
	return &v1.CreateOrganisationResponse{Organisation: organisation(o)}, nil
}

// GetOrganisation implements TenantService.GetOrganisation.
func (s *Service) GetOrganisation(ctx context.Context, req *v1.GetOrganisationRequest) (*v1.GetOrganisationResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	o, err := s.svc.GetOrganisation(ctx, id)
	if err != nil {
		return nil, err
	}
	return &v1.GetOrganisationResponse{Organisation: organisation(o)}, nil
}

// ListOrganisations implements TenantService.ListOrganisations.
func (s *Service) ListOrganisations(ctx context.Context, req *v1.ListOrganisationsRequest) (*v1.ListOrganisationsResponse, error) {
	size, err := validate.PageSize("page_size", req.GetPageSize(), 100)
	if err != nil {
		return nil, err
	}
	orgs, next, err := s.svc.ListOrganisations(ctx, size, req.GetPageToken(), req.GetQuery())
	if err != nil {
		return nil, err
	}
	out := &v1.ListOrganisationsResponse{NextPageToken: next}
	for _, o := range orgs {
		out.Organisations = append(out.Organisations, organisation(o))
	}
	return out, nil
}

// UpdateOrganisation implements TenantService.UpdateOrganisation.
func (s *Service) UpdateOrganisation(ctx context.Context, req *v1.UpdateOrganisationRequest) (*v1.UpdateOrganisationResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	o, err := s.svc.UpdateOrganisation(ctx, id, req.GetName(), req.GetDescription())
	if err != nil {
		return nil, err
	}
	return &v1.UpdateOrganisationResponse{Organisation: organisation(o)}, nil
}

// DeleteOrganisation implements TenantService.DeleteOrganisation.
func (s *Service) DeleteOrganisation(ctx context.Context, req *v1.DeleteOrganisationRequest) (*v1.DeleteOrganisationResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	if err := s.svc.DeleteOrganisation(ctx, id, req.GetForce()); err != nil {
		return nil, err
	}
	return &v1.DeleteOrganisationResponse{}, nil
}

// CreateGroup implements TenantService.CreateGroup.
func (s *Service) CreateGroup(ctx context.Context, req *v1.CreateGroupRequest) (*v1.CreateGroupResponse, error) {
	orgID, err := validate.ID("organisation_id", req.GetOrganisationId())
	if err != nil {
		return nil, err
	}
	g, err := s.svc.CreateGroup(ctx, orgID, req.GetName(), req.GetDescription())
	if err != nil {
		return nil, err
	}
	return &v1.CreateGroupResponse{Group: group(g)}, nil
}

// GetGroup implements TenantService.GetGroup.
func (s *Service) GetGroup(ctx context.Context, req *v1.GetGroupRequest) (*v1.GetGroupResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	g, err := s.svc.GetGroup(ctx, id)
	if err != nil {
		return nil, err
	}
	return &v1.GetGroupResponse{Group: group(g)}, nil
}

// ListGroups implements TenantService.ListGroups.
func (s *Service) ListGroups(ctx context.Context, req *v1.ListGroupsRequest) (*v1.ListGroupsResponse, error) {
	orgID, err := validate.OptionalID("organisation_id", req.GetOrganisationId())
	if err != nil {
		return nil, err
	}
	size, err := validate.PageSize("page_size", req.GetPageSize(), 100)
	if err != nil {
		return nil, err
	}
	groups, next, err := s.svc.ListGroups(ctx, orgID, size, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &v1.ListGroupsResponse{NextPageToken: next}
	for _, g := range groups {
		out.Groups = append(out.Groups, group(g))
	}
	return out, nil
}

// UpdateGroup implements TenantService.UpdateGroup.
func (s *Service) UpdateGroup(ctx context.Context, req *v1.UpdateGroupRequest) (*v1.UpdateGroupResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	g, err := s.svc.UpdateGroup(ctx, id, req.GetName(), req.GetDescription())
	if err != nil {
		return nil, err
	}
	return &v1.UpdateGroupResponse{Group: group(g)}, nil
}

// DeleteGroup implements TenantService.DeleteGroup.
func (s *Service) DeleteGroup(ctx context.Context, req *v1.DeleteGroupRequest) (*v1.DeleteGroupResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	if err := s.svc.DeleteGroup(ctx, id); err != nil {
		return nil, err
	}
	return &v1.DeleteGroupResponse{}, nil
}

func organisation(o *tenancy.OrganisationInfo) *v1.Organisation {
	return &v1.Organisation{
		Id:          o.ID.String(),
		Name:        o.Name,
		Description: o.Description,
		GroupCount:  int32(o.Groups),
		DeviceCount: int32(o.Devices),
		CreateTime:  pbconv.Time(o.CreatedAt),
		UpdateTime:  pbconv.Time(o.UpdatedAt),
	}
}

func group(g *tenancy.GroupInfo) *v1.Group {
	return &v1.Group{
		Id:             g.ID.String(),
		OrganisationId: g.OrganisationID.String(),
		Name:           g.Name,
		Description:    g.Description,
		DeviceCount:    int32(g.Devices),
		CreateTime:     pbconv.Time(g.CreatedAt),
		UpdateTime:     pbconv.Time(g.UpdatedAt),
	}
}
