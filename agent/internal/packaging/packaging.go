// Package packaging builds the agent's native packages on Linux: .deb and
// .rpm (with nfpm) that install the binary and the systemd unit the
// agent's own `install` writes, and a Windows .msi (with wixl from
// msitools) that installs the .exe as a Windows service.
package packaging

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the deb packager
	"github.com/goreleaser/nfpm/v2/files"
	_ "github.com/goreleaser/nfpm/v2/rpm" // registers the rpm packager
	"golang.org/x/mod/semver"

	"github.com/wegweiser/wegweiser/agent/internal/install"
)

// Where the Linux packages put things.
const (
	PackageName = "wegweiser-agent"
	LinuxBinary = "/usr/bin/wegweiser-agent"
	UnitPath    = "/usr/lib/systemd/system/" + install.SystemdUnitName
	// ServiceName is the Windows service the .msi installs.
	ServiceName = "WegweiserAgent"
)

// Input is what to package.
type Input struct {
	// Binary is the agent built for GOOS/Arch.
	Binary string
	// Version is the agent version (as `make agent` stamps it).
	Version string
	// Arch is "amd64" or "arm64".
	Arch string
	// Out is the package file to write.
	Out string
	// ModTime is the time stamped on packaged files (reproducible builds);
	// zero for now.
	ModTime time.Time
}

// unit is the systemd unit of the packages: the text `wegweiser-agent
// install` writes, run from the packaged binary.
func unit() string {
	return install.SystemdUnit(install.Options{GOOS: "linux", Systemd: true, Binary: LinuxBinary})
}

// The maintainer scripts leave the service manager alone where there is
// none (containers), when the package is unpacked into another root
// (DPKG_ROOT, or WEGWEISER_ROOT for tests) and under rpm's --root.
const guard = `if [ -n "${DPKG_ROOT:-}" ] || [ -n "${WEGWEISER_ROOT:-}" ] || [ ! -d /run/systemd/system ] || ! command -v systemctl >/dev/null 2>&1; then
	exit 0
fi
`

const postInstall = `#!/bin/sh
# Enable and (re)start the agent. Until the device is enrolled
# (wegweiser-agent enroll --server URL --key KEY) the service waits.
set -e
if [ ! -f /var/lib/wegweiser-agent/state.json ]; then
	echo "wegweiser-agent: enrol this device: sudo wegweiser-agent enroll --server URL --key KEY" >&2
fi
if [ -z "${DPKG_ROOT:-}" ] && [ -z "${WEGWEISER_ROOT:-}" ] && [ ! -d /run/systemd/system ]; then
	echo "wegweiser-agent: systemd is not running here; start '` + LinuxBinary + ` run' yourself" >&2
fi
` + guard + `systemctl daemon-reload || true
systemctl enable ` + install.SystemdUnitName + ` || true
systemctl restart ` + install.SystemdUnitName + ` || true
`

// preRemove stops the service on removal (deb: "remove"; rpm: 0 packages
// left), not on upgrade.
const preRemove = `#!/bin/sh
set -e
case "${1:-}" in
remove|purge|0) ;;
*) exit 0 ;;
esac
` + guard + `systemctl disable --now ` + install.SystemdUnitName + ` || true
`

const postRemove = `#!/bin/sh
set -e
` + guard + `systemctl daemon-reload || true
`

