// Package install makes the agent start with the machine: a systemd unit
// (or a cron entry where systemd is absent) on Linux, a launchd daemon on
// macOS and a scheduled task on Windows. It builds a Plan — files to write
// and commands to run — that can be printed (--dry-run) or applied.
package install

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf16"
)

// Names of what gets installed.
const (
	SystemdUnitName = "wegweiser-agent.service"
	SystemdUnitPath = "/etc/systemd/system/" + SystemdUnitName
	CronPath        = "/etc/cron.d/wegweiser-agent"
	CronLog         = "/var/log/wegweiser-agent.log"
	LaunchdLabel    = "com.wegweiser.agent"
	LaunchdPath     = "/Library/LaunchDaemons/" + LaunchdLabel + ".plist"
	TaskName        = "Wegweiser Agent"
)

// Options say what to install.
type Options struct {
	// GOOS is the target system ("linux", "darwin", "windows").
	GOOS string
	// Systemd says whether a Linux target runs systemd.
	Systemd bool
	// Binary is where the agent binary is installed and run from.
	Binary string
	// Source is the binary to copy to Binary; empty or equal means no copy.
	Source string
	// StateDir is passed to `run --state-dir`.
	StateDir string
	// ExtraArgs are added to `run` (e.g. --spool-max-bytes).
	ExtraArgs []string
	// Purge, on uninstall, also removes the state folder (enrolment and
	// spool).
	Purge bool
	// TempDir is where Windows task XML is written before schtasks reads it.
	TempDir string
}

// DefaultBinary is where the agent installs itself.
func DefaultBinary(goos string) string {
	switch goos {
	case "windows":
		pf := os.Getenv("ProgramFiles")
		if pf == "" {
			pf = `C:\Program Files`
		}
		return pf + `\Wegweiser\wegweiser-agent.exe`
	default:
		return "/usr/local/bin/wegweiser-agent"
	}
}

// HasSystemd reports whether this Linux machine was booted with systemd.
func HasSystemd() bool {
	info, err := os.Stat("/run/systemd/system")
	return err == nil && info.IsDir()
}

// Step is one action of a plan.
type Step struct {
	// Kind is "copy", "write", "remove", "remove-all" or "run".
	Kind string
	// Path is the file acted on.
	Path string
	// From is the source of a copy.
	From string
	// Mode is the file mode of a write or copy.
	Mode os.FileMode
	// Content is what a write writes.
	Content []byte
	// Text is Content as shown to people (UTF-16 files are shown decoded).
	Text string
	// Args is the command of a run.
	Args []string
	// IgnoreError lets the plan go on when a run fails (stopping a service
	// that is not running).
	IgnoreError bool
}

// Plan is an ordered list of steps.
type Plan struct {
	Steps []Step
}

// runArgs is the command line of the installed service.
func runArgs(o Options) []string {
	args := []string{o.Binary, "run"}
	if o.StateDir != "" {
		args = append(args, "--state-dir", o.StateDir)
	}
	return append(args, o.ExtraArgs...)
}

