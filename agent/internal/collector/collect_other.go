//go:build !linux && !darwin && !windows

package collector

import (
	"context"
	"os"
	"runtime"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// On other systems the agent reports what the standard library and
// gopsutil know and marks the rest not applicable.

func collectOS(_ context.Context, _ *Env, out *agentv1.Snapshot) error {
	h, _ := os.Hostname()
	out.Os = &agentv1.OperatingSystem{Platform: runtime.GOOS, Name: runtime.GOOS, Architecture: runtime.GOARCH, Hostname: h}
	return nil
}

func collectNetwork(ctx context.Context, _ *Env, out *agentv1.Snapshot) error {
	n, err := gopsutilInterfaces(ctx)
	out.Network = n
	return err
}

func notApplicable(context.Context, *Env, *agentv1.Snapshot) error { return ErrNotApplicable }

var (
	collectHardware  = notApplicable
	collectStorage   = notApplicable
	collectSoftware  = notApplicable
	collectServices  = notApplicable
	collectReboot    = notApplicable
	collectPatches   = notApplicable
	collectSecurity  = notApplicable
	collectEventLogs = notApplicable
	collectCrashes   = notApplicable
)

// Identity returns the host name.
func Identity(context.Context) (hostname, serial string) {
	hostname, _ = os.Hostname()
	return hostname, ""
}
