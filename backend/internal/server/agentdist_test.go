package server_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/agentdist"
	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
)

func httpGet(t *testing.T, url string) (int, []byte) {
	t.Helper()
	res, err := http.Get(url) //nolint:gosec,noctx // the test server
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

// TestAgentDistribution: GetAgentDistribution lists the builds of the
// agent directory with their checksums and a key that verifies the served
// SHA256SUMS; the install script served by the server downloads the agent,
// verifies it, enrols the device, sends a first report and (with --root)
// leaves the service manager alone; a build whose checksum does not match
// is refused and nothing is installed; uninstall removes it again.
func TestAgentDistribution(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil && os.Getenv("CI") == "" {
		t.Skip("curl is not installed")
	}
	dir := t.TempDir()
	name := agentdist.FileName("9.9.9", runtime.GOOS, runtime.GOARCH, agentdist.FormatBinary)
	testenv.BuildAgent(t, filepath.Join(dir, name), "9.9.9")
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		agentDir := t.TempDir()
		bin, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(agentDir, name), bin, 0o755); err != nil {
			t.Fatal(err)
		}
		srv := testenv.StartServerWith(t, st, func(c *config.Config) { c.AgentDir = agentDir })
		ten := testenv.NewTenant(t, srv, "dist")
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))

		dist := must(own.Enrolment.GetAgentDistribution(ctx, &v1.GetAgentDistributionRequest{}))(t)
		if len(dist.GetArtifacts()) != 1 || dist.GetArtifacts()[0].GetFileName() != name || dist.GetVersion() != "9.9.9" {
			t.Fatalf("distribution: %v", dist)
		}
		art := dist.GetArtifacts()[0]
		if art.GetSize() != int64(len(bin)) || art.GetFormat() != "binary" || !strings.HasSuffix(art.GetUrl(), "/agent/download/"+name) {
			t.Errorf("artifact: %v", art)
		}
		if len(dist.GetWarnings()) == 0 || !strings.Contains(strings.Join(dist.GetWarnings(), " "), "loopback") {
			t.Errorf("no loopback warning for %s: %q", dist.GetPublicUrl(), dist.GetWarnings())
		}
		code, sums := httpGet(t, srv.URL+agentdist.ChecksumsPath)
		_, sig := httpGet(t, srv.URL+agentdist.SignaturePath)
		key, _ := base64.StdEncoding.DecodeString(dist.GetSigningPublicKey())
		if code != http.StatusOK || !strings.Contains(string(sums), art.GetSha256()+"  "+name) || !agentdist.VerifyChecksums(key, sums, sig) {
			t.Fatalf("SHA256SUMS (%d):\n%s\nsignature %s does not verify with %s", code, sums, sig, dist.GetSigningPublicKey())
		}
		if code, got := httpGet(t, srv.URL+"/agent/download/"+name); code != http.StatusOK || len(got) != len(bin) {
			t.Fatalf("download: %d, %d bytes", code, len(got))
		}
		for _, bad := range []string{"..%2fsecret.key", "wegweiser-agent_9.9.9_linux_386", "nothing"} {
			if code, _ := httpGet(t, srv.URL+"/agent/download/"+bad); code != http.StatusNotFound {
				t.Errorf("download %s: %d, want 404", bad, code)
			}
		}

		created := must(own.Enrolment.CreateEnrolmentKey(ctx, &v1.CreateEnrolmentKeyRequest{OrganisationId: ten.Organisations[0], Description: "script"}))(t)
		install := func(root string, extra ...string) (string, error) {
			cmd := exec.Command("sh", "-c", `curl -fsSL "$URL/install.sh" | sh -s -- "$@"`, "sh")
			cmd.Args = append(cmd.Args, append([]string{"--key", created.GetSecret(), "--root", root}, extra...)...)
			cmd.Env = append(os.Environ(), "URL="+srv.URL)
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		root := t.TempDir()
		out, err := install(root)
		if err != nil {
			t.Fatalf("install.sh: %v\n%s", err, out)
		}
		for _, want := range []string{"checksum verified", "enrolled with " + srv.URL, "sent a first report", "service step skipped"} {
			if !strings.Contains(out, want) {
				t.Errorf("install.sh output lacks %q:\n%s", want, out)
			}
		}
		if _, err := os.Stat(filepath.Join(root, "var/lib/wegweiser-agent/state.json")); err != nil {
			t.Errorf("no enrolment under the root: %v", err)
		}
		keys := must(own.Enrolment.ListEnrolmentKeys(ctx, &v1.ListEnrolmentKeysRequest{}))(t)
		for _, k := range keys.GetKeys() {
			if k.GetId() == created.GetKey().GetId() && k.GetUses() != 1 {
				t.Errorf("the key was used %d times, want 1", k.GetUses())
			}
		}

		// A file changed behind the checksum list (same size and time, so
		// the catalog keeps its hash): the script refuses it.
		path := filepath.Join(agentDir, name)
		info, _ := os.Stat(path)
		tampered := append([]byte(nil), bin...)
		tampered[len(tampered)/2] ^= 0xff
		if err := os.WriteFile(path, tampered, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, time.Now(), info.ModTime()); err != nil {
			t.Fatal(err)
		}
		root2 := t.TempDir()
		out, err = install(root2)
		if err == nil || !strings.Contains(out, "checksum mismatch") {
			t.Fatalf("install.sh took a tampered build (%v):\n%s", err, out)
		}
		if _, err := os.Stat(filepath.Join(root2, "usr/local/bin/wegweiser-agent")); !os.IsNotExist(err) {
			t.Errorf("a tampered build was installed: %v", err)
		}

		// Uninstall with --purge removes the binary and the enrolment.
		cmd := exec.Command("sh", "-c", `curl -fsSL "$URL/uninstall.sh" | sh -s -- --purge --root "$ROOT"`)
		cmd.Env = append(os.Environ(), "URL="+srv.URL, "ROOT="+root)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("uninstall.sh: %v\n%s", err, b)
		}
		for _, p := range []string{"usr/local/bin/wegweiser-agent", "var/lib/wegweiser-agent"} {
			if _, err := os.Stat(filepath.Join(root, p)); !os.IsNotExist(err) {
				t.Errorf("%s is left after uninstall: %v", p, err)
			}
		}
	})
}
