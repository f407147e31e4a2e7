package authapi

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
)

// StartSingleSignOn implements AuthService.StartSingleSignOn.
func (s *Service) StartSingleSignOn(ctx context.Context, req *v1.StartSingleSignOnRequest) (*v1.StartSingleSignOnResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("AuthService.StartSingleSignOn is not built yet"))
}

// CompleteSingleSignOn implements AuthService.CompleteSingleSignOn.
func (s *Service) CompleteSingleSignOn(ctx context.Context, req *v1.CompleteSingleSignOnRequest) (*v1.CompleteSingleSignOnResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("AuthService.CompleteSingleSignOn is not built yet"))
}
