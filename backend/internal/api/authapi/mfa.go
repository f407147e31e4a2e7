package authapi

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
)

// BeginSecondFactor implements AuthService.BeginSecondFactor.
func (s *Service) BeginSecondFactor(ctx context.Context, req *v1.BeginSecondFactorRequest) (*v1.BeginSecondFactorResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("AuthService.BeginSecondFactor is not built yet"))
}

// FinishSecondFactor implements AuthService.FinishSecondFactor.
func (s *Service) FinishSecondFactor(ctx context.Context, req *v1.FinishSecondFactorRequest) (*v1.FinishSecondFactorResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("AuthService.FinishSecondFactor is not built yet"))
}

// BeginPasskeySignIn implements AuthService.BeginPasskeySignIn.
func (s *Service) BeginPasskeySignIn(ctx context.Context, req *v1.BeginPasskeySignInRequest) (*v1.BeginPasskeySignInResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("AuthService.BeginPasskeySignIn is not built yet"))
}

// FinishPasskeySignIn implements AuthService.FinishPasskeySignIn.
func (s *Service) FinishPasskeySignIn(ctx context.Context, req *v1.FinishPasskeySignInRequest) (*v1.FinishPasskeySignInResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("AuthService.FinishPasskeySignIn is not built yet"))
}
