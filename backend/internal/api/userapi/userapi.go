// Package userapi serves wegweiser.v1.UserService.
package userapi

import (
	"context"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/member"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
)

// Service implements UserService.
type Service struct {
	svc *member.Service
}

var _ wegweiserv1connect.UserServiceHandler = (*Service)(nil)

// New returns the UserService handler.
func New(svc *member.Service) *Service {
	return &Service{svc: svc}
}

// InviteUser implements UserService.InviteUser.
func (s *Service) InviteUser(ctx context.Context, req *v1.InviteUserRequest) (*v1.InviteUserResponse, error) {
	orgs, err := validate.IDs("organisation_ids", req.GetOrganisationIds())
	if err != nil {
		return nil, err
	}
	inv, err := s.svc.Invite(ctx, req.GetEmail(), pbconv.RoleFromProto(req.GetRole()), orgs)
	if err != nil {
		return nil, err
	}
	// The invitation link went to the invitee's mailbox only: whoever can
	// accept it controls the address.
	return &v1.InviteUserResponse{User: pbconv.User(inv.Member.User, inv.Member.Membership)}, nil
}

// ListUsers implements UserService.ListUsers.
func (s *Service) ListUsers(ctx context.Context, req *v1.ListUsersRequest) (*v1.ListUsersResponse, error) {
	size, err := validate.PageSize("page_size", req.GetPageSize(), 100)
	if err != nil {
		return nil, err
	}
	members, next, err := s.svc.List(ctx, size, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &v1.ListUsersResponse{NextPageToken: next}
	for _, m := range members {
		out.Users = append(out.Users, pbconv.User(m.User, m.Membership))
	}
	return out, nil
}

// ChangeUserRole implements UserService.ChangeUserRole.
func (s *Service) ChangeUserRole(ctx context.Context, req *v1.ChangeUserRoleRequest) (*v1.ChangeUserRoleResponse, error) {
	id, err := validate.ID("user_id", req.GetUserId())
	if err != nil {
		return nil, err
	}
	orgs, err := validate.IDs("organisation_ids", req.GetOrganisationIds())
	if err != nil {
		return nil, err
	}
	m, err := s.svc.ChangeRole(ctx, id, pbconv.RoleFromProto(req.GetRole()), orgs)
	if err != nil {
		return nil, err
	}
	return &v1.ChangeUserRoleResponse{User: pbconv.User(m.User, m.Membership)}, nil
}

// DisableUser implements UserService.DisableUser.
func (s *Service) DisableUser(ctx context.Context, req *v1.DisableUserRequest) (*v1.DisableUserResponse, error) {
	id, err := validate.ID("user_id", req.GetUserId())
	if err != nil {
		return nil, err
	}
	m, err := s.svc.SetDisabled(ctx, id, true)
	if err != nil {
		return nil, err
	}
	return &v1.DisableUserResponse{User: pbconv.User(m.User, m.Membership)}, nil
}

// EnableUser implements UserService.EnableUser.
func (s *Service) EnableUser(ctx context.Context, req *v1.EnableUserRequest) (*v1.EnableUserResponse, error) {
	id, err := validate.ID("user_id", req.GetUserId())
	if err != nil {
		return nil, err
	}
	m, err := s.svc.SetDisabled(ctx, id, false)
	if err != nil {
		return nil, err
	}
	return &v1.EnableUserResponse{User: pbconv.User(m.User, m.Membership)}, nil
}
