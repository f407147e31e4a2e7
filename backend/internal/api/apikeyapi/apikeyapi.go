// Package apikeyapi serves wegweiser.v1.APIKeyService.
package apikeyapi

import (
	"context"
	"time"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/apikey"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Service implements APIKeyService.
type Service struct {
	keys *apikey.Service
}

var _ wegweiserv1connect.APIKeyServiceHandler = (*Service)(nil)

// New returns the APIKeyService handler.
func New(keys *apikey.Service) *Service { return &Service{keys: keys} }

// CreateAPIKey implements APIKeyService.CreateAPIKey.
func (s *Service) CreateAPIKey(ctx context.Context, req *v1.CreateAPIKeyRequest) (*v1.CreateAPIKeyResponse, error) {
	if len(req.GetOrganisationIds()) > apikey.MaxOrganisations {
		return nil, apperr.Invalid("organisation_ids", "at most %d organisations", apikey.MaxOrganisations)
	}
	orgs, err := validate.IDs("organisation_ids", req.GetOrganisationIds())
	if err != nil {
		return nil, err
	}
	var exp *time.Time
	if req.GetExpireTime() != nil {
		t := req.GetExpireTime().AsTime().UTC()
		exp = &t
	}
	key, secret, err := s.keys.Create(ctx, apikey.CreateInput{
		Name: req.GetName(), Role: pbconv.RoleFromProto(req.GetRole()), OrganisationIDs: orgs, ExpiresAt: exp,
	})
	if err != nil {
		return nil, err
	}
	return &v1.CreateAPIKeyResponse{ApiKey: toProto(key), Secret: secret}, nil
}

// ListAPIKeys implements APIKeyService.ListAPIKeys.
func (s *Service) ListAPIKeys(ctx context.Context, req *v1.ListAPIKeysRequest) (*v1.ListAPIKeysResponse, error) {
	size, err := validate.PageSize("page_size", req.GetPageSize(), 100)
	if err != nil {
		return nil, err
	}
	keys, next, err := s.keys.List(ctx, size, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &v1.ListAPIKeysResponse{NextPageToken: next}
	for _, k := range keys {
		out.ApiKeys = append(out.ApiKeys, toProto(k))
	}
	return out, nil
}

// RevokeAPIKey implements APIKeyService.RevokeAPIKey.
func (s *Service) RevokeAPIKey(ctx context.Context, req *v1.RevokeAPIKeyRequest) (*v1.RevokeAPIKeyResponse, error) {
	id, err := validate.ID("api_key_id", req.GetApiKeyId())
	if err != nil {
		return nil, err
	}
	key, err := s.keys.Revoke(ctx, id)
	if err != nil {
		return nil, err
	}
	return &v1.RevokeAPIKeyResponse{ApiKey: toProto(key)}, nil
}

func toProto(k *apikey.Key) *v1.APIKey {
	return &v1.APIKey{
		Id: k.ID.String(), Name: k.Name, Prefix: k.Prefix, Role: pbconv.Role(viewer.Role(k.Role)),
		OrganisationIds: pbconv.IDs(k.OrganisationIds), CreateTime: pbconv.Time(k.CreatedAt),
		ExpireTime: pbconv.TimePtr(k.ExpiresAt), LastUseTime: pbconv.TimePtr(k.LastUsedAt),
		LastUseAddress: k.LastUsedAddress, RevokeTime: pbconv.TimePtr(k.RevokedAt), CreatedBy: k.CreatedBy,
	}
}
