package update_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wegweiser/wegweiser/agent/internal/update"
	"github.com/wegweiser/wegweiser/agent/internal/uplink"
	"github.com/wegweiser/wegweiser/agent/internal/uplink/uplinktest"
	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// newVersion is the version of the agent built for these tests.
const newVersion = "2.0.0"

// agentBin is the real agent, built once with version newVersion.
var agentBin []byte

func TestMain(m *testing.M) {
	os.Exit(func() int {
		if runtime.GOOS == "windows" {
			fmt.Println("skipped: the tests use shell scripts as broken builds")
			return 0
		}
		dir, err := os.MkdirTemp("", "wegweiser-update-test-")
		if err != nil {
			fmt.Println(err)
			return 1
		}
		defer func() { _ = os.RemoveAll(dir) }()
		bin := filepath.Join(dir, "wegweiser-agent")
		cmd := exec.Command("go", "build", "-o", bin,
			"-ldflags", "-X github.com/wegweiser/wegweiser/agent/internal/version.Version="+newVersion,
			"github.com/wegweiser/wegweiser/agent/cmd/wegweiser-agent")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Println("build the agent:", err)
			return 1
		}
		if agentBin, err = os.ReadFile(bin); err != nil {
			fmt.Println(err)
			return 1
		}
		return m.Run()
	}())
}

// oldBinary stands in for the running 1.0.0 agent.
const oldBinary = "#!/bin/sh\necho 1.0.0\n"

// fixture is an enrolled state folder, the running binary, the fake
// server (which also serves downloads) and the signing key.
type fixture struct {
	t        *testing.T
	dir      string
	stateDir string
	exe      string
	srv      *uplinktest.Server
	pub      ed25519.PublicKey
	priv     ed25519.PrivateKey
	now      time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, dir: t.TempDir(), now: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}
	f.stateDir = filepath.Join(f.dir, "state")
	f.exe = filepath.Join(f.dir, "bin", "wegweiser-agent")
	if err := os.MkdirAll(filepath.Dir(f.exe), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.exe, []byte(oldBinary), 0o755); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.pub, f.priv, err = ed25519.GenerateKey(nil); err != nil {
		t.Fatal(err)
	}
	f.srv = uplinktest.New(t)
	f.srv.Start()
	if err := uplink.SaveState(f.stateDir, &uplink.State{
		Server: f.srv.URL(), DeviceID: "dev-1", DeviceToken: f.srv.DeviceToken,
		UpdateKey: base64.StdEncoding.EncodeToString(f.pub),
	}); err != nil {
		t.Fatal(err)
	}
	return f
}

// updater is the updater of a running agent of version current.
func (f *fixture) updater(current string) *update.Updater {
	return &update.Updater{
		StateDir: f.stateDir, Exe: f.exe, Current: current, PublicKey: f.pub,
		HTTPClient: f.srv.Client(), Now: func() time.Time { return f.now },
		Log: slog.New(slog.NewTextHandler(f.t.Output(), nil)),
	}
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// offer publishes data under the file name of version and returns the
// offer, signed with the fixture's key.
func (f *fixture) offer(version string, data []byte) *agentv1.AgentUpdate {
	name := "wegweiser-agent_" + version + "_" + runtime.GOOS + "_" + runtime.GOARCH
	return &agentv1.AgentUpdate{
		Version: version, Url: f.srv.ServeFile(name, data), Sha256: sum(data), Size: int64(len(data)),
		Signature: sign(f.priv, sum(data), name),
	}
}

func sign(key ed25519.PrivateKey, sha, name string) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(key, update.SignedLine(sha, name)))
}

func fileName(o *agentv1.AgentUpdate) string { return filepath.Base(o.GetUrl()) }

