//go:build darwin

package collector

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/host"
	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// macProfileData runs system_profiler once per collection.
func macProfileData(ctx context.Context, env *Env) (*macProfile, error) {
	v, err := env.shared(ctx, "system_profiler", 90*time.Second, func(ctx context.Context) (any, error) {
		b, err := env.output(ctx, "system_profiler", "-json", "-detailLevel", "mini",
			"SPHardwareDataType", "SPSoftwareDataType", "SPStorageDataType", "SPPowerDataType", "SPDisplaysDataType")
		if err != nil && len(b) == 0 {
			return nil, err
		}
		return parseMacProfile(b)
	})
	if err != nil {
		return nil, err
	}
	return v.(*macProfile), nil
}

func collectOS(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	o := &agentv1.OperatingSystem{Platform: "macos", Name: "macOS"}
	p, err := macProfileData(ctx, env)
	if p != nil {
		o = p.os()
	}
	out.Os = o
	o.Architecture = runtime.GOARCH
	if h, herr := os.Hostname(); herr == nil {
		o.Hostname = h
	}
	o.Fqdn = ""
	if strings.Contains(o.Hostname, ".") {
		o.Fqdn = o.Hostname
	}
	if bt, berr := host.BootTimeWithContext(ctx); berr == nil && bt > 0 {
		o.BootTime = ts(time.Unix(int64(bt), 0))
	}
	if users, uerr := host.UsersWithContext(ctx); uerr == nil {
		for _, u := range users {
			if u.User != "" && !containsStr(o.LoggedInUsers, u.User) {
				o.LoggedInUsers = append(o.LoggedInUsers, u.User)
			}
		}
	}
	if link, lerr := os.Readlink("/etc/localtime"); lerr == nil {
		if i := strings.Index(link, "zoneinfo/"); i >= 0 {
			o.Timezone = link[i+len("zoneinfo/"):]
		}
	}
	return err
}

func collectHardware(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	p, err := macProfileData(ctx, env)
	if err != nil {
		return err
	}
	hw := p.hardware()
	out.Hardware = hw
	if n, err := cpu.CountsWithContext(ctx, false); err == nil && n > 0 {
		hw.CpuCores = int32(n)
	}
	if n, err := cpu.CountsWithContext(ctx, true); err == nil && n > 0 {
		hw.CpuThreads = int32(n)
	}
	if hw.Battery != nil {
		if b, err := env.output(ctx, "ioreg", "-rn", "AppleSmartBattery"); err == nil {
			parseIoregBattery(b, hw.Battery)
		}
	}
	return nil
}

func collectStorage(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	p, err := macProfileData(ctx, env)
	if err != nil {
		return err
	}
	st := p.storage()
	out.Storage = st
	if b, err := env.sharedOutput(ctx, 20*time.Second, "fdesetup", "status"); err == nil && parseFdesetupStatus(b).GetEnabled() {
		for _, v := range st.Volumes {
			if v.System || v.MountPoint == "/System/Volumes/Data" {
				v.Encrypted = true
			}
		}
	}
	return nil
}

func collectNetwork(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	n, err := gopsutilInterfaces(ctx)
	out.Network = n
	if b, err := env.output(ctx, "networksetup", "-listallhardwareports"); err == nil {
		ports := parseHardwarePorts(b)
		for _, i := range n.Interfaces {
			if p := ports[i.Name]; p == "Wi-Fi" || p == "AirPort" {
				i.Wireless = true
			}
		}
	}
	if b, err := env.output(ctx, "route", "-n", "get", "default"); err == nil {
		n.DefaultGateways = parseRouteGet(b)
	}
	if b, err := env.output(ctx, "scutil", "--dns"); err == nil {
		n.DnsServers = parseScutilDNS(b)
	}
	return err
}

func collectSoftware(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	b, err := env.output(ctx, "system_profiler", "-json", "-detailLevel", "mini", "SPApplicationsDataType")
	if err != nil && len(b) == 0 {
		return err
	}
	sw, err := parseMacApplications(b)
	out.Software = sw
	return err
}

func collectServices(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	b, err := env.output(ctx, "launchctl", "list")
	if err != nil {
		return err
	}
	out.Services = parseLaunchctlList(b)
	return nil
}

func collectReboot(context.Context, *Env, *agentv1.Snapshot) error {
	// macOS keeps no pending-restart flag outside an update in progress.
	return ErrNotApplicable
}