// InstallPlan returns the steps that install the agent as a service.
func InstallPlan(o Options) (Plan, error) {
	if o.Binary == "" {
		return Plan{}, errors.New("no binary path")
	}
	var p Plan
	if o.GOOS == "windows" {
		// A running executable cannot be replaced on Windows.
		p.Steps = append(p.Steps, Step{Kind: "run", Args: []string{"schtasks", "/End", "/TN", TaskName}, IgnoreError: true})
	}
	if o.Source != "" && !samePath(o.Source, o.Binary) {
		p.Steps = append(p.Steps, Step{Kind: "copy", From: o.Source, Path: o.Binary, Mode: 0o755})
	}
	switch o.GOOS {
	case "linux":
		if o.Systemd {
			unit := SystemdUnit(o)
			p.Steps = append(p.Steps,
				Step{Kind: "write", Path: SystemdUnitPath, Mode: 0o644, Content: []byte(unit), Text: unit},
				Step{Kind: "run", Args: []string{"systemctl", "daemon-reload"}},
				Step{Kind: "run", Args: []string{"systemctl", "enable", "--now", SystemdUnitName}},
				// Pick up a new binary when re-installing over a running agent.
				Step{Kind: "run", Args: []string{"systemctl", "restart", SystemdUnitName}},
			)
		} else {
			cron := CronEntry(o)
			p.Steps = append(p.Steps,
				Step{Kind: "write", Path: CronPath, Mode: 0o644, Content: []byte(cron), Text: cron},
				Step{Kind: "run", Args: []string{"sh", "-c", shellJoin(runArgs(o)) + " >>" + CronLog + " 2>&1 &"}},
			)
		}
	case "darwin":
		plist := LaunchdPlist(o)
		p.Steps = append(p.Steps,
			Step{Kind: "run", Args: []string{"launchctl", "bootout", "system/" + LaunchdLabel}, IgnoreError: true},
			Step{Kind: "write", Path: LaunchdPath, Mode: 0o644, Content: []byte(plist), Text: plist},
			Step{Kind: "run", Args: []string{"launchctl", "bootstrap", "system", LaunchdPath}},
			Step{Kind: "run", Args: []string{"launchctl", "enable", "system/" + LaunchdLabel}},
		)
	case "windows":
		task := TaskXML(o)
		xmlPath := filepath.Join(firstNonEmpty(o.TempDir, os.TempDir()), "wegweiser-agent-task.xml")
		p.Steps = append(p.Steps,
			Step{Kind: "write", Path: xmlPath, Mode: 0o600, Content: utf16LE(task), Text: task},
			Step{Kind: "run", Args: []string{"schtasks", "/Create", "/TN", TaskName, "/XML", xmlPath, "/F"}},
			Step{Kind: "remove", Path: xmlPath},
			Step{Kind: "run", Args: []string{"schtasks", "/Run", "/TN", TaskName}},
		)
	default:
		return Plan{}, fmt.Errorf("install is not supported on %s", o.GOOS)
	}
	return p, nil
}

// UninstallPlan returns the steps that remove the service (and with Purge
// the state folder). The binary is removed when it sits at the default
// place.
func UninstallPlan(o Options) (Plan, error) {
	var p Plan
	switch o.GOOS {
	case "linux":
		if o.Systemd {
			p.Steps = append(p.Steps,
				Step{Kind: "run", Args: []string{"systemctl", "disable", "--now", SystemdUnitName}, IgnoreError: true},
				Step{Kind: "remove", Path: SystemdUnitPath},
				Step{Kind: "run", Args: []string{"systemctl", "daemon-reload"}},
			)
		} else {
			p.Steps = append(p.Steps,
				Step{Kind: "remove", Path: CronPath},
				Step{Kind: "run", Args: []string{"pkill", "-TERM", "-f", "^" + o.Binary + " run"}, IgnoreError: true},
			)
		}
	case "darwin":
		p.Steps = append(p.Steps,
			Step{Kind: "run", Args: []string{"launchctl", "bootout", "system/" + LaunchdLabel}, IgnoreError: true},
			Step{Kind: "remove", Path: LaunchdPath},
		)
	case "windows":
		p.Steps = append(p.Steps,
			Step{Kind: "run", Args: []string{"schtasks", "/End", "/TN", TaskName}, IgnoreError: true},
			Step{Kind: "run", Args: []string{"schtasks", "/Delete", "/TN", TaskName, "/F"}},
		)
	default:
		return Plan{}, fmt.Errorf("uninstall is not supported on %s", o.GOOS)
	}
	if o.Binary != "" && samePath(o.Binary, DefaultBinary(o.GOOS)) {
		p.Steps = append(p.Steps, Step{Kind: "remove", Path: o.Binary})
	}
	if o.Purge && o.StateDir != "" {
		p.Steps = append(p.Steps, Step{Kind: "remove-all", Path: o.StateDir})
	}
	return p, nil
}

