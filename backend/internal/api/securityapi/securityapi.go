// Package securityapi serves wegweiser.v1.SecurityService.
package securityapi

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
)

// Service implements SecurityService: factors (securityapi.go) and
// sessions (sessions.go).
type Service struct {
	ids *identity.Service
}

var _ wegweiserv1connect.SecurityServiceHandler = (*Service)(nil)

// New returns the SecurityService handler.
func New(ids *identity.Service) *Service { return &Service{ids: ids} }

// ListFactors implements SecurityService.ListFactors.
func (s *Service) ListFactors(ctx context.Context, req *v1.ListFactorsRequest) (*v1.ListFactorsResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SecurityService.ListFactors is not built yet"))
}

// BeginPasskeyRegistration implements SecurityService.BeginPasskeyRegistration.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, req *v1.BeginPasskeyRegistrationRequest) (*v1.BeginPasskeyRegistrationResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SecurityService.BeginPasskeyRegistration is not built yet"))
}

// FinishPasskeyRegistration implements SecurityService.FinishPasskeyRegistration.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, req *v1.FinishPasskeyRegistrationRequest) (*v1.FinishPasskeyRegistrationResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SecurityService.FinishPasskeyRegistration is not built yet"))
}

// RenamePasskey implements SecurityService.RenamePasskey.
func (s *Service) RenamePasskey(ctx context.Context, req *v1.RenamePasskeyRequest) (*v1.RenamePasskeyResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SecurityService.RenamePasskey is not built yet"))
}

// DeletePasskey implements SecurityService.DeletePasskey.
func (s *Service) DeletePasskey(ctx context.Context, req *v1.DeletePasskeyRequest) (*v1.DeletePasskeyResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SecurityService.DeletePasskey is not built yet"))
}

// BeginTotpEnrollment implements SecurityService.BeginTotpEnrollment.
func (s *Service) BeginTotpEnrollment(ctx context.Context, req *v1.BeginTotpEnrollmentRequest) (*v1.BeginTotpEnrollmentResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SecurityService.BeginTotpEnrollment is not built yet"))
}

// ConfirmTotpEnrollment implements SecurityService.ConfirmTotpEnrollment.
func (s *Service) ConfirmTotpEnrollment(ctx context.Context, req *v1.ConfirmTotpEnrollmentRequest) (*v1.ConfirmTotpEnrollmentResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SecurityService.ConfirmTotpEnrollment is not built yet"))
}

// DisableTotp implements SecurityService.DisableTotp.
func (s *Service) DisableTotp(ctx context.Context, req *v1.DisableTotpRequest) (*v1.DisableTotpResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SecurityService.DisableTotp is not built yet"))
}

// RegenerateRecoveryCodes implements SecurityService.RegenerateRecoveryCodes.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, req *v1.RegenerateRecoveryCodesRequest) (*v1.RegenerateRecoveryCodesResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SecurityService.RegenerateRecoveryCodes is not built yet"))
}

// BeginReauthentication implements SecurityService.BeginReauthentication.
func (s *Service) BeginReauthentication(ctx context.Context, req *v1.BeginReauthenticationRequest) (*v1.BeginReauthenticationResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SecurityService.BeginReauthentication is not built yet"))
}

// Reauthenticate implements SecurityService.Reauthenticate.
func (s *Service) Reauthenticate(ctx context.Context, req *v1.ReauthenticateRequest) (*v1.ReauthenticateResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SecurityService.Reauthenticate is not built yet"))
}

// GetSecurityPolicy implements SecurityService.GetSecurityPolicy.
func (s *Service) GetSecurityPolicy(ctx context.Context, req *v1.GetSecurityPolicyRequest) (*v1.GetSecurityPolicyResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SecurityService.GetSecurityPolicy is not built yet"))
}

// UpdateSecurityPolicy implements SecurityService.UpdateSecurityPolicy.
func (s *Service) UpdateSecurityPolicy(ctx context.Context, req *v1.UpdateSecurityPolicyRequest) (*v1.UpdateSecurityPolicyResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SecurityService.UpdateSecurityPolicy is not built yet"))
}