func collectPatches(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	p := &agentv1.Patches{}
	out.Patches = p
	b, err := env.output(ctx, "softwareupdate", "-l")
	if err != nil && len(b) == 0 && exitCode(err) != 0 {
		return err
	}
	p.Missing = parseSoftwareUpdateList(b)
	if prefs, err := env.output(ctx, "defaults", "read", "/Library/Preferences/com.apple.SoftwareUpdate"); err == nil {
		var last time.Time
		last, p.AutomaticUpdates = macUpdatePrefs(prefs)
		p.LastCheckTime = ts(last)
	}
	if info, err := os.Stat("/Library/Receipts/InstallHistory.plist"); err == nil {
		p.LastInstallTime = ts(info.ModTime())
	}
	return nil
}

func collectSecurity(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	s := &agentv1.Security{}
	out.Security = s
	var errs []error
	if b, err := env.output(ctx, "/usr/libexec/ApplicationFirewall/socketfilterfw", "--getglobalstate"); err == nil {
		if on, ok := parseSocketFilterFW(b); ok {
			s.Firewall = append(s.Firewall, &agentv1.FirewallProfile{Profile: "default", Enabled: on, Product: "socketfilterfw"})
		}
	} else {
		errs = append(errs, err)
	}
	if b, err := env.sharedOutput(ctx, 20*time.Second, "fdesetup", "status"); err == nil {
		s.Encryption = parseFdesetupStatus(b)
	} else {
		errs = append(errs, err)
	}
	if av := xprotect(env); av != nil {
		s.Antivirus = append(s.Antivirus, av)
	}
	if b, err := env.output(ctx, "dscl", ".", "-read", "/Groups/admin", "GroupMembership"); err == nil {
		s.LocalAdmins = parseDsclMembers(b)
	}
	// Remote Login (sshd) is a launchd job, loaded only when it is on.
	_, err := env.output(ctx, "launchctl", "print", "system/com.openssh.sshd")
	s.SshServer = collectSSHServer(ctx, env, err == nil)
	// Apple silicon always boots through its secure boot chain.
	s.SecureBoot = runtime.GOARCH == "arm64"
	return errors.Join(errs...)
}

func collectEventLogs(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	since := env.since()
	if earliest := time.Now().Add(-time.Hour); since.Before(earliest) {
		since = earliest // log show is slow; one hour at most
	}
	var groups []*agentv1.EventLogGroup
	err := env.cmd().Stream(ctx, func(r io.Reader) error {
		var perr error
		groups, perr = parseMacLog(r, 20000)
		return perr
	}, "log", "show", "--style", "ndjson", "--no-info",
		"--predicate", "messageType == error OR messageType == fault",
		"--start", since.Local().Format("2006-01-02 15:04:05"))
	out.EventLogs = groups
	if err != nil && len(groups) == 0 {
		return err
	}
	return nil
}

func collectCrashes(_ context.Context, env *Env, out *agentv1.Snapshot) error {
	since := env.since()
	dirs := []string{"/Library/Logs/DiagnosticReports"}
	if homes, err := filepath.Glob("/Users/*/Library/Logs/DiagnosticReports"); err == nil {
		dirs = append(dirs, homes...)
	}
	var files []string
	for _, d := range dirs {
		for _, pat := range []string{"*.ips", "*.crash", "*.panic"} {
			m, _ := filepath.Glob(filepath.Join(d, pat))
			files = append(files, m...)
		}
	}
	sort.Strings(files)
	for _, f := range files {
		info, err := os.Stat(f)
		if err != nil || info.ModTime().Before(since) || info.Size() > 8<<20 {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if c := parseMacCrashReport(b); c != nil {
			if c.Time == nil {
				c.Time = ts(info.ModTime())
			}
			out.Crashes = append(out.Crashes, c)
		}
	}
	out.Crashes = sortCrashes(out.Crashes)
	return nil
}

// Identity returns the host name and the hardware serial number.
func Identity(ctx context.Context) (hostname, serial string) {
	hostname, _ = os.Hostname()
	env := &Env{}
	if b, err := env.output(ctx, "ioreg", "-rd1", "-c", "IOPlatformExpertDevice"); err == nil {
		for _, l := range lines(b) {
			if strings.Contains(l, `"IOPlatformSerialNumber"`) {
				if _, v, ok := strings.Cut(l, "="); ok {
					serial = strings.Trim(strings.TrimSpace(v), `"`)
				}
			}
		}
	}
	return hostname, serial
}
