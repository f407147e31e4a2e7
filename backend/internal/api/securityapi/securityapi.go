// Package securityapi serves wegweiser.v1.SecurityService.
package securityapi

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/mfa"
	"github.com/wegweiser/wegweiser/backend/internal/reqinfo"
	"github.com/wegweiser/wegweiser/ent"
)

// Service implements SecurityService: factors (securityapi.go) and
// sessions (sessions.go).
type Service struct {
	ids     *identity.Service
	factors *mfa.Service
	sources reqinfo.Sources
}

var _ wegweiserv1connect.SecurityServiceHandler = (*Service)(nil)

// New returns the SecurityService handler.
func New(ids *identity.Service) *Service { return &Service{ids: ids} }

// SetFactors gives the handler the second-factor service; without it the
// factor procedures are unimplemented.
func (s *Service) SetFactors(f *mfa.Service) { s.factors = f }

func (s *Service) needFactors() error {
	if s.factors == nil {
		return connect.NewError(connect.CodeUnimplemented, errors.New("second factors are not configured"))
	}
	return nil
}

// addr is the client address of the call (for the sign-in throttles).
func (s *Service) addr(ctx context.Context) string {
	if a := reqinfo.From(ctx).Address; a != "" {
		return a
	}
	ci, ok := connect.CallInfoForHandlerContext(ctx)
	if !ok {
		return "unknown"
	}
	return s.sources.Addr(ci.Peer().Addr, ci.RequestHeader())
}

func passkeyProto(p *ent.Passkey) *v1.Passkey {
	return &v1.Passkey{
		Id: p.ID.String(), Name: p.Name, CreateTime: pbconv.Time(p.CreatedAt),
		LastUseTime: pbconv.TimePtr(p.LastUsedAt), BackupEligible: p.BackupEligible,
	}
}

func timeOrNil(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return pbconv.Time(t)
}

// ListFactors implements SecurityService.ListFactors.
func (s *Service) ListFactors(ctx context.Context, _ *v1.ListFactorsRequest) (*v1.ListFactorsResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	f, err := s.factors.ListFactors(ctx)
	if err != nil {
		return nil, err
	}
	out := &v1.ListFactorsResponse{
		TotpEnabled: f.TotpEnabled, RecoveryCodesLeft: int32(min(f.RecoveryCodesLeft, 1000)), //nolint:gosec // bounded
		SecondFactorRequired: f.TenantRequires, RecentSignInUntil: timeOrNil(f.RecentUntil), HasPassword: f.HasPassword,
	}
	for _, p := range f.Passkeys {
		out.Passkeys = append(out.Passkeys, passkeyProto(p))
	}
	return out, nil
}

// BeginPasskeyRegistration implements SecurityService.BeginPasskeyRegistration.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, _ *v1.BeginPasskeyRegistrationRequest) (*v1.BeginPasskeyRegistrationResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	id, opts, err := s.factors.BeginPasskeyRegistration(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.BeginPasskeyRegistrationResponse{ChallengeId: id.String(), CreationOptionsJson: string(opts)}, nil
}

// FinishPasskeyRegistration implements SecurityService.FinishPasskeyRegistration.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, req *v1.FinishPasskeyRegistrationRequest) (*v1.FinishPasskeyRegistrationResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	p, codes, err := s.factors.FinishPasskeyRegistration(ctx, req.GetChallengeId(), req.GetName(), req.GetCredentialJson())
	if err != nil {
		return nil, err
	}
	return &v1.FinishPasskeyRegistrationResponse{Passkey: passkeyProto(p), RecoveryCodes: codes}, nil
}

// RenamePasskey implements SecurityService.RenamePasskey.
func (s *Service) RenamePasskey(ctx context.Context, req *v1.RenamePasskeyRequest) (*v1.RenamePasskeyResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	p, err := s.factors.RenamePasskey(ctx, req.GetPasskeyId(), req.GetName())
	if err != nil {
		return nil, err
	}
	return &v1.RenamePasskeyResponse{Passkey: passkeyProto(p)}, nil
}

// DeletePasskey implements SecurityService.DeletePasskey.
func (s *Service) DeletePasskey(ctx context.Context, req *v1.DeletePasskeyRequest) (*v1.DeletePasskeyResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	if err := s.factors.DeletePasskey(ctx, req.GetPasskeyId()); err != nil {
		return nil, err
	}
	return &v1.DeletePasskeyResponse{}, nil
}

