// Package apikeyapi serves wegweiser.v1.APIKeyService.
package apikeyapi

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
)

// Service implements APIKeyService.
type Service struct{}

var _ wegweiserv1connect.APIKeyServiceHandler = (*Service)(nil)

// New returns the APIKeyService handler.
func New() *Service { return &Service{} }

// CreateAPIKey implements APIKeyService.CreateAPIKey.
func (s *Service) CreateAPIKey(ctx context.Context, req *v1.CreateAPIKeyRequest) (*v1.CreateAPIKeyResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("APIKeyService.CreateAPIKey is not built yet"))
}

// ListAPIKeys implements APIKeyService.ListAPIKeys.
func (s *Service) ListAPIKeys(ctx context.Context, req *v1.ListAPIKeysRequest) (*v1.ListAPIKeysResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("APIKeyService.ListAPIKeys is not built yet"))
}

// RevokeAPIKey implements APIKeyService.RevokeAPIKey.
func (s *Service) RevokeAPIKey(ctx context.Context, req *v1.RevokeAPIKeyRequest) (*v1.RevokeAPIKeyResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("APIKeyService.RevokeAPIKey is not built yet"))
}
