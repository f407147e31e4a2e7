package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wegweiser/wegweiser/agent/internal/install"
)

// need skips a test when tool is missing, except in CI (where
// scripts/services.sh packaging installs the tools), where it fails.
func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing (run scripts/services.sh packaging): %v", tool, err)
		}
		t.Skipf("%s is not installed (scripts/services.sh packaging installs it)", tool)
	}
	return p
}

// standIn writes a tiny executable that stands in for the agent binary.
func standIn(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "wegweiser-agent")
	if err := os.WriteFile(p, []byte("#!/bin/sh\necho stand-in agent\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestDebInstallsAndRemovesWithDpkg installs the .deb with dpkg into a
// throwaway root (its own package database; the machine's and its
// systemd are left alone), checks the binary and the unit (the text
// `wegweiser-agent install` writes), and removes it again.
func TestDebInstallsAndRemovesWithDpkg(t *testing.T) {
	dpkg := need(t, "dpkg")
	out := filepath.Join(t.TempDir(), "agent.deb")
	if err := Linux("deb", Input{Binary: standIn(t), Version: "1.4.0-rc.1", Arch: "amd64", Out: out}); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"var/lib/dpkg/status", "var/lib/dpkg/available"} {
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := []string{"--root=" + root, "--log=" + filepath.Join(root, "dpkg.log"), "--force-script-chrootless", "--force-not-root"}
	env := []string{"WEGWEISER_ROOT=" + root}
	run(t, env, dpkg, append(base, "--install", out)...)

	status := run(t, nil, "dpkg-query", "--root="+root, "--show", "--showformat=${Status} ${Version} ${Architecture}", PackageName)
	if status != "install ok installed 1.4.0~rc.1 amd64" {
		t.Errorf("dpkg-query: %q", status)
	}
	bin, err := os.ReadFile(filepath.Join(root, LinuxBinary))
	if err != nil || !strings.Contains(string(bin), "stand-in agent") {
		t.Fatalf("binary not installed: %v", err)
	}
	if info, _ := os.Stat(filepath.Join(root, LinuxBinary)); info.Mode().Perm() != 0o755 {
		t.Errorf("binary mode %v", info.Mode())
	}
	unitText, err := os.ReadFile(filepath.Join(root, UnitPath))
	if err != nil {
		t.Fatal(err)
	}
	if string(unitText) != install.SystemdUnit(install.Options{GOOS: "linux", Systemd: true, Binary: LinuxBinary}) ||
		!strings.Contains(string(unitText), "ExecStart="+LinuxBinary+" run") {
		t.Errorf("the unit is not the one wegweiser-agent install writes:\n%s", unitText)
	}
	for _, script := range []string{"postinst", "prerm", "postrm"} {
		if _, err := os.Stat(filepath.Join(root, "var/lib/dpkg/info", PackageName+"."+script)); err != nil {
			t.Errorf("no %s script: %v", script, err)
		}
	}

	run(t, env, dpkg, append(base, "--purge", PackageName)...)
	for _, p := range []string{LinuxBinary, UnitPath} {
		if _, err := os.Stat(filepath.Join(root, p)); !os.IsNotExist(err) {
			t.Errorf("%s is left after removal: %v", p, err)
		}
	}
	if out, err := exec.Command("dpkg-query", "--root="+root, "--show", PackageName).CombinedOutput(); err == nil {
		t.Errorf("the package is still known after purge: %s", out)
	}
}

// TestRPMHoldsBinaryUnitAndScripts reads the .rpm with rpm.
func TestRPMHoldsBinaryUnitAndScripts(t *testing.T) {
	rpm := need(t, "rpm")
	out := filepath.Join(t.TempDir(), "agent.rpm")
	if err := Linux("rpm", Input{Binary: standIn(t), Version: "v2.0.1", Arch: "arm64", Out: out}); err != nil {
		t.Fatal(err)
	}
	info := run(t, nil, rpm, "-qip", out)
	for _, want := range []string{"Name        : " + PackageName, "Version     : 2.0.1", "Architecture: aarch64"} {
		if !strings.Contains(info, want) {
			t.Errorf("rpm -qip lacks %q:\n%s", want, info)
		}
	}
	list := run(t, nil, rpm, "-qlp", out)
	if strings.Fields(list)[0] != LinuxBinary || !strings.Contains(list, UnitPath) {
		t.Errorf("rpm -qlp:\n%s", list)
	}
	scripts := run(t, nil, rpm, "-qp", "--scripts", out)
	for _, want := range []string{"postinstall scriptlet", "systemctl enable " + install.SystemdUnitName, "preuninstall scriptlet", "systemctl disable --now " + install.SystemdUnitName} {
		if !strings.Contains(scripts, want) {
			t.Errorf("rpm --scripts lacks %q:\n%s", want, scripts)
		}
	}
}

// TestMSIInstallsTheService reads the .msi with msiinfo: the File,
// Component and ServiceInstall tables name the agent and its service.
func TestMSIInstallsTheService(t *testing.T) {
	wixl := os.Getenv("WEGWEISER_WIXL")
	if wixl == "" {
		wixl = need(t, "wixl")
	}
	msiinfo := need(t, "msiinfo")
	out := filepath.Join(t.TempDir(), "agent.msi")
	if err := MSI(wixl, Input{Binary: standIn(t), Version: "1.4.2", Arch: "amd64", Out: out}); err != nil {
		t.Fatal(err)
	}
	tables := run(t, nil, msiinfo, "tables", out)
	for _, want := range []string{"File", "Component", "ServiceInstall", "ServiceControl"} {
		if !strings.Contains("\n"+tables+"\n", "\n"+want+"\n") {
			t.Errorf("msiinfo tables lacks %s:\n%s", want, tables)
		}
	}
	for table, want := range map[string][]string{
		"File":           {"wegweiser-agent.exe"},
		"ServiceInstall": {ServiceName, "\trun\t"},
		"ServiceControl": {ServiceName},
		"Property":       {"ProductVersion\t1.4.2", "UpgradeCode\t{" + msiUpgradeCode + "}"},
		"Directory":      {"Wegweiser"},
	} {
		got := run(t, nil, msiinfo, "export", out, table)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("msiinfo export %s lacks %q:\n%s", table, w, got)
			}
		}
	}
	if err := MSI(wixl, Input{Binary: standIn(t), Version: "1.0.0", Arch: "arm64", Out: out}); err == nil {
		t.Error("built an arm64 .msi")
	}
}

func TestVersions(t *testing.T) {
	for v, want := range map[string]string{
		"1.4.0": "1.4.0", "v1.4.0-rc.1": "1.4.0~rc.1", "v0.3.0-12-gabc1234": "0.3.0~12.gabc1234", "d10d547-dirty": "0.0.0~d10d547.dirty",
	} {
		lv := linuxVersion(v)
		got := lv.version
		if lv.prerelease != "" {
			got += "~" + lv.prerelease
		}
		if got != want {
			t.Errorf("linuxVersion(%q) = %s, want %s", v, got, want)
		}
	}
	for v, want := range map[string]string{"1.4.2": "1.4.2", "v1.4.2-rc.1": "1.4.2", "abc": "0.0.0", "1.300.0": "0.0.0"} {
		if got := msiVersion(v); got != want {
			t.Errorf("msiVersion(%q) = %s, want %s", v, got, want)
		}
	}
}