// Linux builds a .deb or .rpm (format "deb" or "rpm").
func Linux(format string, in Input) error {
	if format != "deb" && format != "rpm" {
		return fmt.Errorf("unknown Linux package format %q", format)
	}
	tmp, err := os.MkdirTemp("", "wegweiser-package-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	write := func(name, body string, mode os.FileMode) (string, error) {
		p := filepath.Join(tmp, name)
		return p, os.WriteFile(p, []byte(body), mode)
	}
	unitFile, err := write("unit", unit(), 0o644)
	if err != nil {
		return err
	}
	post, err := write("postinst", postInstall, 0o755)
	if err != nil {
		return err
	}
	prerm, err := write("prerm", preRemove, 0o755)
	if err != nil {
		return err
	}
	postrm, err := write("postrm", postRemove, 0o755)
	if err != nil {
		return err
	}
	mtime := in.ModTime
	if mtime.IsZero() {
		mtime = time.Now()
	}
	v := linuxVersion(in.Version)
	info := &nfpm.Info{
		Name:          PackageName,
		Arch:          in.Arch,
		Platform:      "linux",
		Version:       v.version,
		Prerelease:    v.prerelease,
		VersionSchema: "none",
		Section:       "admin",
		Priority:      "optional",
		Maintainer:    "Wegweiser <support@wegweiser.invalid>",
		Vendor:        "Wegweiser",
		Homepage:      "https://github.com/wegweiser/wegweiser",
		License:       "Proprietary",
		Description:   "Wegweiser endpoint agent: collects this device's health and sends it to the Wegweiser server.",
		MTime:         mtime,
		Overridables: nfpm.Overridables{
			Contents: files.Contents{
				{Source: in.Binary, Destination: LinuxBinary, FileInfo: &files.ContentFileInfo{Mode: 0o755, MTime: mtime}},
				{Source: unitFile, Destination: UnitPath, FileInfo: &files.ContentFileInfo{Mode: 0o644, MTime: mtime}},
			},
			Scripts: nfpm.Scripts{PostInstall: post, PreRemove: prerm, PostRemove: postrm},
			RPM:     nfpm.RPM{Summary: "Wegweiser endpoint agent", Group: "System Environment/Daemons"},
		},
	}
	pkgr, err := nfpm.Get(format)
	if err != nil {
		return err
	}
	info = nfpm.WithDefaults(info)
	if err := nfpm.Validate(info); err != nil {
		return fmt.Errorf("package description: %w", err)
	}
	return writeAtomically(in.Out, func(f *os.File) error { return pkgr.Package(info, f) })
}

type linuxVer struct{ version, prerelease string }

// linuxVersion makes a package version of an agent version: a semantic
// version keeps its order ("1.4.0-rc.1" sorts before "1.4.0"); anything
// else (a commit) becomes a pre-release of 0.0.0.
func linuxVersion(v string) linuxVer {
	sv := "v" + strings.TrimPrefix(v, "v")
	if !semver.IsValid(sv) {
		return linuxVer{version: "0.0.0", prerelease: sanitize(v)}
	}
	core := strings.TrimPrefix(semver.Canonical(sv), "v")
	pre := strings.TrimPrefix(semver.Prerelease(sv), "-")
	core = strings.TrimSuffix(core, semver.Prerelease(sv))
	return linuxVer{version: core, prerelease: sanitize(pre)}
}

// sanitize keeps what both dpkg and rpm take in a version part.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('.')
		}
	}
	return b.String()
}

// msiVersion is the numeric major.minor.patch Windows Installer compares
// (0.0.0 for a version that is not semantic).
func msiVersion(v string) string {
	sv := "v" + strings.TrimPrefix(v, "v")
	if !semver.IsValid(sv) {
		return "0.0.0"
	}
	core := strings.TrimPrefix(semver.Canonical(sv), "v")
	if i := strings.IndexAny(core, "-+"); i >= 0 {
		core = core[:i]
	}
	parts := strings.Split(core, ".")
	limits := []int{255, 255, 65535}
	for i, p := range parts {
		if n, err := strconv.Atoi(p); err != nil || n > limits[i] {
			return "0.0.0"
		}
	}
	return core
}

// Windows Installer identities: the upgrade code ties every version of the
// product together, the component GUID the installed files and service.
const (
	msiUpgradeCode   = "6F1C2E4A-8B7D-4E39-9C55-2A0D3B9E7F10"
	msiComponentGUID = "B3E8D5A2-1F4C-4C6E-8A97-5D2E0F6B1C34"
)