// BeginTotpEnrollment implements SecurityService.BeginTotpEnrollment.
func (s *Service) BeginTotpEnrollment(ctx context.Context, _ *v1.BeginTotpEnrollmentRequest) (*v1.BeginTotpEnrollmentResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	e, err := s.factors.BeginTotpEnrollment(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.BeginTotpEnrollmentResponse{EnrollmentId: e.ID.String(), Secret: e.Secret, OtpauthUrl: e.OtpauthURL, QrPng: e.QRPNG}, nil
}

// ConfirmTotpEnrollment implements SecurityService.ConfirmTotpEnrollment.
func (s *Service) ConfirmTotpEnrollment(ctx context.Context, req *v1.ConfirmTotpEnrollmentRequest) (*v1.ConfirmTotpEnrollmentResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	codes, err := s.factors.ConfirmTotpEnrollment(ctx, req.GetEnrollmentId(), req.GetCode())
	if err != nil {
		return nil, err
	}
	return &v1.ConfirmTotpEnrollmentResponse{RecoveryCodes: codes}, nil
}

// DisableTotp implements SecurityService.DisableTotp.
func (s *Service) DisableTotp(ctx context.Context, _ *v1.DisableTotpRequest) (*v1.DisableTotpResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	if err := s.factors.DisableTotp(ctx); err != nil {
		return nil, err
	}
	return &v1.DisableTotpResponse{}, nil
}

// RegenerateRecoveryCodes implements SecurityService.RegenerateRecoveryCodes.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, _ *v1.RegenerateRecoveryCodesRequest) (*v1.RegenerateRecoveryCodesResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	codes, err := s.factors.RegenerateRecoveryCodes(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.RegenerateRecoveryCodesResponse{RecoveryCodes: codes}, nil
}

// BeginReauthentication implements SecurityService.BeginReauthentication.
func (s *Service) BeginReauthentication(ctx context.Context, _ *v1.BeginReauthenticationRequest) (*v1.BeginReauthenticationResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	r, err := s.factors.BeginReauthentication(ctx)
	if err != nil {
		return nil, err
	}
	out := &v1.BeginReauthenticationResponse{Password: r.Password, Totp: r.Totp, PasskeyRequestOptionsJson: string(r.OptionsJSON)}
	if r.OptionsJSON != nil {
		out.ChallengeId = r.ChallengeID.String()
	}
	return out, nil
}

// Reauthenticate implements SecurityService.Reauthenticate.
func (s *Service) Reauthenticate(ctx context.Context, req *v1.ReauthenticateRequest) (*v1.ReauthenticateResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	until, err := s.factors.Reauthenticate(ctx, mfa.ReauthProof{
		Password: req.GetPassword(), TotpCode: req.GetTotpCode(), PasskeyAssertionJSON: req.GetPasskeyAssertionJson(),
		ChallengeID: req.GetChallengeId(),
	}, s.addr(ctx))
	if err != nil {
		return nil, err
	}
	return &v1.ReauthenticateResponse{RecentSignInUntil: pbconv.Time(until)}, nil
}

// GetSecurityPolicy implements SecurityService.GetSecurityPolicy.
func (s *Service) GetSecurityPolicy(ctx context.Context, _ *v1.GetSecurityPolicyRequest) (*v1.GetSecurityPolicyResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	p, err := s.factors.GetPolicy(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.GetSecurityPolicyResponse{
		Policy:                     &v1.SecurityPolicy{RequireSecondFactor: p.RequireSecondFactor},
		MembersWithoutSecondFactor: int32(max(0, min(p.MembersWithout, 1<<30))), //nolint:gosec // bounded
	}, nil
}

// UpdateSecurityPolicy implements SecurityService.UpdateSecurityPolicy.
func (s *Service) UpdateSecurityPolicy(ctx context.Context, req *v1.UpdateSecurityPolicyRequest) (*v1.UpdateSecurityPolicyResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	if req.GetPolicy() == nil {
		return nil, apperr.Invalid("policy", "is required")
	}
	p, err := s.factors.UpdatePolicy(ctx, req.GetPolicy().GetRequireSecondFactor())
	if err != nil {
		return nil, err
	}
	return &v1.UpdateSecurityPolicyResponse{Policy: &v1.SecurityPolicy{RequireSecondFactor: p.RequireSecondFactor}}, nil
}
