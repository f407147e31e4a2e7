package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/wegweiser/wegweiser/agent/internal/uplink"
	"github.com/wegweiser/wegweiser/agent/internal/uplink/uplinktest"
	"github.com/wegweiser/wegweiser/agent/internal/version"
	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1/agentv1connect"
	"google.golang.org/protobuf/encoding/protojson"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := realMain(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestEnrollStoresPrivateStateAndNeverTheKey(t *testing.T) {
	srv := uplinktest.New(t)
	srv.UpdateSigningKey = base64.StdEncoding.EncodeToString(make([]byte, ed25519.PublicKeySize))
	srv.Start()
	dir := filepath.Join(t.TempDir(), "state")

	code, out, errs := run(t, "enroll", "--server", srv.URL(), "--key", srv.EnrolmentKey, "--state-dir", dir)
	if code != 0 {
		t.Fatalf("enroll exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "enrolled as device dev-1") {
		t.Errorf("output = %q", out)
	}
	info, err := os.Stat(filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Fatalf("state.json mode = %v, want 0600", info.Mode().Perm())
	}
	b, _ := os.ReadFile(filepath.Join(dir, "state.json"))
	var st uplink.State
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	if st.Server != srv.URL() || st.DeviceID != "dev-1" || st.DeviceToken != srv.DeviceToken {
		t.Fatalf("state = %+v", st)
	}
	if strings.Contains(string(b), srv.EnrolmentKey) {
		t.Fatal("state.json holds the enrolment key")
	}
	if st.UpdateKey != srv.UpdateSigningKey || st.UpdatePublicKey() == nil {
		t.Fatalf("update signing key not pinned: %q", st.UpdateKey)
	}
	if _, err := os.Stat(filepath.Join(dir, "config.json")); err != nil {
		t.Fatalf("config.json: %v", err)
	}

	// A second enrolment needs --force.
	if code, _, errs := run(t, "enroll", "--server", srv.URL(), "--key", srv.EnrolmentKey, "--state-dir", dir); code == 0 || !strings.Contains(errs, "--force") {
		t.Fatalf("second enroll: exit %d, %s", code, errs)
	}

	// once sends with the token, never the key.
	if code, out, errs := run(t, "once", "--state-dir", dir, "--collectors", "os", "--perf-samples", "1"); code != 0 || !strings.Contains(out, "sent") {
		t.Fatalf("once: exit %d, %s %s", code, out, errs)
	}
	if len(srv.StoredIDs()) != 1 || srv.Stored(srv.StoredIDs()[0]).GetOs().GetHostname() == "" {
		t.Fatalf("stored = %v", srv.StoredIDs())
	}
	// Enroll sends the key as its credential (checked before the body is
	// read); every later call carries the device token and never the key.
	for _, r := range srv.Requests() {
		auth := r.Header.Get("Authorization")
		if r.Procedure == agentv1connect.AgentServiceEnrollProcedure {
			if auth != "Bearer "+srv.EnrolmentKey {
				t.Errorf("Enroll: Authorization %q, want the enrolment key", auth)
			}
			continue
		}
		if strings.Contains(auth, srv.EnrolmentKey) {
			t.Errorf("%s carried the enrolment key", r.Procedure)
		}
		if auth != "Bearer "+srv.DeviceToken {
			t.Errorf("%s: Authorization %q", r.Procedure, auth)
		}
	}
}

func TestEnrollWithRefusedKeyExitsWithEnrolAgain(t *testing.T) {
	srv := uplinktest.New(t)
	srv.Start()
	dir := t.TempDir()
	code, _, errs := run(t, "enroll", "--server", srv.URL(), "--key", "wrong", "--state-dir", dir)
	if code != exitEnrolAgain || !strings.Contains(errs, "refused the enrolment key") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "state.json")); !os.IsNotExist(err) {
		t.Fatal("a refused enrolment left a state file")
	}
}

