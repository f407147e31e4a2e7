package agentdist

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newCatalog(t *testing.T, files map[string]string) (*Catalog, string) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := New(dir, bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return c, dir
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestArtifactsFollowTheNamingScheme(t *testing.T) {
	c, _ := newCatalog(t, map[string]string{
		"wegweiser-agent_1.2.0_linux_amd64":       "linux",
		"wegweiser-agent_1.2.0_windows_amd64.exe": "win",
		"wegweiser-agent_1.2.0_linux_arm64.deb":   "deb",
		"wegweiser-agent_1.2.0_linux_amd64.rpm":   "rpm",
		"wegweiser-agent_1.2.0_windows_amd64.msi": "msi",
		"wegweiser-agent_1.2.0_darwin_arm64":      "mac",
		"wegweiser-agent_1.2.0_darwin_arm64.deb":  "not linux",
		"wegweiser-agent_1.2.0_windows_amd64":     "windows without .exe",
		"wegweiser-agent_1.2.0_linux_386":         "unknown arch",
		"README":                                  "other",
	})
	all, err := c.Artifacts()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range all {
		got = append(got, a.FileName+" "+a.Platform()+" "+a.Arch+" "+a.Format+" "+a.Version)
	}
	want := []string{
		"wegweiser-agent_1.2.0_darwin_arm64 macos arm64 binary 1.2.0",
		"wegweiser-agent_1.2.0_linux_amd64 linux amd64 binary 1.2.0",
		"wegweiser-agent_1.2.0_linux_amd64.rpm linux amd64 rpm 1.2.0",
		"wegweiser-agent_1.2.0_linux_arm64.deb linux arm64 deb 1.2.0",
		"wegweiser-agent_1.2.0_windows_amd64.exe windows amd64 binary 1.2.0",
		"wegweiser-agent_1.2.0_windows_amd64.msi windows amd64 msi 1.2.0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("artifacts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if all[1].SHA256 != sum("linux") || all[1].Size != 5 {
		t.Errorf("linux binary: sha %s size %d", all[1].SHA256, all[1].Size)
	}
}

func TestLatestPicksTheHighestVersion(t *testing.T) {
	c, dir := newCatalog(t, map[string]string{
		"wegweiser-agent_1.10.0_linux_amd64":     "a",
		"wegweiser-agent_1.9.0_linux_amd64":      "b",
		"wegweiser-agent_1.10.0-rc1_linux_amd64": "c",
		"wegweiser-agent_abc1234_linux_amd64":    "d",
		"wegweiser-agent_1.11.0_linux_amd64.deb": "a package is not a binary",
		"wegweiser-agent_0.1.0_darwin_arm64":     "e",
	})
	a, ok := c.Latest("linux", "amd64")
	if !ok || a.Version != "1.10.0" || a.Format != FormatBinary {
		t.Fatalf("Latest(linux, amd64) = %+v, %v; want 1.10.0", a, ok)
	}
	if a, ok := c.Latest("macos", "arm64"); !ok || a.FileName != "wegweiser-agent_0.1.0_darwin_arm64" {
		t.Errorf("Latest(macos, arm64) = %+v, %v", a, ok)
	}
	if _, ok := c.Latest("windows", "amd64"); ok {
		t.Error("Latest offers a Windows build the directory does not hold")
	}
	// Builds without a semantic version: the most recently written wins.
	c2, dir2 := newCatalog(t, map[string]string{
		"wegweiser-agent_aaa111_linux_arm64": "old",
		"wegweiser-agent_bbb222_linux_arm64": "new",
	})
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(dir2, "wegweiser-agent_bbb222_linux_arm64"), old, old); err != nil {
		t.Fatal(err)
	}
	if a, _ := c2.Latest("linux", "arm64"); a.Version != "aaa111" {
		t.Errorf("Latest among commit builds = %s, want the newest file aaa111", a.Version)
	}
	// A new build shows up without a restart.
	if err := os.WriteFile(filepath.Join(dir, "wegweiser-agent_2.0.0_linux_amd64"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if a, _ := c.Latest("linux", "amd64"); a.Version != "2.0.0" || a.SHA256 != sum("new") {
		t.Errorf("after adding 2.0.0: Latest = %+v", a)
	}
}

func TestChecksumsAreSignedAndFollowSha256sum(t *testing.T) {
	c, dir := newCatalog(t, map[string]string{
		"wegweiser-agent_1.0.0_linux_amd64":       "linux",
		"wegweiser-agent_1.0.0_windows_amd64.exe": "win",
	})
	sums, sig, err := c.Checksums()
	if err != nil {
		t.Fatal(err)
	}
	want := sum("linux") + "  wegweiser-agent_1.0.0_linux_amd64\n" + sum("win") + "  wegweiser-agent_1.0.0_windows_amd64.exe\n"
	if string(sums) != want {
		t.Fatalf("SHA256SUMS:\n%s\nwant:\n%s", sums, want)
	}
	if !VerifyChecksums(c.PublicKey(), sums, sig) {
		t.Fatal("the signature does not verify with the public key")
	}
	if VerifyChecksums(c.PublicKey(), bytes.Replace(sums, []byte("linux_amd64"), []byte("linux_arm64"), 1), sig) {
		t.Fatal("the signature verifies a changed list")
	}
	// The list is what sha256sum checks.
	if _, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command("sha256sum", "--check", "--strict", "-")
		cmd.Dir, cmd.Stdin = dir, bytes.NewReader(sums)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("sha256sum --check: %v\n%s", err, out)
		}
	}
	if _, err := New(dir, []byte("short")); err == nil {
		t.Error("New took a seed of the wrong length")
	}
}

func TestScriptsRenderValidShell(t *testing.T) {
	c, _ := newCatalog(t, map[string]string{
		"wegweiser-agent_1.0.0_linux_amd64":       "linux",
		"wegweiser-agent_1.0.0_darwin_arm64":      "mac",
		"wegweiser-agent_1.0.0_windows_amd64.exe": "win",
	})
	for _, p := range []string{InstallShPath, UninstallShPath} {
		body, err := c.Script(p, "https://ww.example.com")
		if err != nil {
			t.Fatal(err)
		}
		s := string(body)
		if !strings.Contains(s, "SERVER='https://ww.example.com'") || !strings.Contains(s, "linux_amd64) FILE='wegweiser-agent_1.0.0_linux_amd64'") {
			t.Errorf("%s does not carry the server URL and the builds:\n%s", p, s)
		}
		if (p == UninstallShPath) != strings.Contains(s, "MODE=uninstall\n") {
			t.Errorf("%s: wrong default mode", p)
		}
		cmd := exec.Command("sh", "-n")
		cmd.Stdin = bytes.NewReader(body)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("sh -n %s: %v\n%s", p, err, out)
		}
	}
	ps, err := c.Script(InstallPs1Path, "https://ww.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ps), "'windows_amd64' = 'wegweiser-agent_1.0.0_windows_amd64.exe'") || !strings.Contains(string(ps), "$Server = 'https://ww.example.com'") {
		t.Errorf("install.ps1 does not carry the server URL and the builds:\n%s", ps)
	}
}

func TestURLWarnings(t *testing.T) {
	for _, tc := range []struct {
		url        string
		configured bool
		want       []string
	}{
		{"https://wegweiser.example.com", true, nil},
		{"http://localhost:8080", false, []string{"No public URL is set", "plain http"}},
		{"http://127.0.0.1:8080", true, []string{"loopback", "plain http"}},
		{"https://[::1]:8443", true, []string{"loopback"}},
		{"http://10.0.0.5:8080", true, []string{"plain http"}},
		{"http://10.0.0.5:8080", false, []string{"No public URL is set"}},
	} {
		got := URLWarnings(tc.url, tc.configured)
		if len(got) != len(tc.want) {
			t.Errorf("%s: warnings %q, want %d", tc.url, got, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(got[i], w) || !strings.Contains(got[i], "WEGWEISER_PUBLIC_URL") {
				t.Errorf("%s: warning %q lacks %q or the fix", tc.url, got[i], w)
			}
		}
	}
}
