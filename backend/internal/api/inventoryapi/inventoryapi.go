// Package inventoryapi serves wegweiser.v1.InventoryService.
package inventoryapi

import (
	"context"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/inventory"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
)

// Service implements InventoryService.
type Service struct{ svc *inventory.Service }

var _ wegweiserv1connect.InventoryServiceHandler = (*Service)(nil)

// New returns the InventoryService handler.
func New(svc *inventory.Service) *Service { return &Service{svc: svc} }

const maxInventoryPage = 1000

func pageSize(n int32) (int, error) {
	return validate.Limit("page_size", n, 200, maxInventoryPage)
}

func query(q string) (string, error) {
	q = strings.TrimSpace(q)
	if len(q) > validate.MaxNameLen {
		return "", apperr.Invalid("query", "must be at most %d characters", validate.MaxNameLen)
	}
	return q, nil
}

// GetDeviceInventory implements InventoryService.GetDeviceInventory.
func (s *Service) GetDeviceInventory(ctx context.Context, req *v1.GetDeviceInventoryRequest) (*v1.GetDeviceInventoryResponse, error) {
	id, err := validate.ID("device_id", req.GetDeviceId())
	if err != nil {
		return nil, err
	}
	l, err := s.svc.Device(ctx, id)
	if err != nil {
		return nil, err
	}
	return &v1.GetDeviceInventoryResponse{Snapshot: l.Snapshot, ReceivedTime: pbconv.Time(l.ReceivedAt), SnapshotCount: int32(l.Count)}, nil
}

// ListDeviceSoftware implements InventoryService.ListDeviceSoftware.
func (s *Service) ListDeviceSoftware(ctx context.Context, req *v1.ListDeviceSoftwareRequest) (*v1.ListDeviceSoftwareResponse, error) {
	id, err := validate.ID("device_id", req.GetDeviceId())
	if err != nil {
		return nil, err
	}
	size, err := pageSize(req.GetPageSize())
	if err != nil {
		return nil, err
	}
	q, err := query(req.GetQuery())
	if err != nil {
		return nil, err
	}
	rows, next, err := s.svc.Software(ctx, id, q, size, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &v1.ListDeviceSoftwareResponse{NextPageToken: next}
	for _, r := range rows {
		out.Software = append(out.Software, &agentv1.InstalledSoftware{
			Name: r.Name, Version: r.Version, Publisher: r.Publisher, InstallDate: r.InstallDate, Source: r.Source,
		})
	}
	return out, nil
}

// ListDeviceEventLogs implements InventoryService.ListDeviceEventLogs.
func (s *Service) ListDeviceEventLogs(ctx context.Context, req *v1.ListDeviceEventLogsRequest) (*v1.ListDeviceEventLogsResponse, error) {
	id, err := validate.ID("device_id", req.GetDeviceId())
	if err != nil {
		return nil, err
	}
	size, err := pageSize(req.GetPageSize())
	if err != nil {
		return nil, err
	}
	q, err := query(req.GetQuery())
	if err != nil {
		return nil, err
	}
	rows, next, err := s.svc.EventLogs(ctx, id, req.GetLevel(), q, size, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	ts := func(t time.Time) *timestamppb.Timestamp {
		if t.IsZero() || t.Year() <= 1 {
			return nil
		}
		return timestamppb.New(t)
	}
	out := &v1.ListDeviceEventLogsResponse{NextPageToken: next}
	for _, r := range rows {
		out.EventLogs = append(out.EventLogs, &agentv1.EventLogGroup{
			Log: r.Log, Source: r.Source, EventId: r.EventID, Level: r.Level, Count: r.Count, SourceAddress: r.SourceAddress,
			FirstTime: ts(r.FirstSeen), LastTime: ts(r.LastSeen), SampleMessage: r.SampleMessage,
		})
	}
	return out, nil
}

// ListSoftware implements InventoryService.ListSoftware.
func (s *Service) ListSoftware(ctx context.Context, req *v1.ListSoftwareRequest) (*v1.ListSoftwareResponse, error) {
	orgID, err := validate.OptionalID("organisation_id", req.GetOrganisationId())
	if err != nil {
		return nil, err
	}
	size, err := pageSize(req.GetPageSize())
	if err != nil {
		return nil, err
	}
	q, err := query(req.GetQuery())
	if err != nil {
		return nil, err
	}
	rows, next, err := s.svc.Fleet(ctx, orgID, q, size, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &v1.ListSoftwareResponse{NextPageToken: next}
	for _, r := range rows {
		out.Software = append(out.Software, &v1.SoftwareVersion{Name: r.Name, Version: r.Version, Publisher: r.Publisher, DeviceCount: int32(r.Devices)})
	}
	return out, nil
}
