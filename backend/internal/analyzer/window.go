package analyzer

import (
	"google.golang.org/protobuf/reflect/protoreflect"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// EventWindow is a device's event evidence kept server-side across
// snapshots. Agents send only the events and crashes since their last
// collection, so one snapshot's event_logs and crashes sections cover about
// one check-in interval; the window holds what every snapshot of the last 7
// days reported, deduplicated. The event-derived checks (disk errors,
// failed logons, crashes, unexpected shutdowns, out-of-memory kills, error
// volume) judge it relative to Result.AsOf.
type EventWindow struct {
	// Events are the event-log groups of the window.
	Events []*agentv1.EventLogGroup
	// Crashes are the crashes of the window.
	Crashes []*agentv1.Crash
}

// snapshot returns the snapshot the checks read: in.Snapshot itself, or,
// when in.Window is set, a copy that shares every section with it except
// event_logs and crashes, which are the window's.
func (in Input) snapshot() *agentv1.Snapshot {
	if in.Window == nil {
		return in.Snapshot
	}
	out := &agentv1.Snapshot{}
	m := out.ProtoReflect()
	in.Snapshot.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		m.Set(fd, v)
		return true
	})
	out.EventLogs = in.Window.Events
	out.Crashes = in.Window.Crashes
	return out
}
