//go:build linux

package collector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/shirou/gopsutil/v4/disk"
	"github.com/shirou/gopsutil/v4/host"
	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

func collectOS(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	o := &agentv1.OperatingSystem{Platform: "linux", Architecture: runtime.GOARCH}
	out.Os = o
	rel, err := env.readFile("/etc/os-release")
	if err != nil {
		rel, _ = env.readFile("/usr/lib/os-release")
	}
	o.Name, o.Version, _ = parseOSRelease(rel)
	if o.Name == "" {
		o.Name = "Linux"
	}
	info, herr := host.InfoWithContext(ctx)
	if herr == nil {
		o.Hostname = info.Hostname
		o.Build = info.KernelVersion
		if info.BootTime > 0 {
			o.BootTime = ts(time.Unix(int64(info.BootTime), 0))
		}
	} else if h, err := os.Hostname(); err == nil {
		o.Hostname = h
	}
	o.Fqdn = fqdn(ctx, o.Hostname)
	if users, err := host.UsersWithContext(ctx); err == nil {
		for _, u := range users {
			if u.User != "" && !containsStr(o.LoggedInUsers, u.User) {
				o.LoggedInUsers = append(o.LoggedInUsers, u.User)
			}
		}
	}
	o.Timezone = unixTimezone(env)
	o.Server = linuxIsServer(env)
	return herr
}

