// Package ssoapi serves wegweiser.v1.SingleSignOnService.
package ssoapi

import (
	"context"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/sso"
)

// Service implements SingleSignOnService.
type Service struct{ sso *sso.Service }

var _ wegweiserv1connect.SingleSignOnServiceHandler = (*Service)(nil)

// New returns the SingleSignOnService handler.
func New(s *sso.Service) *Service { return &Service{sso: s} }

func toProto(c *sso.Config) *v1.SingleSignOnConfig {
	return &v1.SingleSignOnConfig{
		IssuerUrl: c.IssuerURL, ClientId: c.ClientID, ClientSecretSet: c.SecretSet, Domains: c.Domains,
		DefaultRole: pbconv.Role(c.DefaultRole), SsoOnly: c.SSOOnly, Enabled: c.Enabled,
		RedirectUrl: c.RedirectURL, UpdateTime: pbconv.Time(c.UpdatedAt),
	}
}

// GetSingleSignOnConfig implements SingleSignOnService.GetSingleSignOnConfig.
func (s *Service) GetSingleSignOnConfig(ctx context.Context, _ *v1.GetSingleSignOnConfigRequest) (*v1.GetSingleSignOnConfigResponse, error) {
	c, err := s.sso.Get(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.GetSingleSignOnConfigResponse{Config: toProto(c)}, nil
}

// UpdateSingleSignOnConfig implements SingleSignOnService.UpdateSingleSignOnConfig.
func (s *Service) UpdateSingleSignOnConfig(ctx context.Context, req *v1.UpdateSingleSignOnConfigRequest) (*v1.UpdateSingleSignOnConfigResponse, error) {
	in := req.GetConfig()
	if in == nil {
		return nil, apperr.Invalid("config", "is required")
	}
	role := pbconv.RoleFromProto(in.GetDefaultRole())
	if in.GetDefaultRole() != v1.Role_ROLE_UNSPECIFIED && role == "" {
		return nil, apperr.Invalid("config.default_role", "is not a role")
	}
	c, err := s.sso.Update(ctx, sso.Config{
		IssuerURL: in.GetIssuerUrl(), ClientID: in.GetClientId(), ClientSecret: in.GetClientSecret(),
		Domains: in.GetDomains(), DefaultRole: role, SSOOnly: in.GetSsoOnly(), Enabled: in.GetEnabled(),
	})
	if err != nil {
		return nil, err
	}
	return &v1.UpdateSingleSignOnConfigResponse{Config: toProto(c)}, nil
}

// DeleteSingleSignOnConfig implements SingleSignOnService.DeleteSingleSignOnConfig.
func (s *Service) DeleteSingleSignOnConfig(ctx context.Context, _ *v1.DeleteSingleSignOnConfigRequest) (*v1.DeleteSingleSignOnConfigResponse, error) {
	if err := s.sso.Delete(ctx); err != nil {
		return nil, err
	}
	return &v1.DeleteSingleSignOnConfigResponse{}, nil
}
