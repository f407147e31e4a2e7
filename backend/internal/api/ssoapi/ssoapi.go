// Package ssoapi serves wegweiser.v1.SingleSignOnService.
package ssoapi

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
)

// Service implements SingleSignOnService.
type Service struct{}

var _ wegweiserv1connect.SingleSignOnServiceHandler = (*Service)(nil)

// New returns the SingleSignOnService handler.
func New() *Service { return &Service{} }

// GetSingleSignOnConfig implements SingleSignOnService.GetSingleSignOnConfig.
func (s *Service) GetSingleSignOnConfig(ctx context.Context, req *v1.GetSingleSignOnConfigRequest) (*v1.GetSingleSignOnConfigResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SingleSignOnService.GetSingleSignOnConfig is not built yet"))
}

// UpdateSingleSignOnConfig implements SingleSignOnService.UpdateSingleSignOnConfig.
func (s *Service) UpdateSingleSignOnConfig(ctx context.Context, req *v1.UpdateSingleSignOnConfigRequest) (*v1.UpdateSingleSignOnConfigResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SingleSignOnService.UpdateSingleSignOnConfig is not built yet"))
}

// DeleteSingleSignOnConfig implements SingleSignOnService.DeleteSingleSignOnConfig.
func (s *Service) DeleteSingleSignOnConfig(ctx context.Context, req *v1.DeleteSingleSignOnConfigRequest) (*v1.DeleteSingleSignOnConfigResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SingleSignOnService.DeleteSingleSignOnConfig is not built yet"))
}
