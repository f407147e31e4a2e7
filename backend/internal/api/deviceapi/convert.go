package deviceapi

import (
	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/device"
)

// DeviceProto converts a device with its health summary to the API's
// Device, for other services that return devices (the onboarding
// checklist's first device).
func DeviceProto(it device.Item) *v1.Device { return toProto(it) }