// fqdn resolves the host name to a dotted name, briefly.
func fqdn(ctx context.Context, host string) string {
	if strings.Contains(host, ".") {
		return host
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if cname, err := net.DefaultResolver.LookupCNAME(ctx, host); err == nil {
		cname = strings.TrimSuffix(cname, ".")
		if strings.Contains(cname, ".") {
			return cname
		}
	}
	return ""
}

// unixTimezone reads /etc/timezone or the /etc/localtime link.
func unixTimezone(env *Env) string {
	if tz := env.readString("/etc/timezone"); tz != "" {
		return tz
	}
	if link, err := os.Readlink(env.path("/etc/localtime")); err == nil {
		if i := strings.Index(link, "zoneinfo/"); i >= 0 {
			return link[i+len("zoneinfo/"):]
		}
	}
	if tz := os.Getenv("TZ"); tz != "" {
		return strings.TrimPrefix(tz, ":")
	}
	return time.Local.String()
}

// linuxIsServer guesses: a machine that boots to a text target and has no
// desktop sessions installed is a server.
func linuxIsServer(env *Env) bool {
	if link, err := os.Readlink(env.path("/etc/systemd/system/default.target")); err == nil {
		return strings.HasSuffix(link, "multi-user.target")
	}
	for _, d := range []string{"/usr/share/xsessions", "/usr/share/wayland-sessions"} {
		if des, err := os.ReadDir(env.path(d)); err == nil && len(des) > 0 {
			return false
		}
	}
	return true
}

func collectHardware(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	dmi := func(f string) string {
		v := env.readString("/sys/class/dmi/id/" + f)
		switch strings.ToLower(v) {
		case "to be filled by o.e.m.", "default string", "not specified", "system product name", "none":
			return ""
		}
		return v
	}
	hw := &agentv1.Hardware{
		Manufacturer: dmi("sys_vendor"),
		Model:        firstNonEmpty(dmi("product_name"), env.readString("/proc/device-tree/model")),
		SerialNumber: dmi("product_serial"),
		BiosVendor:   dmi("bios_vendor"),
		BiosVersion:  dmi("bios_version"),
		BiosDate:     dmiDate(dmi("bios_date")),
	}
	out.Hardware = hw
	if v := dmi("product_version"); v != "" && hw.Model != "" && strings.EqualFold(hw.Manufacturer, "LENOVO") {
		hw.Model = v + " (" + hw.Model + ")" // Lenovo puts the marketing name in product_version
	}
	var errs []error
	if b, err := env.readFile("/proc/cpuinfo"); err == nil {
		ci := parseCPUInfo(b)
		hw.CpuModel, hw.CpuCores, hw.CpuThreads = ci.model, ci.cores, ci.threads
		hw.Virtual = ci.hypervisor
	} else {
		errs = append(errs, err)
	}
	hw.Virtual = hw.Virtual || looksVirtual(hw.Manufacturer, hw.Model, dmi("board_vendor"))
	if b, err := env.readFile("/proc/meminfo"); err == nil {
		hw.MemoryBytes = parseMemInfo(b)["MemTotal"]
	} else {
		errs = append(errs, err)
	}
	if env.has("lspci") {
		if b, err := env.output(ctx, "lspci", "-vmmk"); err == nil {
			for _, d := range parseLspci(b) {
				g := &agentv1.Gpu{Name: d.name}
				if d.driver != "" {
					g.DriverVersion = env.readString("/sys/module/" + d.driver + "/version")
				}
				hw.Gpus = append(hw.Gpus, g)
			}
		}
	}
	if ps, _ := filepath.Glob(env.path("/sys/class/power_supply/*")); len(ps) > 0 {
		sort.Strings(ps)
		for _, p := range ps {
			b, err := os.ReadFile(filepath.Join(p, "uevent"))
			if err != nil || !bytes.Contains(b, []byte("POWER_SUPPLY_TYPE=Battery")) {
				continue
			}
			if bytes.Contains(b, []byte("POWER_SUPPLY_SCOPE=Device")) {
				continue // a mouse or headset battery
			}
			hw.Battery = parseBatteryUevent(b)
			break
		}
	}
	return errors.Join(errs...)
}

// pseudoFS are file systems that are not storage.
var pseudoFS = map[string]bool{
	"tmpfs": true, "devtmpfs": true, "proc": true, "sysfs": true, "cgroup": true, "cgroup2": true,
	"devpts": true, "mqueue": true, "debugfs": true, "tracefs": true, "securityfs": true, "pstore": true,
	"bpf": true, "configfs": true, "fusectl": true, "hugetlbfs": true, "autofs": true, "binfmt_misc": true,
	"squashfs": true, "nsfs": true, "ramfs": true, "efivarfs": true, "rpc_pipefs": true, "fuse.portal": true,
	"fuse.gvfsd-fuse": true, "overlay": true, "9p": true, "iso9660": true, "nfsd": true, "selinuxfs": true,
}

func collectStorage(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	st := &agentv1.Storage{}
	out.Storage = st
	var errs []error
	lb, lerr := linuxLsblk(ctx, env)
	if lerr != nil {
		errs = append(errs, lerr)
	}
	st.Disks = lb.disks
	// Software RAID (md): absent /proc/mdstat means no md driver, no arrays.
	if b, err := env.readFile("/proc/mdstat"); err == nil {
		st.Arrays = parseMdstat(b)
	}
	parts, err := disk.PartitionsWithContext(ctx, false)
	if err != nil {
		errs = append(errs, err)
	}
	seen := map[string]bool{}
	for _, p := range parts {
		if pseudoFS[p.Fstype] && !(p.Fstype == "overlay" && p.Mountpoint == "/") {
			continue
		}
		if seen[p.Mountpoint] || strings.HasPrefix(p.Mountpoint, "/snap/") || strings.HasPrefix(p.Mountpoint, "/var/lib/docker/") {
			continue
		}
		seen[p.Mountpoint] = true
		u, err := disk.UsageWithContext(ctx, p.Mountpoint)
		if err != nil || u.Total == 0 {
			continue
		}
		st.Volumes = append(st.Volumes, &agentv1.Volume{
			MountPoint: p.Mountpoint,
			Label:      lb.labels[p.Mountpoint],
			FileSystem: p.Fstype,
			SizeBytes:  int64(u.Total),
			FreeBytes:  int64(u.Free),
			System:     p.Mountpoint == "/",
			Encrypted:  lb.encrypted[p.Mountpoint] || dmCrypt(env, p.Device),
		})
	}
	if env.has("smartctl") {
		for _, d := range st.Disks {
			b, err := env.output(ctx, "smartctl", "-j", "-H", "-A", d.Name)
			if len(b) == 0 && err != nil {
				errs = append(errs, fmt.Errorf("smartctl %s: %w", d.Name, err))
				continue
			}
			if err := applySmartctl(d, b); err != nil {
				env.log().Debug("no SMART data", "disk", d.Name, "err", err)
			}
		}
	}
	return errors.Join(errs...)
}

// linuxLsblk runs lsblk once per collection (storage and security use it).
func linuxLsblk(ctx context.Context, env *Env) (lsblkInfo, error) {
	empty := lsblkInfo{encrypted: map[string]bool{}, labels: map[string]string{}}
	if !env.has("lsblk") {
		return empty, nil
	}
	b, err := env.sharedOutput(ctx, 20*time.Second, "lsblk", "-J", "-b", "-o", "NAME,TYPE,SIZE,MODEL,SERIAL,ROTA,TRAN,MOUNTPOINTS,FSTYPE,LABEL")
	if err != nil && exitCode(err) >= 0 {
		// util-linux before 2.37 has no MOUNTPOINTS column.
		b, err = env.sharedOutput(ctx, 20*time.Second, "lsblk", "-J", "-b", "-o", "NAME,TYPE,SIZE,MODEL,SERIAL,ROTA,TRAN,MOUNTPOINT,FSTYPE,LABEL")
	}
	if err != nil {
		return empty, err
	}
	return parseLsblk(b)
}

// dmCrypt reports whether a block device is, or sits on, a dm-crypt
// mapping, by following /sys/block/dm-N/slaves.
func dmCrypt(env *Env, device string) bool {
	resolved, err := filepath.EvalSymlinks(device)
	if err != nil || !strings.HasPrefix(filepath.Base(resolved), "dm-") {
		return false
	}
	return dmCryptSys(env, filepath.Base(resolved), 0)
}

func dmCryptSys(env *Env, dm string, depth int) bool {
	if depth > 8 {
		return false
	}
	if strings.HasPrefix(env.readString("/sys/block/"+dm+"/dm/uuid"), "CRYPT-") {
		return true
	}
	des, _ := os.ReadDir(env.path("/sys/block/" + dm + "/slaves"))
	for _, de := range des {
		if strings.HasPrefix(de.Name(), "dm-") && dmCryptSys(env, de.Name(), depth+1) {
			return true
		}
	}
	return false
}

func collectNetwork(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	n, err := gopsutilInterfaces(ctx)
	out.Network = n
	for _, ifc := range n.Interfaces {
		base := "/sys/class/net/" + ifc.Name
		if s := atoi64(env.readString(base + "/speed")); s > 0 {
			ifc.SpeedMbps = s
		}
		if _, err := os.Stat(env.path(base + "/wireless")); err == nil {
			ifc.Wireless = true
		} else if _, err := os.Stat(env.path(base + "/phy80211")); err == nil {
			ifc.Wireless = true
		}
	}
	if b, err := env.readFile("/proc/net/route"); err == nil {
		n.DefaultGateways = parseProcNetRoute(b)
	}
	if b, err := env.readFile("/etc/resolv.conf"); err == nil {
		n.DnsServers = parseResolvConf(b)
	}
	return err
}

func collectSoftware(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	var errs []error
	ran := false
	if env.has("dpkg-query") {
		ran = true
		b, err := env.output(ctx, "dpkg-query", "-W", "-f=${Package}\t${Version}\t${Maintainer}\t${db-fsys:Last-Modified}\t${Status}\n")
		if err != nil && len(b) == 0 {
			errs = append(errs, err)
		}
		out.Software = append(out.Software, parseDpkgQuery(b)...)
	}
	if env.has("rpm") && (!ran || fileExists(env, "/var/lib/rpm/rpmdb.sqlite") || fileExists(env, "/var/lib/rpm/Packages")) {
		ran = true
		b, err := env.output(ctx, "rpm", "-qa", "--qf", "%{NAME}\t%{VERSION}-%{RELEASE}\t%{VENDOR}\t%{INSTALLTIME}\n")
		if err != nil && len(b) == 0 {
			errs = append(errs, err)
		}
		out.Software = append(out.Software, parseRpmQA(b)...)
	}
	if !ran {
		return errors.New("no package manager found (dpkg-query, rpm)")
	}
	sort.Slice(out.Software, func(i, j int) bool { return out.Software[i].Name < out.Software[j].Name })
	return errors.Join(errs...)
}

func fileExists(env *Env, p string) bool {
	_, err := os.Stat(env.path(p))
	return err == nil
}

func collectServices(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	if !env.has("systemctl") || !fileExists(env, "/run/systemd/system") {
		return ErrNotApplicable // no systemd: SysV or a container
	}
	b, err := env.output(ctx, "systemctl", "list-units", "--type=service", "--all", "--no-legend", "--plain", "--no-pager")
	if err != nil {
		return err
	}
	svcs := parseSystemctlUnits(b)
	if fb, err := env.output(ctx, "systemctl", "list-unit-files", "--type=service", "--no-legend", "--no-pager"); err == nil {
		modes := parseSystemctlUnitFiles(fb)
		for _, s := range svcs {
			s.StartMode = modes[s.Name]
		}
	}
	out.Services = svcs
	return nil
}

func collectReboot(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	r := &agentv1.PendingReboot{}
	out.PendingReboot = r
	if info, err := os.Stat(env.path("/var/run/reboot-required")); err == nil {
		r.Pending = true
		r.SinceTime = ts(info.ModTime())
		reason := "package-update"
		if b, err := env.readFile("/var/run/reboot-required.pkgs"); err == nil {
			for _, p := range parseRebootRequiredPkgs(b) {
				if strings.HasPrefix(p, "linux-image") || strings.HasPrefix(p, "linux-base") {
					reason = "kernel-update"
				}
			}
		}
		r.Reasons = append(r.Reasons, reason)
	}
	// A newer kernel installed than the one running.
	if running := env.readString("/proc/sys/kernel/osrelease"); running != "" {
		if des, err := os.ReadDir(env.path("/lib/modules")); err == nil {
			newest := running
			for _, de := range des {
				if de.IsDir() && fileExists(env, "/lib/modules/"+de.Name()+"/modules.dep") && sameFlavourPortable(de.Name(), running) && compareVersions(de.Name(), newest) > 0 {
					newest = de.Name()
				}
			}
			if newest != running && !containsStr(r.Reasons, "kernel-update") {
				r.Pending = true
				r.Reasons = append(r.Reasons, "kernel-update")
			}
		}
	}
	if env.has("needs-restarting") {
		if _, err := env.output(ctx, "needs-restarting", "-r"); exitCode(err) == 1 {
			r.Pending = true
			if !containsStr(r.Reasons, "kernel-update") {
				r.Reasons = append(r.Reasons, "package-update")
			}
		}
	}
	return nil
}

func collectPatches(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	p := &agentv1.Patches{}
	out.Patches = p
	switch {
	case env.has("apt-get"):
		var b []byte
		var err error
		if env.has("apt") {
			b, err = env.output(ctx, "apt", "list", "--upgradable")
			p.Missing = parseAptList(b)
		} else {
			b, err = env.output(ctx, "apt-get", "-s", "-o", "Debug::NoLocking=1", "upgrade")
			p.Missing = parseAptSimulate(b)
		}
		if err != nil && len(b) == 0 {
			return err
		}
		if h, err := readTail(env.path("/var/log/apt/history.log"), 256<<10); err == nil {
			p.LastInstallTime = ts(parseAptHistory(h))
		}
		var newest time.Time
		for _, f := range []string{"/var/lib/apt/periodic/update-success-stamp", "/var/lib/apt/lists/partial", "/var/cache/apt/pkgcache.bin"} {
			if info, err := os.Stat(env.path(f)); err == nil && info.ModTime().After(newest) {
				newest = info.ModTime()
			}
		}
		p.LastCheckTime = ts(newest)
		for _, f := range []string{"/etc/apt/apt.conf.d/20auto-upgrades", "/etc/apt/apt.conf.d/10periodic"} {
			if b, err := env.readFile(f); err == nil && aptUnattended(b) {
				p.AutomaticUpdates = true
			}
		}
		return nil
	case env.has("dnf") || env.has("yum"):
		tool := "dnf"
		if !env.has("dnf") {
			tool = "yum"
		}
		sec := map[string]string{}
		if b, err := env.output(ctx, tool, "-q", "updateinfo", "list", "--updates"); err == nil {
			sec = parseDnfUpdateinfo(b)
		}
		b, err := env.output(ctx, tool, "-q", "check-update")
		if err != nil && exitCode(err) != 100 {
			return err
		}
		p.Missing = parseDnfCheckUpdate(b, sec)
		if fileExists(env, "/etc/systemd/system/timers.target.wants/dnf-automatic.timer") ||
			fileExists(env, "/etc/systemd/system/timers.target.wants/dnf-automatic-install.timer") {
			p.AutomaticUpdates = true
		}
		return nil
	case env.has("zypper"):
		return errors.New("zypper is not supported yet")
	}
	return ErrNotApplicable
}

// readTail reads at most the last n bytes of a file.
func readTail(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() > n {
		if _, err := f.Seek(-n, io.SeekEnd); err != nil {
			return nil, err
		}
	}
	return io.ReadAll(io.LimitReader(f, n))
}

// avProcesses are daemons of antivirus products found on Linux.
var avProcesses = map[string]string{
	"clamd": "ClamAV", "freshclam": "ClamAV", "wdavdaemon": "Microsoft Defender for Endpoint",
	"falcon-sensor": "CrowdStrike Falcon", "sentinelagent": "SentinelOne", "s1-agent": "SentinelOne",
	"savd": "Sophos", "sophos-spl": "Sophos", "esets_daemon": "ESET", "oneav": "ESET", "bdsecd": "Bitdefender",
	"ds_agent": "Trend Micro Deep Security", "cybereason-sensor": "Cybereason", "cbagentd": "VMware Carbon Black",
}

func collectSecurity(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	s := &agentv1.Security{}
	out.Security = s
	var errs []error
	// Firewall: the first of ufw, firewalld, nftables that answers.
	switch {
	case env.has("ufw"):
		if b, err := env.output(ctx, "ufw", "status"); err == nil {
			if on, ok := parseUfwStatus(b); ok {
				s.Firewall = append(s.Firewall, &agentv1.FirewallProfile{Profile: "default", Enabled: on, Product: "ufw"})
			}
		} else {
			errs = append(errs, err)
		}
	}
	if len(s.Firewall) == 0 && env.has("firewall-cmd") {
		b, _ := env.output(ctx, "firewall-cmd", "--state")
		s.Firewall = append(s.Firewall, &agentv1.FirewallProfile{
			Profile: "default", Enabled: strings.TrimSpace(string(b)) == "running", Product: "firewalld"})
	}
	if len(s.Firewall) == 0 && env.has("nft") {
		if b, err := env.output(ctx, "nft", "list", "ruleset"); err == nil {
			s.Firewall = append(s.Firewall, &agentv1.FirewallProfile{Profile: "default", Enabled: parseNftRuleset(b), Product: "nftables"})
		} else {
			errs = append(errs, err)
		}
	}
	// Antivirus: known daemons among the running processes (and sshd).
	found := map[string]bool{}
	sshRunning := false
	procs, _ := os.ReadDir(env.path("/proc"))
	for _, p := range procs {
		if p.Name()[0] < '0' || p.Name()[0] > '9' {
			continue
		}
		comm := strings.ToLower(env.readString("/proc/" + p.Name() + "/comm"))
		if comm == "sshd" {
			sshRunning = true
		}
		if name, ok := avProcesses[comm]; ok && !found[name] {
			found[name] = true
			av := &agentv1.Antivirus{Name: name, Enabled: true}
			if name == "ClamAV" {
				av.SignatureTime, av.UpToDate = clamSignatures(env)
			}
			s.Antivirus = append(s.Antivirus, av)
		}
	}
	s.SshServer = collectSSHServer(ctx, env, sshRunning)
	// Encryption of the root file system.
	enc := &agentv1.DiskEncryption{Method: "none", Status: "not encrypted"}
	lb, _ := linuxLsblk(ctx, env)
	rootDev := ""
	if parts, err := disk.PartitionsWithContext(ctx, false); err == nil {
		for _, p := range parts {
			if p.Mountpoint == "/" {
				rootDev = p.Device
			}
		}
	}
	if lb.encrypted["/"] || (rootDev != "" && dmCrypt(env, rootDev)) {
		enc = &agentv1.DiskEncryption{Enabled: true, Method: "luks", Status: "encrypted"}
	}
	s.Encryption = enc
	if b, err := env.readFile("/etc/group"); err == nil {
		s.LocalAdmins = append([]string{"root"}, parseGroupMembers(b, "sudo", "wheel", "admin")...)
	}
	if des, err := filepath.Glob(env.path("/sys/firmware/efi/efivars/SecureBoot-*")); err == nil && len(des) > 0 {
		if b, err := os.ReadFile(des[0]); err == nil && len(b) >= 5 {
			s.SecureBoot = b[4] == 1 // 4 bytes of attributes, then the value
		}
	}
	return errors.Join(errs...)
}

// clamSignatures reports when ClamAV's databases last changed.
func clamSignatures(env *Env) (*timestampProto, bool) {
	var newest time.Time
	for _, f := range []string{"daily.cld", "daily.cvd", "main.cvd", "main.cld"} {
		if info, err := os.Stat(env.path("/var/lib/clamav/" + f)); err == nil && info.ModTime().After(newest) {
			newest = info.ModTime()
		}
	}
	if newest.IsZero() {
		return nil, false
	}
	return ts(newest), time.Since(newest) < 72*time.Hour
}

func collectEventLogs(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	if !env.has("journalctl") {
		return ErrNotApplicable
	}
	since := env.since().Local().Format("2006-01-02 15:04:05")
	var groups []*agentv1.EventLogGroup
	err := env.cmd().Stream(ctx, func(r io.Reader) error {
		var perr error
		groups, perr = parseJournal(r)
		return perr
	}, "journalctl", "-p", "warning", "--since", since, "-o", "json", "--no-pager", "-n", "20000",
		"--output-fields=MESSAGE,PRIORITY,SYSLOG_IDENTIFIER,_SYSTEMD_UNIT,_COMM,_TRANSPORT")
	out.EventLogs = groups
	if err != nil && len(groups) == 0 {
		return err
	}
	return nil
}

func collectCrashes(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	since := env.since()
	var errs []error
	files, _ := filepath.Glob(env.path("/var/crash/*.crash"))
	for _, f := range files {
		info, err := os.Stat(f)
		if err != nil || info.ModTime().Before(since) {
			continue
		}
		b, err := readHead(f, 64<<10)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if c := parseApportCrash(b); c != nil {
			if c.Time == nil {
				c.Time = ts(info.ModTime())
			}
			out.Crashes = append(out.Crashes, c)
		}
	}
	// kdump leaves /var/crash/<timestamp>/ folders after a kernel crash.
	dirs, _ := os.ReadDir(env.path("/var/crash"))
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		info, err := d.Info()
		if err != nil || info.ModTime().Before(since) {
			continue
		}
		if m, _ := filepath.Glob(filepath.Join(env.path("/var/crash"), d.Name(), "*dmesg*")); len(m) > 0 {
			out.Crashes = append(out.Crashes, &agentv1.Crash{Application: "kernel", Time: ts(info.ModTime()), Detail: "kdump " + d.Name()})
		}
	}
	if env.has("coredumpctl") {
		b, err := env.output(ctx, "coredumpctl", "list", "--json=short", "--no-pager", "--since", since.Local().Format("2006-01-02 15:04:05"))
		switch {
		case err == nil:
			cs, perr := parseCoredumpctl(b)
			if perr != nil {
				errs = append(errs, perr)
			}
			out.Crashes = append(out.Crashes, cs...)
		case exitCode(err) == 1 && len(bytes.TrimSpace(b)) == 0:
			// "No coredumps found."
		default:
			errs = append(errs, err)
		}
	}
	out.Crashes = sortCrashes(out.Crashes)
	return errors.Join(errs...)
}

// readHead reads at most the first n bytes of a file.
func readHead(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	return io.ReadAll(io.LimitReader(f, n))
}

// Identity returns the host name and the hardware serial number (empty
// when unreadable, e.g. without root).
func Identity(context.Context) (hostname, serial string) {
	hostname, _ = os.Hostname()
	env := &Env{}
	return hostname, env.readString("/sys/class/dmi/id/product_serial")
}
