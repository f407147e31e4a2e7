package authapi

import (
	"context"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/sso"
)

// WithSSO gives the service the single sign-on flow (without it the SSO
// procedures are unavailable and GetAuthConfig offers no SSO).
func (s *Service) WithSSO(x *sso.Service) *Service {
	s.sso = x
	return s
}

// ssoOffered reports whether any tenant offers single sign-on.
func (s *Service) ssoOffered(ctx context.Context) bool {
	if s.sso == nil {
		return false
	}
	ok, err := s.sso.Offered(ctx)
	return err == nil && ok
}

// StartSingleSignOn implements AuthService.StartSingleSignOn.
func (s *Service) StartSingleSignOn(ctx context.Context, req *v1.StartSingleSignOnRequest) (*v1.StartSingleSignOnResponse, error) {
	if s.sso == nil {
		return nil, apperr.NotFound("single sign-on for this address")
	}
	u, err := s.sso.Start(ctx, req.GetEmail(), req.GetTenantId(), req.GetBrowserBindingHash(), s.addr(ctx))
	if err != nil {
		return nil, err
	}
	return &v1.StartSingleSignOnResponse{AuthorizationUrl: u}, nil
}

// CompleteSingleSignOn implements AuthService.CompleteSingleSignOn.
func (s *Service) CompleteSingleSignOn(ctx context.Context, req *v1.CompleteSingleSignOnRequest) (*v1.CompleteSingleSignOnResponse, error) {
	if s.sso == nil {
		return nil, apperr.Unauthenticated("the sign-in code is invalid, used or expired; sign in again")
	}
	t, err := s.sso.Complete(ctx, req.GetCode(), req.GetBrowserBinding())
	if err != nil {
		return nil, err
	}
	return &v1.CompleteSingleSignOnResponse{
		AccessToken: t.AccessToken, AccessTokenExpiresAt: pbconv.Time(t.AccessExpiresAt),
		RefreshToken: t.RefreshToken, RefreshTokenExpiresAt: pbconv.Time(t.RefreshExpiresAt),
		TenantId: t.TenantID.String(),
	}, nil
}
