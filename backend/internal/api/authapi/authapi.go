// Package authapi serves wegweiser.v1.AuthService.
package authapi

import (
	"context"
	"net/netip"

	"connectrpc.com/connect"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/api"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/authz"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/member"
	"github.com/wegweiser/wegweiser/backend/internal/mfa"
	"github.com/wegweiser/wegweiser/backend/internal/reqinfo"
	"github.com/wegweiser/wegweiser/backend/internal/sso"
	"github.com/wegweiser/wegweiser/backend/internal/tenancy"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Service implements AuthService.
type Service struct {
	ids      *identity.Service
	members  *member.Service
	tenants  *tenancy.Service
	enforcer *authz.Enforcer
	sources  reqinfo.Sources
	sso      *sso.Service
	factors  *mfa.Service
}

var _ wegweiserv1connect.AuthServiceHandler = (*Service)(nil)

// New returns the AuthService handler; trusted are the reverse proxies whose
// X-Forwarded-For is believed (see reqinfo.Sources).
func New(ids *identity.Service, members *member.Service, tenants *tenancy.Service, enforcer *authz.Enforcer, trusted []netip.Prefix) *Service {
	return &Service{ids: ids, members: members, tenants: tenants, enforcer: enforcer, sources: reqinfo.Sources{Trusted: trusted}}
}

// addr is the client address of the call in ctx.
func (s *Service) addr(ctx context.Context) string {
	if a := reqinfo.From(ctx).Address; a != "" {
		return a
	}
	ci, ok := connect.CallInfoForHandlerContext(ctx)
	if !ok {
		return "unknown"
	}
	return s.sources.Addr(ci.Peer().Addr, ci.RequestHeader())
}

// SignUp implements AuthService.SignUp. The response is empty whether or
// not the email was registered.
func (s *Service) SignUp(ctx context.Context, req *v1.SignUpRequest) (*v1.SignUpResponse, error) {
	err := s.ids.Register(ctx, identity.SignUpInput{
		TenantName: req.GetTenantName(), Email: req.GetEmail(), Password: req.GetPassword(), DisplayName: req.GetDisplayName(),
	}, s.addr(ctx))
	if err != nil {
		return nil, err
	}
	return &v1.SignUpResponse{}, nil
}

// Login implements AuthService.Login.
func (s *Service) Login(ctx context.Context, req *v1.LoginRequest) (*v1.LoginResponse, error) {
	t, err := s.ids.Login(ctx, req.GetEmail(), req.GetPassword(), req.GetTenantId(), s.addr(ctx))
	if err != nil {
		return nil, err
	}
	if t.SecondFactorRequired {
		return &v1.LoginResponse{
			TenantId: t.TenantID.String(), SecondFactorRequired: true, SignInToken: t.SignInToken,
			SecondFactors: kindsProto(t.SecondFactors),
		}, nil
	}
	return &v1.LoginResponse{
		AccessToken: t.AccessToken, AccessTokenExpiresAt: pbconv.Time(t.AccessExpiresAt),
		RefreshToken: t.RefreshToken, RefreshTokenExpiresAt: pbconv.Time(t.RefreshExpiresAt),
		TenantId: t.TenantID.String(), SecondFactorSetupRequired: t.FactorSetupPending,
	}, nil
}

// Refresh implements AuthService.Refresh.
func (s *Service) Refresh(ctx context.Context, req *v1.RefreshRequest) (*v1.RefreshResponse, error) {
	t, err := s.ids.Refresh(ctx, req.GetRefreshToken(), s.addr(ctx))
	if err != nil {
		return nil, err
	}
	return &v1.RefreshResponse{
		AccessToken: t.AccessToken, AccessTokenExpiresAt: pbconv.Time(t.AccessExpiresAt),
		RefreshToken: t.RefreshToken, RefreshTokenExpiresAt: pbconv.Time(t.RefreshExpiresAt),
		TenantId: t.TenantID.String(),
	}, nil
}

// GetAuthConfig implements AuthService.GetAuthConfig.
func (s *Service) GetAuthConfig(ctx context.Context, _ *v1.GetAuthConfigRequest) (*v1.GetAuthConfigResponse, error) {
	return &v1.GetAuthConfigResponse{PublicSignup: s.ids.SignUpOpen(), SingleSignOn: s.ssoOffered(ctx)}, nil
}

// VerifyEmail implements AuthService.VerifyEmail.
func (s *Service) VerifyEmail(ctx context.Context, req *v1.VerifyEmailRequest) (*v1.VerifyEmailResponse, error) {
	if err := s.ids.VerifyEmail(ctx, req.GetVerificationToken(), s.addr(ctx)); err != nil {
		return nil, err
	}
	return &v1.VerifyEmailResponse{}, nil
}

// ResendVerificationEmail implements AuthService.ResendVerificationEmail.
func (s *Service) ResendVerificationEmail(ctx context.Context, _ *v1.ResendVerificationEmailRequest) (*v1.ResendVerificationEmailResponse, error) {
	v, err := api.ViewerOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.ids.ResendVerification(ctx, v.UserID); err != nil {
		return nil, err
	}
	return &v1.ResendVerificationEmailResponse{}, nil
}

// RequestPasswordReset implements AuthService.RequestPasswordReset.
func (s *Service) RequestPasswordReset(ctx context.Context, req *v1.RequestPasswordResetRequest) (*v1.RequestPasswordResetResponse, error) {
	if err := s.ids.RequestPasswordReset(ctx, req.GetEmail(), s.addr(ctx)); err != nil {
		return nil, err
	}
	return &v1.RequestPasswordResetResponse{}, nil
}

// ResetPassword implements AuthService.ResetPassword.
func (s *Service) ResetPassword(ctx context.Context, req *v1.ResetPasswordRequest) (*v1.ResetPasswordResponse, error) {
	if err := s.ids.ResetPassword(ctx, req.GetResetToken(), req.GetPassword(), s.addr(ctx)); err != nil {
		return nil, err
	}
	return &v1.ResetPasswordResponse{}, nil
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
	t, err := s.ids.AcceptInvitation(ctx, req.GetInvitationToken(), req.GetPassword(), req.GetDisplayName(), s.addr(ctx))
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
	verified, err := s.ids.EmailVerified(ctx, v.UserID)
	if err != nil {
		return nil, err
	}
	u := pbconv.User(m.User, m.Membership)
	u.EmailVerified = verified
	return &v1.WhoAmIResponse{
		User:        u,
		Tenant:      pbconv.Tenant(t),
		Permissions: s.enforcer.Permissions(v.Role),

		SecondFactorSetupRequired: v.SecondFactorSetupPending,
	}, nil
}
