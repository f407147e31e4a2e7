package devicedata

import (
	"entgo.io/ent/dialect/sql"

	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/devicefinding"
	"github.com/wegweiser/wegweiser/ent/devicehealth"
	"github.com/wegweiser/wegweiser/ent/predicate"
)

// A retired device (device.retired_at set) keeps its rows, so its history
// and findings stay readable by its id, but it counts nowhere: roll-ups,
// worst-device lists, check summaries, device lists and the assistant's
// tools leave it out with these predicates.

// Active keeps devices that are not retired.
func Active() predicate.Device { return device.RetiredAtIsNil() }

// retiredIDs selects the ids of retired devices (the outer query is
// filtered to the viewer's tenant; ids are unique across tenants).
func retiredIDs() *sql.Selector {
	t := sql.Table(device.Table)
	return sql.Select(t.C(device.FieldID)).From(t).Where(sql.NotNull(t.C(device.FieldRetiredAt)))
}

// ActiveHealth keeps the health rows of devices that are not retired.
func ActiveHealth() predicate.DeviceHealth {
	return func(s *sql.Selector) {
		s.Where(sql.NotIn(s.C(devicehealth.FieldDeviceID), retiredIDs()))
	}
}

// ActiveFindings keeps the findings of devices that are not retired.
func ActiveFindings() predicate.DeviceFinding {
	return func(s *sql.Selector) {
		s.Where(sql.NotIn(s.C(devicefinding.FieldDeviceID), retiredIDs()))
	}
}
