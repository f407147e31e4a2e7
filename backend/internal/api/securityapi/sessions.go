package securityapi

import (
	"context"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
)

// ListSessions implements SecurityService.ListSessions.
func (s *Service) ListSessions(ctx context.Context, _ *v1.ListSessionsRequest) (*v1.ListSessionsResponse, error) {
	rows, err := s.ids.ListSessions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*v1.Session, len(rows))
	for i, r := range rows {
		out[i] = &v1.Session{
			Id:          r.ID.String(),
			Current:     r.Current,
			CreateTime:  pbconv.Time(r.CreatedAt),
			LastUseTime: pbconv.Time(r.LastUsedAt),
			ExpireTime:  pbconv.Time(r.ExpiresAt),
			Address:     r.Address,
			UserAgent:   r.UserAgent,
			Method:      signInMethod(r.Method),
		}
	}
	return &v1.ListSessionsResponse{Sessions: out}, nil
}

// signInMethod maps a Session.method to the API's enum; a sign-up signed
// in with the new password.
func signInMethod(m string) v1.SignInMethod {
	switch m {
	case identity.MethodPassword, identity.MethodSignUp:
		return v1.SignInMethod_SIGN_IN_METHOD_PASSWORD
	case identity.MethodPasswordMFA:
		return v1.SignInMethod_SIGN_IN_METHOD_PASSWORD_AND_SECOND_FACTOR
	case identity.MethodPasskey:
		return v1.SignInMethod_SIGN_IN_METHOD_PASSKEY
	case identity.MethodSSO:
		return v1.SignInMethod_SIGN_IN_METHOD_SINGLE_SIGN_ON
	case identity.MethodInvitation:
		return v1.SignInMethod_SIGN_IN_METHOD_INVITATION
	}
	return v1.SignInMethod_SIGN_IN_METHOD_UNSPECIFIED
}

// RevokeSession implements SecurityService.RevokeSession.
func (s *Service) RevokeSession(ctx context.Context, req *v1.RevokeSessionRequest) (*v1.RevokeSessionResponse, error) {
	if err := s.ids.RevokeSession(ctx, req.GetSessionId()); err != nil {
		return nil, err
	}
	return &v1.RevokeSessionResponse{}, nil
}

// RevokeAllSessions implements SecurityService.RevokeAllSessions.
func (s *Service) RevokeAllSessions(ctx context.Context, req *v1.RevokeAllSessionsRequest) (*v1.RevokeAllSessionsResponse, error) {
	n, err := s.ids.RevokeAllSessions(ctx, req.GetKeepCurrent())
	if err != nil {
		return nil, err
	}
	return &v1.RevokeAllSessionsResponse{Revoked: int32(min(n, 1<<30))}, nil //nolint:gosec // bounded above
}
