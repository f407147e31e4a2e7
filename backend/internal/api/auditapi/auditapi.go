// Package auditapi serves wegweiser.v1.AuditService.
package auditapi

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
)

// Service implements AuditService.
type Service struct{}

var _ wegweiserv1connect.AuditServiceHandler = (*Service)(nil)

// New returns the AuditService handler.
func New() *Service { return &Service{} }

// ListAuditEvents implements AuditService.ListAuditEvents.
func (s *Service) ListAuditEvents(ctx context.Context, req *v1.ListAuditEventsRequest) (*v1.ListAuditEventsResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("AuditService.ListAuditEvents is not built yet"))
}

// ExportAuditEvents implements AuditService.ExportAuditEvents.
func (s *Service) ExportAuditEvents(ctx context.Context, req *v1.ExportAuditEventsRequest) (*v1.ExportAuditEventsResponse, error) {
	return nil, connect.NewError(connect.CodeUnimplemented, errors.New("AuditService.ExportAuditEvents is not built yet"))
}
