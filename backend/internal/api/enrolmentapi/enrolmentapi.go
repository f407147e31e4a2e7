// Package enrolmentapi serves wegweiser.v1.EnrolmentService.
package enrolmentapi

import (
	"context"
	"time"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/agentdist"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/enrolment"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
)

// Service implements EnrolmentService.
type Service struct {
	svc  *enrolment.Service
	dist Distribution
}

// Distribution is what the handler tells about getting the agent onto
// endpoints.
type Distribution struct {
	// ServerURL is what install commands and agents point at.
	ServerURL string
	// Configured says whether the operator set ServerURL (the public URL)
	// or it was made from the listen address.
	Configured bool
	// Agents offers the builds; nil offers none.
	Agents *agentdist.Catalog
}

var _ wegweiserv1connect.EnrolmentServiceHandler = (*Service)(nil)

// New returns the handler.
func New(svc *enrolment.Service, dist Distribution) *Service {
	return &Service{svc: svc, dist: dist}
}

// CreateEnrolmentKey implements EnrolmentService.CreateEnrolmentKey.
func (s *Service) CreateEnrolmentKey(ctx context.Context, req *v1.CreateEnrolmentKeyRequest) (*v1.CreateEnrolmentKeyResponse, error) {
	orgID, err := validate.ID("organisation_id", req.GetOrganisationId())
	if err != nil {
		return nil, err
	}
	groupID, err := validate.OptionalID("group_id", req.GetGroupId())
	if err != nil {
		return nil, err
	}
	var exp *time.Time
	if req.GetExpireTime() != nil {
		t := req.GetExpireTime().AsTime().UTC()
		exp = &t
	}
	key, secret, err := s.svc.CreateKey(ctx, enrolment.KeyInput{
		OrganisationID: orgID, GroupID: groupID, Description: req.GetDescription(),
		ExpiresAt: exp, MaxUses: int(req.GetMaxUses()),
	})
	if err != nil {
		return nil, err
	}
	out := &v1.CreateEnrolmentKeyResponse{Key: toProto(key), Secret: secret}
	cmds := enrolment.InstallCommands(s.dist.ServerURL, secret)
	for _, p := range []string{"linux", "macos", "windows"} {
		out.InstallCommands = append(out.InstallCommands, &v1.InstallCommand{Platform: p, Command: cmds[p]})
	}
	return out, nil
}

// ListEnrolmentKeys implements EnrolmentService.ListEnrolmentKeys.
func (s *Service) ListEnrolmentKeys(ctx context.Context, req *v1.ListEnrolmentKeysRequest) (*v1.ListEnrolmentKeysResponse, error) {
	orgID, err := validate.OptionalID("organisation_id", req.GetOrganisationId())
	if err != nil {
		return nil, err
	}
	keys, err := s.svc.ListKeys(ctx, orgID, req.GetIncludeInactive())
	if err != nil {
		return nil, err
	}
	out := &v1.ListEnrolmentKeysResponse{}
	for _, k := range keys {
		out.Keys = append(out.Keys, toProto(k))
	}
	return out, nil
}

// RevokeEnrolmentKey implements EnrolmentService.RevokeEnrolmentKey.
func (s *Service) RevokeEnrolmentKey(ctx context.Context, req *v1.RevokeEnrolmentKeyRequest) (*v1.RevokeEnrolmentKeyResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	k, err := s.svc.RevokeKey(ctx, id)
	if err != nil {
		return nil, err
	}
	return &v1.RevokeEnrolmentKeyResponse{Key: toProto(k)}, nil
}

// RevokeDeviceToken implements EnrolmentService.RevokeDeviceToken.
func (s *Service) RevokeDeviceToken(ctx context.Context, req *v1.RevokeDeviceTokenRequest) (*v1.RevokeDeviceTokenResponse, error) {
	id, err := validate.ID("device_id", req.GetDeviceId())
	if err != nil {
		return nil, err
	}
	if err := s.svc.RevokeDeviceToken(ctx, id); err != nil {
		return nil, err
	}
	return &v1.RevokeDeviceTokenResponse{}, nil
}

func toProto(k *ent.EnrolmentKey) *v1.EnrolmentKey {
	out := &v1.EnrolmentKey{
		Id:             k.ID.String(),
		OrganisationId: k.OrganisationID.String(),
		Description:    k.Description,
		Prefix:         k.Prefix,
		ExpireTime:     pbconv.TimePtr(k.ExpiresAt),
		MaxUses:        int32(k.MaxUses),
		Uses:           int32(k.Uses),
		RevokeTime:     pbconv.TimePtr(k.RevokedAt),
		CreateTime:     pbconv.Time(k.CreatedAt),
	}
	if k.GroupID != nil {
		out.GroupId = k.GroupID.String()
	}
	return out
}

// GetAgentDistribution implements EnrolmentService.GetAgentDistribution.
func (s *Service) GetAgentDistribution(context.Context, *v1.GetAgentDistributionRequest) (*v1.GetAgentDistributionResponse, error) {
	base := s.dist.ServerURL
	out := &v1.GetAgentDistributionResponse{
		PublicUrl:             base,
		Warnings:              agentdist.URLWarnings(base, s.dist.Configured),
		ChecksumsUrl:          base + agentdist.ChecksumsPath,
		ChecksumsSignatureUrl: base + agentdist.SignaturePath,
	}
	if s.dist.Agents == nil {
		return out, nil
	}
	arts, err := s.dist.Agents.Artifacts()
	if err != nil {
		return nil, apperr.Unavailable(err, "the agent builds cannot be read")
	}
	out.Version = s.dist.Agents.Version()
	out.SigningPublicKey = s.dist.Agents.PublicKeyBase64()
	for _, a := range arts {
		out.Artifacts = append(out.Artifacts, &v1.AgentArtifact{
			Platform: a.Platform(), Arch: a.Arch, Format: a.Format, FileName: a.FileName,
			Url: base + a.Path(), Sha256: a.SHA256, Size: a.Size, Version: a.Version,
		})
	}
	return out, nil
}
