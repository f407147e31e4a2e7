// Package deviceapi serves wegweiser.v1.DeviceService.
package deviceapi

import (
	"context"
	"strings"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/device"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/bulkoperation"
	entdevice "github.com/wegweiser/wegweiser/ent/device"
)

// Service implements DeviceService.
type Service struct {
	svc *device.Service
}

var _ wegweiserv1connect.DeviceServiceHandler = (*Service)(nil)

// New returns the DeviceService handler.
func New(svc *device.Service) *Service { return &Service{svc: svc} }

var platforms = map[v1.Platform]string{
	v1.Platform_PLATFORM_WINDOWS: "windows",
	v1.Platform_PLATFORM_MACOS:   "macos",
	v1.Platform_PLATFORM_LINUX:   "linux",
}

var roles = map[entdevice.Role]v1.DeviceRole{
	entdevice.RoleWorkstation: v1.DeviceRole_DEVICE_ROLE_WORKSTATION,
	entdevice.RoleServer:      v1.DeviceRole_DEVICE_ROLE_SERVER,
}

// ListDevices implements DeviceService.ListDevices.
func (s *Service) ListDevices(ctx context.Context, req *v1.ListDevicesRequest) (*v1.ListDevicesResponse, error) {
	size, err := validate.PageSize("page_size", req.GetPageSize(), 50)
	if err != nil {
		return nil, err
	}
	f, err := filterOf(req)
	if err != nil {
		return nil, err
	}
	items, next, err := s.svc.List(ctx, f, size, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &v1.ListDevicesResponse{NextPageToken: next}
	for _, it := range items {
		out.Devices = append(out.Devices, toProto(it))
	}
	if req.GetPageToken() == "" {
		n, err := s.svc.Count(ctx, f)
		if err != nil {
			return nil, err
		}
		out.TotalSize = int32(n)
	}
	return out, nil
}

// filterOf reads a list request's filter and order (not its paging).
func filterOf(req *v1.ListDevicesRequest) (device.Filter, error) {
	var f device.Filter
	var err error
	if f.OrganisationID, err = validate.OptionalID("organisation_id", req.GetOrganisationId()); err != nil {
		return f, err
	}
	if f.GroupID, err = validate.OptionalID("group_id", req.GetGroupId()); err != nil {
		return f, err
	}
	if req.GetPlatform() != v1.Platform_PLATFORM_UNSPECIFIED {
		p, ok := platforms[req.GetPlatform()]
		if !ok {
			return f, apperr.Invalid("platform", "unknown platform %d", req.GetPlatform())
		}
		f.Platform = p
	}
	f.Tag = strings.TrimSpace(req.GetTag())
	f.Query = strings.TrimSpace(req.GetQuery())
	if len(f.Query) > validate.MaxNameLen || len(f.Tag) > validate.MaxTagLen {
		return f, apperr.Invalid("query", "is too long")
	}
	switch req.GetOrderBy() {
	case v1.DeviceOrder_DEVICE_ORDER_UNSPECIFIED, v1.DeviceOrder_DEVICE_ORDER_HOSTNAME:
		f.Order = device.OrderHostname
	case v1.DeviceOrder_DEVICE_ORDER_LAST_SEEN:
		f.Order = device.OrderLastSeen
	case v1.DeviceOrder_DEVICE_ORDER_SCORE:
		f.Order = device.OrderScore
	default:
		return f, apperr.Invalid("order_by", "unknown sort order %d", req.GetOrderBy())
	}
	f.Descending = req.GetDescending()
	f.IncludeRetired = req.GetIncludeRetired()
	if err := triageFilter(&f, req); err != nil {
		return f, err
	}
	return f, nil
}

// bands maps stored band names to the API's bands.
var bands = map[string]v1.Band{"healthy": v1.Band_BAND_HEALTHY, "fair": v1.Band_BAND_FAIR, "poor": v1.Band_BAND_POOR, "critical": v1.Band_BAND_CRITICAL}

// bandNames maps the bands a filter may name to the stored names;
// BAND_UNSPECIFIED selects devices without a score.
var bandNames = map[v1.Band]string{
	v1.Band_BAND_UNSPECIFIED: device.Unscored,
	v1.Band_BAND_HEALTHY:     "healthy",
	v1.Band_BAND_FAIR:        "fair",
	v1.Band_BAND_POOR:        "poor",
	v1.Band_BAND_CRITICAL:    "critical",
}

// triageFilter reads the health and software filters of req into f.
func triageFilter(f *device.Filter, req *v1.ListDevicesRequest) error {
	if len(req.GetBands()) > len(bandNames) {
		return apperr.Invalid("bands", "at most %d bands", len(bandNames))
	}
	var names []string
	for _, b := range req.GetBands() {
		n, ok := bandNames[b]
		if !ok {
			return apperr.Invalid("bands", "unknown band %d", b)
		}
		names = append(names, n)
	}
	bands, err := device.NormaliseBands(names)
	if err != nil {
		return err
	}
	f.Bands = bands
	f.StaleOnly = req.GetStaleOnly()
	f.NeedsAttention = req.GetNeedsAttention()
	// The service checks it against the catalogue, after the organisation
	// and group (a foreign id there is not_found whatever else is wrong).
	f.FailingCheck = strings.TrimSpace(req.GetFailingCheckId())
	if len(f.FailingCheck) > 100 {
		return apperr.Invalid("failing_check_id", "is too long")
	}
	// An empty name is no filter (a client that sends an empty message).
	if sw := req.GetSoftware(); sw.GetName() != "" {
		if len(sw.GetName()) > 500 || len(sw.GetVersion()) > 200 {
			return apperr.Invalid("software", "name or version is too long")
		}
		f.Software = &device.Software{Name: sw.GetName(), Version: sw.GetVersion()}
	}
	return nil
}

// withHealth adds the health summary to devices.
func (s *Service) withHealth(ctx context.Context, devices ...*ent.Device) ([]*v1.Device, error) {
	items, err := s.svc.Summaries(ctx, devices)
	if err != nil {
		return nil, err
	}
	out := make([]*v1.Device, len(items))
	for i, it := range items {
		out[i] = toProto(it)
	}
	return out, nil
}

// GetDevice implements DeviceService.GetDevice.
func (s *Service) GetDevice(ctx context.Context, req *v1.GetDeviceRequest) (*v1.GetDeviceResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	d, err := s.svc.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	ds, err := s.withHealth(ctx, d)
	if err != nil {
		return nil, err
	}
	return &v1.GetDeviceResponse{Device: ds[0]}, nil
}

// MoveDevice implements DeviceService.MoveDevice.
func (s *Service) MoveDevice(ctx context.Context, req *v1.MoveDeviceRequest) (*v1.MoveDeviceResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	orgID, err := validate.OptionalID("organisation_id", req.GetOrganisationId())
	if err != nil {
		return nil, err
	}
	groupID, err := validate.OptionalID("group_id", req.GetGroupId())
	if err != nil {
		return nil, err
	}
	d, err := s.svc.Move(ctx, id, orgID, groupID)
	if err != nil {
		return nil, err
	}
	ds, err := s.withHealth(ctx, d)
	if err != nil {
		return nil, err
	}
	return &v1.MoveDeviceResponse{Device: ds[0]}, nil
}

// TagDevices implements DeviceService.TagDevices.
func (s *Service) TagDevices(ctx context.Context, req *v1.TagDevicesRequest) (*v1.TagDevicesResponse, error) {
	ids, err := validate.IDs("ids", req.GetIds())
	if err != nil {
		return nil, err
	}
	add, err := device.NormaliseTags("add_tags", req.GetAddTags())
	if err != nil {
		return nil, err
	}
	remove, err := device.NormaliseTags("remove_tags", req.GetRemoveTags())
	if err != nil {
		return nil, err
	}
	devices, err := s.svc.Tag(ctx, ids, add, remove)
	if err != nil {
		return nil, err
	}
	ds, err := s.withHealth(ctx, devices...)
	if err != nil {
		return nil, err
	}
	return &v1.TagDevicesResponse{Devices: ds}, nil
}

// DeleteDevice implements DeviceService.DeleteDevice.
func (s *Service) DeleteDevice(ctx context.Context, req *v1.DeleteDeviceRequest) (*v1.DeleteDeviceResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	if err := s.svc.Delete(ctx, id); err != nil {
		return nil, err
	}
	return &v1.DeleteDeviceResponse{}, nil
}

func toProto(it device.Item) *v1.Device {
	d, h := it.Device, it.Health
	out := &v1.Device{
		Id:             d.ID.String(),
		OrganisationId: d.OrganisationID.String(),
		Hostname:       d.Hostname,
		Role:           roles[d.Role],
		OsName:         d.OsName,
		OsVersion:      d.OsVersion,
		Manufacturer:   d.Manufacturer,
		Model:          d.Model,
		SerialNumber:   d.SerialNumber,
		IpAddresses:    d.IPAddresses,
		AgentVersion:   d.AgentVersion,
		Tags:           d.Tags,
		LastSeenTime:   pbconv.TimePtr(d.LastSeenAt),
		CreateTime:     pbconv.Time(d.CreatedAt),
		RetireTime:     pbconv.TimePtr(d.RetiredAt),
		Health: &v1.DeviceHealthSummary{
			Score: int32(h.Score), Band: bands[h.Band], Scored: h.Scored, Stale: h.Stale,
			NeedsAttention: h.NeedsAttention, TopReasonCheckId: h.TopCheckID, TopReason: h.TopTitle,
			TopReasonSeverity: h.TopSeverity, IssueCount: int32(h.IssueCount), CapReason: h.CapReason,
			ComputeTime: pbconv.TimePtr(h.ComputedAt),
		},
	}
	if d.GroupID != nil {
		out.GroupId = d.GroupID.String()
	}
	for p, name := range platforms {
		if string(d.Platform) == name {
			out.Platform = p
		}
	}
	return out
}

// StartBulkOperation implements DeviceService.StartBulkOperation.
func (s *Service) StartBulkOperation(ctx context.Context, req *v1.StartBulkOperationRequest) (*v1.StartBulkOperationResponse, error) {
	var sel device.Selection
	switch x := req.GetSelection().GetSelection().(type) {
	case *v1.DeviceSelection_Ids:
		if n := len(x.Ids.GetIds()); n == 0 || n > device.MaxBulkDevices {
			return nil, apperr.Invalid("selection.ids", "1 to %d device ids", device.MaxBulkDevices)
		}
		ids, err := validate.IDs("selection.ids", x.Ids.GetIds())
		if err != nil {
			return nil, err
		}
		sel.IDs = ids
	case *v1.DeviceSelection_Filter:
		f, err := filterOf(x.Filter)
		if err != nil {
			return nil, err
		}
		sel.Filter = &f
	default:
		return nil, apperr.Invalid("selection", "ids or a filter is required")
	}
	var act device.BulkAction
	var err error
	switch x := req.GetAction().(type) {
	case *v1.StartBulkOperationRequest_Move:
		act.Kind = device.BulkMove
		if act.OrganisationID, err = validate.OptionalID("move.organisation_id", x.Move.GetOrganisationId()); err != nil {
			return nil, err
		}
		if act.GroupID, err = validate.OptionalID("move.group_id", x.Move.GetGroupId()); err != nil {
			return nil, err
		}
	case *v1.StartBulkOperationRequest_Tag:
		act.Kind = device.BulkTag
		if act.AddTags, err = device.NormaliseTags("tag.add_tags", x.Tag.GetAddTags()); err != nil {
			return nil, err
		}
		if act.RemoveTags, err = device.NormaliseTags("tag.remove_tags", x.Tag.GetRemoveTags()); err != nil {
			return nil, err
		}
	case *v1.StartBulkOperationRequest_Retire:
		act.Kind = device.BulkRetire
	case *v1.StartBulkOperationRequest_Reanalyse:
		act.Kind = device.BulkReanalyse
	default:
		return nil, apperr.Invalid("action", "one of move, tag, retire or reanalyse is required")
	}
	op, err := s.svc.StartBulk(ctx, sel, act)
	if err != nil {
		return nil, err
	}
	return &v1.StartBulkOperationResponse{Operation: bulkProto(op)}, nil
}

// GetBulkOperation implements DeviceService.GetBulkOperation.
func (s *Service) GetBulkOperation(ctx context.Context, req *v1.GetBulkOperationRequest) (*v1.GetBulkOperationResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	op, err := s.svc.GetBulk(ctx, id)
	if err != nil {
		return nil, err
	}
	return &v1.GetBulkOperationResponse{Operation: bulkProto(op)}, nil
}

// ListBulkOperations implements DeviceService.ListBulkOperations.
func (s *Service) ListBulkOperations(ctx context.Context, req *v1.ListBulkOperationsRequest) (*v1.ListBulkOperationsResponse, error) {
	size, err := validate.Limit("page_size", req.GetPageSize(), 20, 100)
	if err != nil {
		return nil, err
	}
	ops, err := s.svc.ListBulk(ctx, size)
	if err != nil {
		return nil, err
	}
	out := &v1.ListBulkOperationsResponse{}
	for _, op := range ops {
		out.Operations = append(out.Operations, bulkProto(op))
	}
	return out, nil
}

var bulkStates = map[bulkoperation.State]v1.BulkOperationState{
	bulkoperation.StateQueued:    v1.BulkOperationState_BULK_OPERATION_STATE_QUEUED,
	bulkoperation.StateRunning:   v1.BulkOperationState_BULK_OPERATION_STATE_RUNNING,
	bulkoperation.StateSucceeded: v1.BulkOperationState_BULK_OPERATION_STATE_SUCCEEDED,
	bulkoperation.StateFailed:    v1.BulkOperationState_BULK_OPERATION_STATE_FAILED,
}

func bulkProto(op *ent.BulkOperation) *v1.BulkOperation {
	return &v1.BulkOperation{
		Id: op.ID.String(), Action: string(op.Action), State: bulkStates[op.State],
		Total: int32(op.Total), Processed: int32(op.Processed), Failed: int32(op.Failed), Errors: op.Errors,
		CreatedBy: op.CreatedBy.String(), CreateTime: pbconv.Time(op.CreatedAt), FinishTime: pbconv.TimePtr(op.FinishedAt),
	}
}