func (f *fixture) record() *update.Record {
	f.t.Helper()
	r, err := update.LoadRecord(f.stateDir)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// binaryIs fails unless the installed binary holds want.
func (f *fixture) binaryIs(want []byte, what string) {
	f.t.Helper()
	got, err := os.ReadFile(f.exe)
	if err != nil {
		f.t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		f.t.Fatalf("installed binary is not %s (%d bytes)", what, len(got))
	}
}

// noLeftovers fails when a download was left next to the binary.
func (f *fixture) noLeftovers() {
	f.t.Helper()
	entries, err := os.ReadDir(filepath.Dir(f.exe))
	if err != nil {
		f.t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".new") {
			f.t.Fatalf("left behind: %s", e.Name())
		}
	}
}

// waitFor polls cond; the limit only bounds a broken test.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestUpdateAppliedAndNewVersionReports: the real agent build is
// downloaded, verified, self-checked and swapped in (the old binary kept
// as .previous). Started, the new version heartbeats at once with its
// version, which clears the marker; the next offer in that heartbeat's
// answer it applies itself and re-executes into the newer binary.
func TestUpdateAppliedAndNewVersionReports(t *testing.T) {
	f := newFixture(t)
	offer := f.offer(newVersion, agentBin)
	if err := f.updater("1.0.0").Apply(context.Background(), offer); !errors.Is(err, update.ErrRestart) {
		t.Fatalf("Apply = %v, want ErrRestart", err)
	}
	f.binaryIs(agentBin, "the new agent")
	if prev, err := os.ReadFile(update.Previous(f.exe)); err != nil || string(prev) != oldBinary {
		t.Fatalf("previous binary = %q, %v", prev, err)
	}
	f.noLeftovers()
	if p := f.record().Pending; p == nil || p.Version != newVersion || p.From != "1.0.0" {
		t.Fatalf("marker = %+v", p)
	}

	// The server now offers 2.1.0, a build that records how it was
	// started.
	restarted := filepath.Join(f.dir, "restarted")
	next := []byte("#!/bin/sh\nif [ \"$1\" = version ]; then echo 2.1.0; exit 0; fi\necho \"$@\" > '" + restarted + "'\n")
	nextOffer := f.offer("2.1.0", next)
	f.srv.SetUpdate(nextOffer)
	// The service manager (here: the test) starts the new binary.
	cmd := exec.Command(f.exe, "run", "--state-dir", f.stateDir, "--collectors", "os", "--perf-samples", "1", "--perf-interval", "0s")
	cmd.Stdout, cmd.Stderr = t.Output(), t.Output()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		if err := <-exited; err != nil {
			t.Logf("agent: %v", err)
		}
	})
	waitFor(t, "a heartbeat of the new version", func() bool {
		for _, hb := range f.srv.Heartbeats() {
			if hb.GetAgentVersion() == newVersion && hb.GetOs() == runtime.GOOS && hb.GetArch() == runtime.GOARCH {
				return true
			}
		}
		return false
	})
	// The agent re-executes (same process) into 2.1.0, which exits.
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("the agent process ended with %v", err)
		}
	case <-time.After(2 * time.Minute): // only bounds a broken test
		t.Fatal("the agent did not restart into 2.1.0")
	}
	exited <- nil
	b, err := os.ReadFile(restarted)
	if err != nil || !strings.HasPrefix(string(b), "run --state-dir "+f.stateDir) {
		t.Fatalf("the new binary was not started in place: %q, %v", b, err)
	}
	f.binaryIs(next, "2.1.0")
	if prev, err := os.ReadFile(update.Previous(f.exe)); err != nil || !bytes.Equal(prev, agentBin) {
		t.Fatalf("previous binary is not 2.0.0: %v", err)
	}
	if p := f.record().Pending; p == nil || p.Version != "2.1.0" || p.From != newVersion || p.Starts != 0 {
		t.Fatalf("marker = %+v (2.0.0 confirmed, 2.1.0 pending)", p)
	}
	if n := f.srv.Downloads(fileName(offer)); n != 1 {
		t.Fatalf("%d downloads of 2.0.0, want 1", n)
	}
}