// SystemdUnit is the unit file text.
func SystemdUnit(o Options) string {
	return `[Unit]
Description=Wegweiser endpoint agent
Documentation=https://github.com/wegweiser/wegweiser
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStart=` + systemdJoin(runArgs(o)) + `
Restart=always
RestartSec=30
KillMode=mixed
KillSignal=SIGTERM
TimeoutStopSec=30
Nice=10
IOSchedulingClass=idle
MemoryHigh=64M
MemoryMax=256M
NoNewPrivileges=yes
PrivateTmp=yes
ProtectHome=read-only
ProtectSystem=full
` + selfUpdatePaths(o) + `
[Install]
WantedBy=multi-user.target
`
}

// selfUpdatePaths lets a self-updating agent replace its binary in a
// folder ProtectSystem makes read-only (/usr/local/bin is under /usr);
// nothing with --no-self-update.
func selfUpdatePaths(o Options) string {
	for _, a := range o.ExtraArgs {
		if a == "--no-self-update" {
			return ""
		}
	}
	return "ReadWritePaths=" + systemdJoin([]string{path.Dir(o.Binary)}) + "\n"
}

// CronEntry is the /etc/cron.d file used where systemd is absent: start
// at boot, and every five minutes start again if not running (a second
// `run` exits at once while the first holds its lock).
func CronEntry(o Options) string {
	cmd := shellJoin(runArgs(o)) + " >>" + CronLog + " 2>&1"
	return "# Wegweiser endpoint agent (installed by wegweiser-agent install)\n" +
		"SHELL=/bin/sh\n" +
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n" +
		"@reboot root " + cmd + "\n" +
		"*/5 * * * * root " + cmd + "\n"
}

