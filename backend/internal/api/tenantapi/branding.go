package tenantapi

import (
	"context"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/branding"
)

// UpdateBranding implements TenantService.UpdateBranding.
func (s *Service) UpdateBranding(ctx context.Context, req *v1.UpdateBrandingRequest) (*v1.UpdateBrandingResponse, error) {
	b := req.GetBranding()
	out, err := s.branding.Update(ctx, branding.Input{
		DisplayName: b.GetDisplayName(), Logo: b.GetLogo(), KeepLogo: req.GetKeepLogo(), AccentColor: b.GetAccentColor(),
	})
	if err != nil {
		return nil, err
	}
	return &v1.UpdateBrandingResponse{Branding: pbconv.Branding(out)}, nil
}