// TestBadChecksumIsRefused: a download that does not match the offered
// SHA-256 (or size) is never installed, and the next attempt waits for a
// growing back-off instead of downloading at every heartbeat.
func TestBadChecksumIsRefused(t *testing.T) {
	f := newFixture(t)
	u := f.updater("1.0.0")
	offer := f.offer(newVersion, agentBin)
	// The server serves other bytes than the signed checksum says.
	tampered := append([]byte(nil), agentBin...)
	tampered[len(tampered)/2] ^= 0xff
	f.srv.ServeFile(fileName(offer), tampered)
	err := u.Apply(context.Background(), offer)
	if err == nil || errors.Is(err, update.ErrRestart) || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("Apply = %v, want a checksum mismatch", err)
	}
	f.binaryIs([]byte(oldBinary), "the old one")
	f.noLeftovers()
	r := f.record()
	if r.Pending != nil || r.Failures != 1 || !r.RetryAfter.Equal(f.now.Add(update.DefaultBackoff)) {
		t.Fatalf("record = %+v", r)
	}
	// Heartbeats within the back-off do not download again.
	if err := u.Apply(context.Background(), offer); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Downloads(fileName(offer)); n != 1 {
		t.Fatalf("%d downloads within the back-off, want 1", n)
	}
	// After it, one more try; the next wait is twice as long.
	f.now = f.now.Add(update.DefaultBackoff)
	if err := u.Apply(context.Background(), offer); err == nil {
		t.Fatal("tampered build accepted on the second try")
	}
	if n := f.srv.Downloads(fileName(offer)); n != 2 {
		t.Fatalf("%d downloads, want 2", n)
	}
	if r := f.record(); r.Failures != 2 || !r.RetryAfter.Equal(f.now.Add(2*update.DefaultBackoff)) {
		t.Fatalf("record = %+v", r)
	}
	// A longer body than offered is cut off and refused as well.
	f.now = f.now.Add(update.MaxBackoff)
	f.srv.ServeFile(fileName(offer), append(append([]byte(nil), agentBin...), 0))
	if err := u.Apply(context.Background(), offer); err == nil {
		t.Fatal("oversized download accepted")
	}
	f.binaryIs([]byte(oldBinary), "the old one")
	// The genuine build then goes through.
	f.now = f.now.Add(update.MaxBackoff)
	f.srv.ServeFile(fileName(offer), agentBin)
	if err := u.Apply(context.Background(), offer); !errors.Is(err, update.ErrRestart) {
		t.Fatalf("Apply = %v, want ErrRestart", err)
	}
	f.binaryIs(agentBin, "the new agent")
}

// TestBadSignatureIsRefused: an offer not signed by the pinned key, or
// signed for another file, is refused before anything is downloaded.
func TestBadSignatureIsRefused(t *testing.T) {
	f := newFixture(t)
	_, other, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	offer := f.offer(newVersion, agentBin)
	cases := map[string]string{
		"another key":      sign(other, offer.GetSha256(), fileName(offer)),
		"another file":     sign(f.priv, offer.GetSha256(), "wegweiser-agent_"+newVersion+"_windows_amd64.exe"),
		"another checksum": sign(f.priv, sum([]byte("x")), fileName(offer)),
		"not base64":       "%%%",
		"missing":          "",
	}
	for name, sig := range cases {
		f.now = f.now.Add(update.MaxBackoff)
		bad := &agentv1.AgentUpdate{Version: offer.GetVersion(), Url: offer.GetUrl(), Sha256: offer.GetSha256(), Size: offer.GetSize(), Signature: sig}
		err := f.updater("1.0.0").Apply(context.Background(), bad)
		if err == nil || !strings.Contains(err.Error(), "signature") {
			t.Fatalf("%s: Apply = %v, want a signature error", name, err)
		}
	}
	if n := f.srv.Downloads(fileName(offer)); n != 0 {
		t.Fatalf("%d downloads of unsigned builds, want 0", n)
	}
	f.binaryIs([]byte(oldBinary), "the old one")
	// An agent enrolled without a key takes no update at all.
	u := f.updater("1.0.0")
	u.PublicKey = nil
	if err := u.Apply(context.Background(), offer); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Downloads(fileName(offer)); n != 0 {
		t.Fatalf("%d downloads without a pinned key, want 0", n)
	}
}

