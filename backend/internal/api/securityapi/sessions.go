package securityapi

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
)

// ListSessions implements SecurityService.ListSessions.
func (s *Service) ListSessions(ctx context.Context, req *v1.ListSessionsRequest) (*v1.ListSessionsResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SecurityService.ListSessions is not built yet"))
}

// RevokeSession implements SecurityService.RevokeSession.
func (s *Service) RevokeSession(ctx context.Context, req *v1.RevokeSessionRequest) (*v1.RevokeSessionResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SecurityService.RevokeSession is not built yet"))
}

// RevokeAllSessions implements SecurityService.RevokeAllSessions.
func (s *Service) RevokeAllSessions(ctx context.Context, req *v1.RevokeAllSessionsRequest) (*v1.RevokeAllSessionsResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("SecurityService.RevokeAllSessions is not built yet"))
}
