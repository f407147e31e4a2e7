// Package authapi serves wegweiser.v1.AuthService.
package authapi

import (
	"context"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/api"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/authz"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/member"
	"github.com/wegweiser/wegweiser/backend/internal/tenancy"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Service implements AuthService.
type Service struct {
	ids      *identity.Service
	members  *member.Service
	tenants  *tenancy.Service
	enforcer *authz.Enforcer
}

var _ wegweiserv1connect.AuthServiceHandler = (*Service)(nil)

// New returns the AuthService handler.
func New(ids *identity.Service, members *member.Service, tenants *tenancy.Service, enforcer *authz.Enforcer) *Service {
	return &Service{ids: ids, members: members, tenants: tenants, enforcer: enforcer}
}

// SignUp implements AuthService.SignUp.
func (s *Service) SignUp(ctx context.Context, req *v1.SignUpRequest) (*v1.SignUpResponse, error) {
	res, err := s.ids.SignUp(ctx, identity.SignUpInput{
		TenantName: req.GetTenantName(), Email: req.GetEmail(), Password: req.GetPassword(), DisplayName: req.GetDisplayName(),
	})
	if err != nil {
		return nil, err
	}
	t := res.Tokens
	return &v1.SignUpResponse{
		Tenant:                pbconv.Tenant(res.Tenant),
		User:                  pbconv.User(res.User, res.Membership),
		AccessToken:           t.AccessToken,
		AccessTokenExpiresAt:  pbconv.Time(t.AccessExpiresAt),
		RefreshToken:          t.RefreshToken,
		RefreshTokenExpiresAt: pbconv.Time(t.RefreshExpiresAt),
	}, nil
}

// Login implements AuthService.Login.
func (s *Service) Login(ctx context.Context, req *v1.LoginRequest) (*v1.LoginResponse, error) {
	t, err := s.ids.Login(ctx, req.GetEmail(), req.GetPassword(), req.GetTenantId())
	if err != nil {
		return nil, err
	}
	return &v1.LoginResponse{
		AccessToken: t.AccessToken, AccessTokenExpiresAt: pbconv.Time(t.AccessExpiresAt),
		RefreshToken: t.RefreshToken, RefreshTokenExpiresAt: pbconv.Time(t.RefreshExpiresAt),
		TenantId: t.TenantID.String(),
	}, nil
}

// Refresh implements AuthService.Refresh.
func (s *Service) Refresh(ctx context.Context, req *v1.RefreshRequest) (*v1.RefreshResponse, error) {
	t, err := s.ids.Refresh(ctx, req.GetRefreshToken())
	if err != nil {
		return nil, err
	}
	return &v1.RefreshResponse{
		AccessToken: t.AccessToken, AccessTokenExpiresAt: pbconv.Time(t.AccessExpiresAt),
		RefreshToken: t.RefreshToken, RefreshTokenExpiresAt: pbconv.Time(t.RefreshExpiresAt),
		TenantId: t.TenantID.String(),
	}, nil
}

// Logout implements AuthService.Logout.
func (s *Service) Logout(ctx context.Context, req *v1.LogoutRequest) (*v1.LogoutResponse, error) {
	if err := s.ids.Logout(ctx, req.GetRefreshToken(), viewer.FromContext(ctx)); err != nil {
		return nil, err
	}
	return &v1.LogoutResponse{}, nil
}

// AcceptInvitation implements AuthService.AcceptInvitation.
func (s *Service) AcceptInvitation(ctx context.Context, req *v1.AcceptInvitationRequest) (*v1.AcceptInvitationResponse, error) {
	t, err := s.ids.AcceptInvitation(ctx, req.GetInvitationToken(), req.GetPassword(), req.GetDisplayName())
	if err != nil {
		return nil, err
	}
	return &v1.AcceptInvitationResponse{
		AccessToken: t.AccessToken, AccessTokenExpiresAt: pbconv.Time(t.AccessExpiresAt),
		RefreshToken: t.RefreshToken, RefreshTokenExpiresAt: pbconv.Time(t.RefreshExpiresAt),
		TenantId: t.TenantID.String(),
	}, nil
}

// WhoAmI implements AuthService.WhoAmI.
func (s *Service) WhoAmI(ctx context.Context, _ *v1.WhoAmIRequest) (*v1.WhoAmIResponse, error) {
	v, err := api.ViewerOf(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.members.Get(ctx, v.UserID)
	if err != nil {
		return nil, err
	}
	t, err := s.tenants.Tenant(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.WhoAmIResponse{
		User:        pbconv.User(m.User, m.Membership),
		Tenant:      pbconv.Tenant(t),
		Permissions: s.enforcer.Permissions(v.Role),
	}, nil
}