// TestFailedSelfCheckIsNeverSwappedIn: a signed build that fails its
// self-check, or reports another version than offered, is not installed
// and that version is never tried again.
func TestFailedSelfCheckIsNeverSwappedIn(t *testing.T) {
	f := newFixture(t)
	broken := f.offer("2.1.0", []byte("#!/bin/sh\necho cannot read the state >&2\nexit 1\n"))
	err := f.updater("1.0.0").Apply(context.Background(), broken)
	if err == nil || !strings.Contains(err.Error(), "self-check") {
		t.Fatalf("Apply = %v, want a self-check failure", err)
	}
	// The real 2.0.0 build offered as 3.0.0 says otherwise.
	mislabelled := f.offer("3.0.0", agentBin)
	err = f.updater("1.0.0").Apply(context.Background(), mislabelled)
	if err == nil || !strings.Contains(err.Error(), "reports version") {
		t.Fatalf("Apply = %v, want a version mismatch", err)
	}
	f.binaryIs([]byte(oldBinary), "the old one")
	f.noLeftovers()
	if _, err := os.Stat(update.Previous(f.exe)); err == nil {
		t.Fatal("a .previous binary exists although nothing was swapped")
	}
	r := f.record()
	if r.Pending != nil || r.Refused["2.1.0"] == "" || r.Refused["3.0.0"] == "" {
		t.Fatalf("record = %+v", r)
	}
	// Never again, however long after.
	f.now = f.now.Add(10 * update.MaxBackoff)
	for _, o := range []*agentv1.AgentUpdate{broken, mislabelled} {
		if err := f.updater("1.0.0").Apply(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		if n := f.srv.Downloads(fileName(o)); n != 1 {
			t.Fatalf("%s downloaded %d times, want 1", o.GetVersion(), n)
		}
	}
}

// TestCrashAfterSwapIsRolledBack: a build that passes its self-check but
// never reaches a heartbeat is counted at each start; the start after
// MaxStarts restores the previous binary, restarts into it and never
// takes that version again.
func TestCrashAfterSwapIsRolledBack(t *testing.T) {
	f := newFixture(t)
	crashing := []byte("#!/bin/sh\nif [ \"$1\" = version ]; then echo " + newVersion + "; exit 0; fi\nexit 1\n")
	offer := f.offer(newVersion, crashing)
	if err := f.updater("1.0.0").Apply(context.Background(), offer); !errors.Is(err, update.ErrRestart) {
		t.Fatalf("Apply = %v, want ErrRestart", err)
	}
	f.binaryIs(crashing, "the new build")
	// The new version starts and dies before its first heartbeat.
	for i := 1; i <= update.MaxStarts; i++ {
		pending, err := f.updater(newVersion).Startup()
		if err != nil || !pending {
			t.Fatalf("start %d: pending %v, err %v", i, pending, err)
		}
		if got := f.record().Pending.Starts; got != i {
			t.Fatalf("start %d counted as %d", i, got)
		}
	}
	if _, err := f.updater(newVersion).Startup(); !errors.Is(err, update.ErrRestart) {
		t.Fatalf("start %d: %v, want a rollback (ErrRestart)", update.MaxStarts+1, err)
	}
	f.binaryIs([]byte(oldBinary), "the previous one")
	r := f.record()
	if r.Pending != nil || !strings.Contains(r.Refused[newVersion], "rolled back to 1.0.0") {
		t.Fatalf("record = %+v", r)
	}
	// The old version starts normally and declines the same offer.
	old := f.updater("1.0.0")
	if pending, err := old.Startup(); pending || err != nil {
		t.Fatalf("old version start: pending %v, err %v", pending, err)
	}
	f.now = f.now.Add(10 * update.MaxBackoff)
	if err := old.Apply(context.Background(), offer); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Downloads(fileName(offer)); n != 1 {
		t.Fatalf("%d downloads, want 1", n)
	}
	f.binaryIs([]byte(oldBinary), "the previous one")
}

// TestNoDowngrade: the same version, an older one or something that is no
// version is never downloaded; a disabled updater takes nothing.
func TestNoDowngrade(t *testing.T) {
	f := newFixture(t)
	u := f.updater(newVersion)
	for _, v := range []string{newVersion, "v" + newVersion, "1.9.9", "1.0.0", "latest", ""} {
		o := f.offer(v, agentBin)
		if err := u.Apply(context.Background(), o); err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if n := f.srv.Downloads(fileName(o)); n != 0 {
			t.Fatalf("%q downloaded by a %s agent", v, newVersion)
		}
	}
	off := f.updater("1.0.0")
	off.Disabled = true
	o := f.offer(newVersion, agentBin)
	if err := off.Apply(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Downloads(fileName(o)); n != 0 {
		t.Fatal("a disabled updater downloaded")
	}
	f.binaryIs([]byte(oldBinary), "the old one")
}

// TestCrashLoopRollsBackTheRealAgent: the real new agent is killed three
// times before it reaches the server; its fourth start restores the
// previous binary and re-executes into it.
func TestCrashLoopRollsBackTheRealAgent(t *testing.T) {
	f := newFixture(t)
	restarted := filepath.Join(f.dir, "restarted")
	old := []byte("#!/bin/sh\nif [ \"$1\" = version ]; then echo 1.0.0; exit 0; fi\necho \"$@\" > '" + restarted + "'\n")
	if err := os.WriteFile(f.exe, old, 0o755); err != nil {
		t.Fatal(err)
	}
	offer := f.offer(newVersion, agentBin)
	if err := f.updater("1.0.0").Apply(context.Background(), offer); !errors.Is(err, update.ErrRestart) {
		t.Fatalf("Apply = %v, want ErrRestart", err)
	}
	f.srv.Stop() // the new version never reaches the server
	start := func() (*exec.Cmd, chan error) {
		cmd := exec.Command(f.exe, "run", "--state-dir", f.stateDir, "--collectors", "os", "--perf-samples", "1", "--perf-interval", "0s")
		cmd.Stdout, cmd.Stderr = t.Output(), t.Output()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		return cmd, done
	}
	for i := 1; i <= update.MaxStarts; i++ {
		cmd, done := start()
		waitFor(t, fmt.Sprintf("start %d counted", i), func() bool {
			p := f.record().Pending
			return p != nil && p.Starts == i
		})
		_ = cmd.Process.Kill()
		if err := <-done; err == nil {
			t.Fatalf("start %d ended by itself", i)
		}
	}
	f.binaryIs(agentBin, "the new agent (not yet rolled back)")
	cmd, done := start()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the rolled-back agent ended with %v", err)
		}
	case <-time.After(2 * time.Minute): // only bounds a broken test
		_ = cmd.Process.Kill()
		t.Fatal("the fourth start did not roll back and restart")
	}
	b, err := os.ReadFile(restarted)
	if err != nil || !strings.HasPrefix(string(b), "run --state-dir "+f.stateDir) {
		t.Fatalf("the previous binary was not started in place: %q, %v", b, err)
	}
	f.binaryIs(old, "the previous one")
	if r := f.record(); r.Pending != nil || r.Refused[newVersion] == "" {
		t.Fatalf("record = %+v", r)
	}
}
