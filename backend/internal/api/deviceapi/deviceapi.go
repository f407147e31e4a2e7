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
	var f device.Filter
	if f.OrganisationID, err = validate.OptionalID("organisation_id", req.GetOrganisationId()); err != nil {
		return nil, err
	}
	if f.GroupID, err = validate.OptionalID("group_id", req.GetGroupId()); err != nil {
		return nil, err
	}
	if req.GetPlatform() != v1.Platform_PLATFORM_UNSPECIFIED {
		p, ok := platforms[req.GetPlatform()]
		if !ok {
			return nil, apperr.Invalid("platform", "unknown platform %d", req.GetPlatform())
		}
		f.Platform = p
	}
	f.Tag = strings.TrimSpace(req.GetTag())
	f.Query = strings.TrimSpace(req.GetQuery())
	if len(f.Query) > validate.MaxNameLen || len(f.Tag) > validate.MaxTagLen {
		return nil, apperr.Invalid("query", "is too long")
	}
	switch req.GetOrderBy() {
	case v1.DeviceOrder_DEVICE_ORDER_UNSPECIFIED, v1.DeviceOrder_DEVICE_ORDER_HOSTNAME:
		f.Order = device.OrderHostname
	case v1.DeviceOrder_DEVICE_ORDER_LAST_SEEN:
		f.Order = device.OrderLastSeen
	default:
		return nil, apperr.Invalid("order_by", "unknown sort order %d", req.GetOrderBy())
	}
	f.Descending = req.GetDescending()
	devices, next, err := s.svc.List(ctx, f, size, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &v1.ListDevicesResponse{NextPageToken: next}
	for _, d := range devices {
		out.Devices = append(out.Devices, toProto(d))
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
	return &v1.GetDeviceResponse{Device: toProto(d)}, nil
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
	return &v1.MoveDeviceResponse{Device: toProto(d)}, nil
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
	out := &v1.TagDevicesResponse{}
	for _, d := range devices {
		out.Devices = append(out.Devices, toProto(d))
	}
	return out, nil
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

func toProto(d *ent.Device) *v1.Device {
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
