package authapi

import (
	"context"

	"connectrpc.com/connect"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/mfa"
)

// SetFactors gives the handler the second-factor service (passkeys, TOTP,
// recovery codes); without it the second-factor procedures are
// unimplemented.
func (s *Service) SetFactors(f *mfa.Service) { s.factors = f }

func (s *Service) needFactors() error {
	if s.factors == nil {
		return connect.NewError(connect.CodeUnimplemented, nil)
	}
	return nil
}

// kindsProto turns mfa kinds into the enum.
func kindsProto(kinds []string) []v1.SecondFactorKind {
	out := make([]v1.SecondFactorKind, 0, len(kinds))
	for _, k := range kinds {
		switch k {
		case mfa.KindPasskey:
			out = append(out, v1.SecondFactorKind_SECOND_FACTOR_KIND_PASSKEY)
		case mfa.KindTotp:
			out = append(out, v1.SecondFactorKind_SECOND_FACTOR_KIND_TOTP)
		case mfa.KindRecoveryCode:
			out = append(out, v1.SecondFactorKind_SECOND_FACTOR_KIND_RECOVERY_CODE)
		}
	}
	return out
}

// BeginSecondFactor implements AuthService.BeginSecondFactor.
func (s *Service) BeginSecondFactor(ctx context.Context, req *v1.BeginSecondFactorRequest) (*v1.BeginSecondFactorResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	st, err := s.factors.BeginSecondFactor(ctx, req.GetSignInToken())
	if err != nil {
		return nil, err
	}
	return &v1.BeginSecondFactorResponse{PasskeyRequestOptionsJson: string(st.OptionsJSON), SecondFactors: kindsProto(st.Kinds)}, nil
}

// FinishSecondFactor implements AuthService.FinishSecondFactor.
func (s *Service) FinishSecondFactor(ctx context.Context, req *v1.FinishSecondFactorRequest) (*v1.FinishSecondFactorResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	t, left, err := s.factors.FinishSecondFactor(ctx, req.GetSignInToken(), mfa.SecondFactorAnswer{
		PasskeyAssertionJSON: req.GetPasskeyAssertionJson(), TotpCode: req.GetTotpCode(), RecoveryCode: req.GetRecoveryCode(),
	}, s.addr(ctx))
	if err != nil {
		return nil, err
	}
	return &v1.FinishSecondFactorResponse{
		AccessToken: t.AccessToken, AccessTokenExpiresAt: pbconv.Time(t.AccessExpiresAt),
		RefreshToken: t.RefreshToken, RefreshTokenExpiresAt: pbconv.Time(t.RefreshExpiresAt),
		TenantId: t.TenantID.String(), RecoveryCodesLeft: int32(min(left, 1000)), //nolint:gosec // bounded
	}, nil
}

// BeginPasskeySignIn implements AuthService.BeginPasskeySignIn.
func (s *Service) BeginPasskeySignIn(ctx context.Context, _ *v1.BeginPasskeySignInRequest) (*v1.BeginPasskeySignInResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	c, err := s.factors.BeginPasskeySignIn(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.BeginPasskeySignInResponse{ChallengeId: c.ID.String(), RequestOptionsJson: string(c.OptionsJSON)}, nil
}

// FinishPasskeySignIn implements AuthService.FinishPasskeySignIn.
func (s *Service) FinishPasskeySignIn(ctx context.Context, req *v1.FinishPasskeySignInRequest) (*v1.FinishPasskeySignInResponse, error) {
	if err := s.needFactors(); err != nil {
		return nil, err
	}
	t, err := s.factors.FinishPasskeySignIn(ctx, req.GetChallengeId(), req.GetAssertionJson(), req.GetTenantId(), s.addr(ctx))
	if err != nil {
		return nil, err
	}
	return &v1.FinishPasskeySignInResponse{
		AccessToken: t.AccessToken, AccessTokenExpiresAt: pbconv.Time(t.AccessExpiresAt),
		RefreshToken: t.RefreshToken, RefreshTokenExpiresAt: pbconv.Time(t.RefreshExpiresAt),
		TenantId: t.TenantID.String(),
	}, nil
}
