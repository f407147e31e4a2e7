// Package auditapi serves wegweiser.v1.AuditService.
package auditapi

import (
	"context"
	"time"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Service implements AuditService.
type Service struct {
	svc *audit.Service
}

var _ wegweiserv1connect.AuditServiceHandler = (*Service)(nil)

// New returns the AuditService handler.
func New(svc *audit.Service) *Service { return &Service{svc: svc} }

// ListAuditEvents implements AuditService.ListAuditEvents.
func (s *Service) ListAuditEvents(ctx context.Context, req *v1.ListAuditEventsRequest) (*v1.ListAuditEventsResponse, error) {
	size, err := validate.Limit("page_size", req.GetPageSize(), 100, 500)
	if err != nil {
		return nil, err
	}
	f, err := filter(req.GetFilter())
	if err != nil {
		return nil, err
	}
	rows, next, err := s.svc.List(ctx, f, size, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &v1.ListAuditEventsResponse{Events: make([]*v1.AuditEvent, 0, len(rows)), NextPageToken: next}
	for _, r := range rows {
		out.Events = append(out.Events, event(r))
	}
	return out, nil
}

// ExportAuditEvents implements AuditService.ExportAuditEvents.
func (s *Service) ExportAuditEvents(ctx context.Context, req *v1.ExportAuditEventsRequest) (*v1.ExportAuditEventsResponse, error) {
	f, err := filter(req.GetFilter())
	if err != nil {
		return nil, err
	}
	e, err := s.svc.Export(ctx, f)
	if err != nil {
		return nil, err
	}
	return &v1.ExportAuditEventsResponse{Csv: e.CSV, FileName: e.FileName, RowCount: int32(e.Rows)}, nil //nolint:gosec // at most audit.MaxExportRows
}

// filter converts the request's filter, naming bad fields.
func filter(in *v1.AuditFilter) (audit.Filter, error) {
	var f audit.Filter
	var err error
	if f.ActorID, err = validate.OptionalID("filter.actor_id", in.GetActorId()); err != nil {
		return f, err
	}
	if f.TargetID, err = validate.OptionalID("filter.target_id", in.GetTargetId()); err != nil {
		return f, err
	}
	if f.Start, err = optionalTime("filter.start_time", in.GetStartTime()); err != nil {
		return f, err
	}
	if f.End, err = optionalTime("filter.end_time", in.GetEndTime()); err != nil {
		return f, err
	}
	f.ActionPrefix, f.Query = in.GetActionPrefix(), in.GetQuery()
	return f, f.Validate()
}

func optionalTime(field string, t *timestamppb.Timestamp) (time.Time, error) {
	if t == nil {
		return time.Time{}, nil
	}
	if err := t.CheckValid(); err != nil {
		return time.Time{}, apperr.Invalid(field, "is not a valid time")
	}
	return t.AsTime(), nil
}

func event(e *ent.AuditEvent) *v1.AuditEvent {
	out := &v1.AuditEvent{
		Id: e.ID.String(), CreateTime: pbconv.Time(e.CreatedAt), Action: e.Action, Actor: e.Actor,
		TargetKind: e.TargetKind, TargetId: e.TargetID.String(), TargetName: e.TargetName, Detail: e.Detail,
		SourceAddress: e.SourceAddress, UserAgent: e.UserAgent,
	}
	if e.ActorID != nil {
		out.ActorId = e.ActorID.String()
	}
	if e.OrganisationID != nil {
		out.OrganisationId = e.OrganisationID.String()
	}
	return out
}
