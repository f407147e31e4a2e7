package tenantapi

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
)

// UpdateBranding implements TenantService.UpdateBranding.
func (s *Service) UpdateBranding(ctx context.Context, req *v1.UpdateBrandingRequest) (*v1.UpdateBrandingResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("TenantService.UpdateBranding is not built yet"))
}