var wxs = template.Must(template.New("wxs").Parse(`<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="*" Name="Wegweiser Agent" Language="1033" Version="{{.Version}}" Manufacturer="Wegweiser" UpgradeCode="{{.UpgradeCode}}">
    <Package Description="Wegweiser endpoint agent {{.FullVersion}}" Comments="Installs the agent as the {{.Service}} service; enrol with wegweiser-agent.exe enroll --server URL --key KEY" Manufacturer="Wegweiser" InstallerVersion="200" Compressed="yes" InstallScope="perMachine"/>
    <Media Id="1" Cabinet="agent.cab" EmbedCab="yes"/>
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFiles64Folder">
        <Directory Id="INSTALLDIR" Name="Wegweiser">
          <Component Id="Agent" Guid="{{.ComponentGUID}}" Win64="yes">
            <File Id="AgentExe" Name="wegweiser-agent.exe" Source="{{.Binary}}" KeyPath="yes"/>
            <ServiceInstall Id="AgentService" Name="{{.Service}}" DisplayName="Wegweiser Agent" Description="Collects this device's health and sends it to the Wegweiser server." Type="ownProcess" Start="auto" ErrorControl="normal" Arguments="run"/>
            <ServiceControl Id="AgentServiceControl" Name="{{.Service}}" Start="install" Stop="both" Remove="uninstall" Wait="yes"/>
          </Component>
        </Directory>
      </Directory>
    </Directory>
    <Feature Id="Complete" Title="Wegweiser Agent" Level="1">
      <ComponentRef Id="Agent"/>
    </Feature>
  </Product>
</Wix>
`))

// MSI builds the Windows installer with wixl (the path of the wixl
// program; "wixl" finds it on PATH). Only amd64 is supported.
func MSI(wixl string, in Input) error {
	if in.Arch != "amd64" {
		return fmt.Errorf("the .msi is built for amd64 only, not %s", in.Arch)
	}
	if wixl == "" {
		wixl = "wixl"
	}
	var src bytes.Buffer
	if err := wxs.Execute(&src, map[string]string{
		"Version": msiVersion(in.Version), "FullVersion": in.Version, "UpgradeCode": msiUpgradeCode,
		"ComponentGUID": msiComponentGUID, "Binary": "wegweiser-agent.exe", "Service": ServiceName,
	}); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "wegweiser-msi-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	// wixl finds sources relative to its working folder.
	exe, err := os.ReadFile(in.Binary)
	if err != nil {
		return fmt.Errorf("read the Windows binary: %w", err)
	}
	// The path is our own temporary folder and a fixed name; only the
	// content comes from the input.
	if err := os.WriteFile(filepath.Join(tmp, "wegweiser-agent.exe"), exe, 0o600); err != nil { //nolint:gosec // fixed name in our own temporary folder
		return fmt.Errorf("copy the Windows binary: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "agent.wxs"), src.Bytes(), 0o600); err != nil {
		return err
	}
	out := filepath.Join(tmp, "agent.msi")
	cmd := exec.Command(wixl, "-a", "x64", "-o", "agent.msi", "agent.wxs") //nolint:gosec // G204: the operator's wixl
	cmd.Dir = tmp
	if b, err := cmd.CombinedOutput(); err != nil {
		var ee *exec.Error
		if errors.As(err, &ee) {
			return fmt.Errorf("wixl is needed for the .msi (Debian package wixl; scripts/services.sh packaging installs it): %w", err)
		}
		return fmt.Errorf("wixl: %w\n%s", err, b)
	}
	data, err := os.ReadFile(out) //nolint:gosec // G304: our temporary file
	if err != nil {
		return err
	}
	return writeAtomically(in.Out, func(f *os.File) error { _, err := f.Write(data); return err })
}

// writeAtomically writes path through a temporary file, so the server
// never offers half a package.
func writeAtomically(path string, write func(*os.File) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil { //nolint:gosec // G301: a download folder
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(f.Name()) }()
	if err := write(f); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
