// Package agentapi serves wegweiser.agent.v1.AgentService to endpoint
// agents. The device is always the one of the caller's device token (see
// api.Guard); nothing in a request body can name another.
package agentapi

import (
	"context"

	"google.golang.org/protobuf/types/known/durationpb"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1/agentv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/api"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/enrolment"
	"github.com/wegweiser/wegweiser/backend/internal/ingest"
	"github.com/wegweiser/wegweiser/ent"
)

// Service implements AgentService.
type Service struct {
	enrol   *enrolment.Service
	ingest  *ingest.Service
	config  ingest.Config
	updates Updates
}

var _ agentv1connect.AgentServiceHandler = (*Service)(nil)

// New returns the AgentService handler.
func New(enrol *enrolment.Service, in *ingest.Service, cfg ingest.Config) *Service {
	return &Service{enrol: enrol, ingest: in, config: cfg}
}

func (s *Service) agentConfig() *agentv1.AgentConfig {
	return &agentv1.AgentConfig{
		CheckInInterval:   durationpb.New(s.config.CheckInInterval),
		Jitter:            durationpb.New(s.config.Jitter),
		HeartbeatInterval: durationpb.New(s.config.HeartbeatInterval),
	}
}

// device returns the token's device, refusing a body that claims another.
func device(ctx context.Context, claimed string) (*ent.Device, error) {
	d := api.DeviceOf(ctx)
	if d == nil {
		return nil, apperr.Unauthenticated("device token required")
	}
	if claimed != "" && claimed != d.ID.String() {
		return nil, apperr.PermissionDenied("device_id does not match the device token")
	}
	return d, nil
}

// Enroll implements AgentService.Enroll.
func (s *Service) Enroll(ctx context.Context, req *agentv1.EnrollRequest) (*agentv1.EnrollResponse, error) {
	// Newer agents send the key as the bearer credential (verified before
	// the body was read); older ones only in the body.
	key := api.EnrolmentKeyOf(ctx)
	switch {
	case key == "":
		key = req.GetEnrolmentKey()
	case req.GetEnrolmentKey() != "" && req.GetEnrolmentKey() != key:
		return nil, apperr.Invalid("enrolment_key", "differs from the key in the Authorization header")
	}
	res, err := s.enrol.Enroll(ctx, enrolment.EnrollInput{
		Key: key, Hostname: req.GetHostname(), Platform: req.GetPlatform(),
		AgentVersion: req.GetAgentVersion(), SerialNumber: req.GetSerialNumber(),
	})
	if err != nil {
		return nil, err
	}
	return &agentv1.EnrollResponse{
		DeviceId: res.Device.ID.String(), DeviceToken: res.Token, Config: s.agentConfig(),
		UpdateSigningKey: s.updates.signingKey(),
	}, nil
}

// Heartbeat implements AgentService.Heartbeat.
func (s *Service) Heartbeat(ctx context.Context, req *agentv1.HeartbeatRequest) (*agentv1.HeartbeatResponse, error) {
	d, err := device(ctx, req.GetDeviceId())
	if err != nil {
		return nil, err
	}
	if err := s.ingest.Heartbeat(ctx, d, req.GetAgentVersion(), req.GetSpooledSnapshots(), req.GetDroppedSnapshots()); err != nil {
		return nil, err
	}
	return &agentv1.HeartbeatResponse{
		Config: s.agentConfig(),
		Update: s.updates.offer(ctx, req.GetAgentVersion(), req.GetOs(), req.GetArch()),
	}, nil
}

// SubmitSnapshot implements AgentService.SubmitSnapshot.
func (s *Service) SubmitSnapshot(ctx context.Context, req *agentv1.SubmitSnapshotRequest) (*agentv1.SubmitSnapshotResponse, error) {
	d, err := device(ctx, req.GetDeviceId())
	if err != nil {
		return nil, err
	}
	ack, err := s.ingest.Submit(ctx, d, req.GetSnapshot())
	if err != nil {
		return nil, err
	}
	return &agentv1.SubmitSnapshotResponse{
		SnapshotId: ack.SnapshotID.String(), ReceivedTime: pbconv.Time(ack.ReceivedAt),
		Duplicate: ack.Duplicate, UnchangedSections: ack.UnchangedSections,
	}, nil
}

// GetConfig implements AgentService.GetConfig.
func (s *Service) GetConfig(ctx context.Context, _ *agentv1.GetConfigRequest) (*agentv1.GetConfigResponse, error) {
	if _, err := device(ctx, ""); err != nil {
		return nil, err
	}
	return &agentv1.GetConfigResponse{Config: s.agentConfig()}, nil
}
