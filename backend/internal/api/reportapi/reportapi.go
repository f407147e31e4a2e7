// Package reportapi serves wegweiser.v1.ReportService.
package reportapi

import (
	"context"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/report"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
)

// Service implements ReportService.
type Service struct{ svc *report.Service }

var _ wegweiserv1connect.ReportServiceHandler = (*Service)(nil)

// New returns the ReportService handler.
func New(svc *report.Service) *Service { return &Service{svc: svc} }

// format converts a requested format; unspecified gives def.
func format(field string, f v1.ReportFormat, def report.Format) (report.Format, error) {
	switch f {
	case v1.ReportFormat_REPORT_FORMAT_UNSPECIFIED:
		return def, nil
	case v1.ReportFormat_REPORT_FORMAT_HTML:
		return report.HTML, nil
	case v1.ReportFormat_REPORT_FORMAT_PDF:
		return report.PDF, nil
	}
	return "", apperr.Invalid(field, "must be HTML or PDF")
}

func formatToProto(f report.Format) v1.ReportFormat {
	if f == report.PDF {
		return v1.ReportFormat_REPORT_FORMAT_PDF
	}
	return v1.ReportFormat_REPORT_FORMAT_HTML
}

func schedule(s *report.Schedule) *v1.ReportSchedule {
	return &v1.ReportSchedule{
		Id: s.ID.String(), OrganisationId: s.OrganisationID.String(), Recipients: s.Recipients,
		DayOfMonth: int32(s.DayOfMonth), Format: formatToProto(s.Format), LastSentTime: pbconv.TimePtr(s.LastSent),
		NextSendTime: pbconv.Time(s.NextSend), LastError: s.LastError, CreateTime: pbconv.Time(s.Created),
	}
}

// RenderReport implements ReportService.RenderReport.
func (s *Service) RenderReport(ctx context.Context, req *v1.RenderReportRequest) (*v1.RenderReportResponse, error) {
	org, err := validate.ID("organisation_id", req.GetOrganisationId())
	if err != nil {
		return nil, err
	}
	f, err := format("format", req.GetFormat(), report.HTML)
	if err != nil {
		return nil, err
	}
	doc, err := s.svc.Render(ctx, org, f, int(req.GetPeriodDays()))
	if err != nil {
		return nil, err
	}
	return &v1.RenderReportResponse{FileName: doc.FileName, ContentType: doc.ContentType, Content: doc.Content}, nil
}

// CreateReportSchedule implements ReportService.CreateReportSchedule.
func (s *Service) CreateReportSchedule(ctx context.Context, req *v1.CreateReportScheduleRequest) (*v1.CreateReportScheduleResponse, error) {
	org, err := validate.ID("organisation_id", req.GetOrganisationId())
	if err != nil {
		return nil, err
	}
	f, err := format("format", req.GetFormat(), "")
	if err != nil {
		return nil, err
	}
	sch, err := s.svc.CreateSchedule(ctx, org, req.GetRecipients(), int(req.GetDayOfMonth()), f)
	if err != nil {
		return nil, err
	}
	return &v1.CreateReportScheduleResponse{Schedule: schedule(sch)}, nil
}

// ListReportSchedules implements ReportService.ListReportSchedules.
func (s *Service) ListReportSchedules(ctx context.Context, req *v1.ListReportSchedulesRequest) (*v1.ListReportSchedulesResponse, error) {
	org, err := validate.OptionalID("organisation_id", req.GetOrganisationId())
	if err != nil {
		return nil, err
	}
	list, err := s.svc.ListSchedules(ctx, org)
	if err != nil {
		return nil, err
	}
	out := &v1.ListReportSchedulesResponse{}
	for i := range list {
		out.Schedules = append(out.Schedules, schedule(&list[i]))
	}
	return out, nil
}

// DeleteReportSchedule implements ReportService.DeleteReportSchedule.
func (s *Service) DeleteReportSchedule(ctx context.Context, req *v1.DeleteReportScheduleRequest) (*v1.DeleteReportScheduleResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	if err := s.svc.DeleteSchedule(ctx, id); err != nil {
		return nil, err
	}
	return &v1.DeleteReportScheduleResponse{}, nil
}

// SendReport implements ReportService.SendReport.
func (s *Service) SendReport(ctx context.Context, req *v1.SendReportRequest) (*v1.SendReportResponse, error) {
	org, err := validate.ID("organisation_id", req.GetOrganisationId())
	if err != nil {
		return nil, err
	}
	f, err := format("format", req.GetFormat(), "")
	if err != nil {
		return nil, err
	}
	if err := s.svc.Send(ctx, org, req.GetRecipients(), f, int(req.GetPeriodDays())); err != nil {
		return nil, err
	}
	return &v1.SendReportResponse{}, nil
}
