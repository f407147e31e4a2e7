//go:build windows

package collector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// enabledCollectors lists the collectors of the current run.
func (e *Env) enabledCollectors() []string { return e.enabled }

// powershell runs an embedded script from a temporary file.
func powershell(ctx context.Context, env *Env, script string, args ...string) ([]byte, error) {
	f, err := os.CreateTemp("", "wegweiser-*.ps1")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	// A byte-order mark makes Windows PowerShell 5.1 read the file as UTF-8.
	if _, err := f.WriteString("\ufeff" + script); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	exe := "powershell.exe"
	if p := os.Getenv("SystemRoot"); p != "" {
		exe = p + `\System32\WindowsPowerShell\v1.0\powershell.exe`
	}
	full := append([]string{"-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", f.Name()}, args...)
	return env.output(ctx, exe, full...)
}

// inventory runs scripts/inventory.ps1 once per collection, for the
// sections that this collection enables.
func inventory(ctx context.Context, env *Env) (*winInventory, error) {
	v, err := env.shared(ctx, "inventory", 2*time.Minute, func(ctx context.Context) (any, error) {
		var sections []string
		enabled := env.enabledCollectors()
		for _, s := range inventorySectionsAll {
			if len(enabled) == 0 || containsStr(enabled, s) {
				sections = append(sections, s)
			}
		}
		b, err := powershell(ctx, env, inventoryScript, "-Sections", strings.Join(sections, ","))
		if err != nil && len(bytes.TrimSpace(b)) == 0 {
			return nil, err
		}
		return parseWinInventory(b)
	})
	if err != nil {
		return nil, err
	}
	return v.(*winInventory), nil
}

func collectOS(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	inv, err := inventory(ctx, env)
	if err != nil {
		return err
	}
	o, err := inv.os()
	out.Os = o
	return err
}

func collectHardware(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	inv, err := inventory(ctx, env)
	if err != nil {
		return err
	}
	hw, err := inv.hardware()
	out.Hardware = hw
	return err
}

func collectStorage(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	inv, err := inventory(ctx, env)
	if err != nil {
		return err
	}
	st, err := inv.storage()
	out.Storage = st
	return err
}

func collectNetwork(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	n, err := gopsutilInterfaces(ctx)
	out.Network = n
	if inv, ierr := inventory(ctx, env); ierr == nil {
		inv.network(n)
		if serr := inv.sectionError("network"); serr != nil && err == nil {
			err = serr
		}
	} else if err == nil {
		err = ierr
	}
	return err
}

func collectSoftware(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	inv, err := inventory(ctx, env)
	if err != nil {
		return err
	}
	sw, err := inv.software()
	out.Software = sw
	return err
}

func collectServices(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	inv, err := inventory(ctx, env)
	if err != nil {
		return err
	}
	s, err := inv.services()
	out.Services = s
	return err
}

func collectReboot(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	inv, err := inventory(ctx, env)
	if err != nil {
		return err
	}
	r, err := inv.reboot()
	out.PendingReboot = r
	return err
}

func collectPatches(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	b, err := powershell(ctx, env, updatesScript)
	if err != nil && len(bytes.TrimSpace(b)) == 0 {
		return err
	}
	p, perr := parseWinUpdates(b)
	out.Patches = p
	return perr
}

func collectSecurity(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	inv, err := inventory(ctx, env)
	if err != nil {
		return err
	}
	s, err := inv.security()
	out.Security = s
	if s != nil && s.Encryption == nil {
		// No BitLocker module (Home editions, Server without the feature):
		// ask manage-bde.
		drive := os.Getenv("SystemDrive")
		if drive == "" {
			drive = "C:"
		}
		if b, berr := env.output(ctx, "manage-bde", "-status", drive); berr == nil {
			s.Encryption = parseManageBde(b)
		}
		if s.Encryption == nil {
			s.Encryption = &agentv1.DiskEncryption{Method: "none", Status: "unknown"}
		}
	}
	return err
}

// windowsEvents runs wevtutil once per collection for System and
// Application, grouping events and picking out crashes, and for the
// Security log's failed logons (4625).
type windowsEvents struct {
	groups  []*agentv1.EventLogGroup
	crashes []*agentv1.Crash
}

func events(ctx context.Context, env *Env) (*windowsEvents, error) {
	v, err := env.shared(ctx, "wevtutil", 2*time.Minute, func(ctx context.Context) (any, error) {
		ms := time.Since(env.since()).Milliseconds()
		if ms < 1 {
			ms = 1
		}
		q := fmt.Sprintf("/q:*[System[(Level=1 or Level=2 or Level=3) and TimeCreated[timediff(@SystemTime) <= %d]]]", ms)
		g := newEventGroups()
		res := &windowsEvents{}
		var errs []error
		for _, log := range []string{"System", "Application"} {
			err := env.cmd().Stream(ctx, func(r io.Reader) error {
				cs, err := parseWevtutil(r, g)
				res.crashes = append(res.crashes, cs...)
				return err
			}, "wevtutil", "qe", log, q, "/f:RenderedXml", "/c:1500", "/rd:true")
			if err != nil {
				errs = append(errs, fmt.Errorf("%s log: %w", log, err))
			}
		}
		// Failed logons (4625, an audit failure, not an error level) from
		// the Security log; the agent runs as SYSTEM, which may read it.
		// Unrendered XML: the event data carries the source address.
		sq := fmt.Sprintf("/q:*[System[EventID=4625 and TimeCreated[timediff(@SystemTime) <= %d]]]", ms)
		// A failure here (an agent not running as SYSTEM) is not reported:
		// a collector error would make the server discard System and
		// Application too.
		_ = env.cmd().Stream(ctx, func(r io.Reader) error {
			_, err := parseWevtutil(r, g)
			return err
		}, "wevtutil", "qe", "Security", sq, "/f:xml", "/c:5000", "/rd:true")
		res.groups = g.list(maxEventGroups)
		res.crashes = sortCrashes(res.crashes)
		return res, errors.Join(errs...)
	})
	ev, _ := v.(*windowsEvents)
	return ev, err
}

func collectEventLogs(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	ev, err := events(ctx, env)
	if ev != nil {
		out.EventLogs = ev.groups
	}
	return err
}

func collectCrashes(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	ev, err := events(ctx, env)
	if ev != nil {
		out.Crashes = ev.crashes
	}
	return err
}

// Identity returns the host name and the BIOS serial number.
func Identity(ctx context.Context) (hostname, serial string) {
	hostname, _ = os.Hostname()
	env := &Env{}
	if b, err := powershell(ctx, env, "(Get-CimInstance Win32_BIOS).SerialNumber"); err == nil {
		serial = strings.TrimSpace(string(trimBOM(b)))
	}
	return hostname, serial
}