func TestOnceWithoutEnrolment(t *testing.T) {
	code, _, errs := run(t, "once", "--state-dir", t.TempDir())
	if code != exitFailure || !strings.Contains(errs, "not enrolled") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

func TestCollectPrintsSnapshotJSON(t *testing.T) {
	code, out, errs := run(t, "collect", "--collectors", "os,performance", "--perf-samples", "1", "--perf-interval", "100ms", "--size")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var snap agentv1.Snapshot
	if err := protojson.Unmarshal([]byte(out), &snap); err != nil {
		t.Fatalf("not a snapshot: %v\n%s", err, out)
	}
	if snap.GetSnapshotId() == "" || snap.GetOs().GetHostname() == "" || len(snap.GetPerformance().GetMemoryPercent()) != 1 {
		t.Errorf("snapshot = %v", &snap)
	}
	if !strings.Contains(out, "\n  \"snapshotId\"") {
		t.Error("output is not indented")
	}
	if !strings.Contains(errs, "bytes gzipped") {
		t.Errorf("--size printed %q", errs)
	}
}

func TestInstallDryRunChangesNothing(t *testing.T) {
	code, out, errs := run(t, "install", "--dry-run", "--state-dir", "/tmp/ww-state", "--binary", "/opt/ww/wegweiser-agent")
	switch runtime.GOOS {
	case "linux":
		if code != 0 || !strings.Contains(out, "/opt/ww/wegweiser-agent run --state-dir /tmp/ww-state") {
			t.Fatalf("exit %d: %s %s", code, out, errs)
		}
		if _, err := os.Stat("/opt/ww/wegweiser-agent"); err == nil {
			t.Fatal("dry run copied the binary")
		}
	}
	code, out, _ = run(t, "uninstall", "--dry-run", "--purge", "--state-dir", "/tmp/ww-state")
	if runtime.GOOS == "linux" && (code != 0 || !strings.Contains(out, "remove /tmp/ww-state and everything in it")) {
		t.Fatalf("uninstall: exit %d: %s", code, out)
	}
}

func TestUsageAndVersion(t *testing.T) {
	if code, _, _ := run(t); code != exitUsage {
		t.Errorf("no args: exit %d", code)
	}
	if code, _, _ := run(t, "frobnicate"); code != exitUsage {
		t.Errorf("unknown: exit %d", code)
	}
	if code, out, _ := run(t, "version"); code != 0 || !strings.HasPrefix(out, "wegweiser-agent ") {
		t.Errorf("version: %d %q", code, out)
	}
	if code, _, _ := run(t, "enroll", "--state-dir", t.TempDir()); code != exitUsage {
		t.Errorf("enroll without flags: exit %d", code)
	}
}

// TestVersionCheck: the self-check an update runs on a new binary fails
// without a usable state and prints the bare version with one.
func TestVersionCheck(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if code, _, errs := run(t, "version", "--check", "--state-dir", dir); code != exitFailure || !strings.Contains(errs, "not enrolled") {
		t.Fatalf("unenrolled: exit %d, %s", code, errs)
	}
	if err := uplink.SaveState(dir, &uplink.State{Server: "https://x", DeviceID: "d", DeviceToken: "t", CAFile: filepath.Join(dir, "missing.pem")}); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, "version", "--check", "--state-dir", dir); code != exitFailure || !strings.Contains(errs, "CA file") {
		t.Fatalf("missing CA file: exit %d, %s", code, errs)
	}
	if err := uplink.SaveState(dir, &uplink.State{Server: "https://x", DeviceID: "d", DeviceToken: "t"}); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "version", "--check", "--state-dir", dir)
	if code != exitOK || out != version.Version+"\n" {
		t.Fatalf("exit %d, out %q, err %s", code, out, errs)
	}
}

// TestInstallPassesNoSelfUpdate: the installed service keeps the flag.
func TestInstallPassesNoSelfUpdate(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the plan shown is the Linux one")
	}
	code, out, errs := run(t, "install", "--dry-run", "--no-self-update", "--state-dir", t.TempDir())
	if code != exitOK || !strings.Contains(out, "--no-self-update") {
		t.Fatalf("exit %d, %s%s", code, out, errs)
	}
}