// LaunchdPlist is the launchd daemon definition.
func LaunchdPlist(o Options) string {
	var args strings.Builder
	for _, a := range runArgs(o) {
		args.WriteString("\t\t<string>" + xmlEscape(a) + "</string>\n")
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + LaunchdLabel + `</string>
	<key>ProgramArguments</key>
	<array>
` + args.String() + `	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>KeepAlive</key>
	<true/>
	<key>ThrottleInterval</key>
	<integer>30</integer>
	<key>ProcessType</key>
	<string>Background</string>
	<key>LowPriorityIO</key>
	<true/>
	<key>Nice</key>
	<integer>10</integer>
	<key>ExitTimeOut</key>
	<integer>30</integer>
	<key>StandardOutPath</key>
	<string>/Library/Logs/Wegweiser/agent.log</string>
	<key>StandardErrorPath</key>
	<string>/Library/Logs/Wegweiser/agent.log</string>
</dict>
</plist>
`
}

// TaskXML is the Task Scheduler definition: at startup, as SYSTEM, no time
// limit (the default would stop the agent after three days), restarted on
// failure, one instance.
func TaskXML(o Options) string {
	args := runArgs(o)
	return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>Wegweiser endpoint agent</Description>
    <URI>\` + TaskName + `</URI>
  </RegistrationInfo>
  <Triggers>
    <BootTrigger>
      <Enabled>true</Enabled>
      <Delay>PT1M</Delay>
    </BootTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>S-1-5-18</UserId>
      <RunLevel>HighestAvailable</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>7</Priority>
    <RestartOnFailure>
      <Interval>PT5M</Interval>
      <Count>999</Count>
    </RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>` + xmlEscape(args[0]) + `</Command>
      <Arguments>` + xmlEscape(windowsJoin(args[1:])) + `</Arguments>
    </Exec>
  </Actions>
</Task>
`
}

// String renders a plan for --dry-run.
func (p Plan) String() string {
	var b strings.Builder
	for _, s := range p.Steps {
		switch s.Kind {
		case "copy":
			fmt.Fprintf(&b, "copy %s -> %s (mode %04o)\n", s.From, s.Path, s.Mode)
		case "write":
			fmt.Fprintf(&b, "write %s (mode %04o):\n", s.Path, s.Mode)
			for _, l := range strings.SplitAfter(s.Text, "\n") {
				if l != "" {
					b.WriteString("    " + l)
				}
			}
			if !strings.HasSuffix(s.Text, "\n") {
				b.WriteString("\n")
			}
		case "remove":
			fmt.Fprintf(&b, "remove %s\n", s.Path)
		case "remove-all":
			fmt.Fprintf(&b, "remove %s and everything in it\n", s.Path)
		case "run":
			fmt.Fprintf(&b, "run: %s", shellJoin(s.Args))
			if s.IgnoreError {
				b.WriteString("   (failure ignored)")
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// Apply carries the plan out, printing each step to w.
func (p Plan) Apply(w io.Writer) error {
	for _, s := range p.Steps {
		switch s.Kind {
		case "copy":
			fmt.Fprintf(w, "copy %s -> %s\n", s.From, s.Path)
			if err := copyFile(s.From, s.Path, s.Mode); err != nil {
				return err
			}
		case "write":
			fmt.Fprintf(w, "write %s\n", s.Path)
			if err := os.MkdirAll(filepath.Dir(s.Path), 0o755); err != nil { //nolint:gosec // G301: system folders (service units, program files) are world-readable
				return err
			}
			if err := os.WriteFile(s.Path, s.Content, s.Mode); err != nil {
				return err
			}
			if err := os.Chmod(s.Path, s.Mode); err != nil {
				return err
			}
		case "remove":
			fmt.Fprintf(w, "remove %s\n", s.Path)
			if err := os.Remove(s.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		case "remove-all":
			fmt.Fprintf(w, "remove %s\n", s.Path)
			if err := os.RemoveAll(s.Path); err != nil {
				return err
			}
		case "run":
			fmt.Fprintf(w, "run: %s\n", shellJoin(s.Args))
			cmd := exec.Command(s.Args[0], s.Args[1:]...)
			cmd.Stdout, cmd.Stderr = w, w
			if err := cmd.Run(); err != nil && !s.IgnoreError {
				return fmt.Errorf("%s: %w", s.Args[0], err)
			}
		}
	}
	return nil
}

// copyFile copies atomically (a running binary can be replaced by rename
// on Unix; on Windows the task is stopped first by the caller's plan).
func copyFile(from, to string, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil { //nolint:gosec // G301: the binary's folder must be readable by the service user
		return err
	}
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer func() { _ = src.Close() }()
	tmp := to + ".new"
	dst, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		_ = dst.Close()
		_ = os.Remove(tmp)
		return err
	}
	if err := dst.Close(); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, to)
}

func samePath(a, b string) bool {
	ca, _ := filepath.Abs(a)
	cb, _ := filepath.Abs(b)
	return ca == cb
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// shellJoin quotes arguments for sh.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,@%+", r))
		}) < 0 {
			out[i] = a
		} else {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}

// systemdJoin quotes arguments for ExecStart (double quotes, % doubled).
func systemdJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		a = strings.ReplaceAll(a, "%", "%%")
		if strings.ContainsAny(a, " \t\"'\\;$") {
			a = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(a) + `"`
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}

// windowsJoin quotes arguments the way Windows programs parse them.
func windowsJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && !strings.ContainsAny(a, " \t\"") {
			out[i] = a
			continue
		}
		var b strings.Builder
		b.WriteByte('"')
		slashes := 0
		for _, r := range a {
			switch r {
			case '\\':
				slashes++
			case '"':
				b.WriteString(strings.Repeat(`\`, slashes*2+1))
				b.WriteRune('"')
				slashes = 0
				continue
			default:
				b.WriteString(strings.Repeat(`\`, slashes))
				slashes = 0
				b.WriteRune(r)
				continue
			}
		}
		b.WriteString(strings.Repeat(`\`, slashes*2))
		b.WriteByte('"')
		out[i] = b.String()
	}
	return strings.Join(out, " ")
}

// utf16LE encodes s as UTF-16 little-endian with a byte-order mark, the
// encoding schtasks /XML expects.
func utf16LE(s string) []byte {
	u := utf16.Encode([]rune(strings.ReplaceAll(s, "\n", "\r\n")))
	b := make([]byte, 2, 2+2*len(u))
	b[0], b[1] = 0xff, 0xfe
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	return b
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
