package collector

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

func TestParseLynisReport(t *testing.T) {
	h, err := parseLynisReport(fixture(t, "lynis-report.dat"))
	if err != nil {
		t.Fatal(err)
	}
	if h.Tool != "lynis" || h.Version != "3.0.9" || h.HardeningIndex != 64 || len(h.Warnings) != 2 || len(h.Suggestions) != 3 {
		t.Fatalf("audit = %v", h)
	}
	if h.Warnings[0] != "PKGS-7392: Found one or more vulnerable packages." || h.Suggestions[1] != "SSH-7408: Consider hardening SSH configuration (AllowTcpForwarding (set YES to NO))" {
		t.Errorf("items = %q %q", h.Warnings[0], h.Suggestions[1])
	}
	if want := time.Date(2024, 6, 20, 2, 3, 47, 0, time.Local); !h.AuditTime.AsTime().Equal(want) {
		t.Errorf("audit time = %v", h.AuditTime.AsTime())
	}
	if _, err := parseLynisReport([]byte("hello=world\n")); err == nil {
		t.Error("a file without lynis_version was accepted")
	}
}

func TestParseOsqueryJSON(t *testing.T) {
	rows, err := parseOsqueryJSON(fixture(t, "osquery-listening-ports.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0].Columns["name"] != "sshd" || rows[0].Columns["port"] != "22" || rows[3].Columns["name"] != "" {
		t.Fatalf("rows = %v", rows)
	}
	if _, err := parseOsqueryJSON([]byte("Error: near \"SELEC\": syntax error")); err == nil {
		t.Error("an error message was taken for rows")
	}
}

func TestRunnerIsolatesFailuresTimeoutsAndPanics(t *testing.T) {
	register(Collector{Name: "test-fails", Collect: func(context.Context, *Env, *agentv1.Snapshot) error {
		return errors.New("boom")
	}})
	register(Collector{Name: "test-panics", Collect: func(context.Context, *Env, *agentv1.Snapshot) error {
		panic("kaputt")
	}})
	register(Collector{Name: "test-slow", Timeout: 50 * time.Millisecond, Collect: func(ctx context.Context, _ *Env, _ *agentv1.Snapshot) error {
		<-ctx.Done()
		return ctx.Err()
	}})
	register(Collector{Name: "test-absent", Collect: func(context.Context, *Env, *agentv1.Snapshot) error { return ErrNotApplicable }})
	calls := 0
	register(Collector{Name: "test-cached", CacheFor: time.Hour, Collect: func(_ context.Context, _ *Env, out *agentv1.Snapshot) error {
		calls++
		out.Patches = &agentv1.Patches{AutomaticUpdates: true}
		return nil
	}})
	register(Collector{Name: "test-ok", Collect: func(_ context.Context, _ *Env, out *agentv1.Snapshot) error {
		out.PendingReboot = &agentv1.PendingReboot{Pending: true}
		return nil
	}})

	var r Runner
	names := []string{"test-fails", "test-panics", "test-slow", "test-absent", "test-cached", "test-ok", "no-such"}
	s := r.Collect(context.Background(), &Env{}, names)
	errs := map[string]string{}
	for _, e := range s.Errors {
		errs[e.Collector] = e.Message
	}
	if len(errs) != 4 || errs["test-fails"] != "boom" || !strings.Contains(errs["test-panics"], "kaputt") ||
		!strings.Contains(errs["test-slow"], "timed out") || errs["no-such"] != "unknown collector" {
		t.Fatalf("errors = %v", errs)
	}
	if !s.GetPendingReboot().GetPending() || !s.GetPatches().GetAutomaticUpdates() {
		t.Fatalf("good collectors' data lost: %v", s)
	}
	if len(s.SnapshotId) != 36 || s.CollectedTime == nil || s.AgentVersion == "" {
		t.Fatalf("header = %v", s)
	}
	s2 := r.Collect(context.Background(), &Env{}, []string{"test-cached"})
	if calls != 1 || !s2.GetPatches().GetAutomaticUpdates() || s2.SnapshotId == s.SnapshotId {
		t.Fatalf("cache: calls=%d snapshot=%v", calls, s2)
	}
}

// TestCollectThisMachine runs the real collectors that are quick
// everywhere and checks the basics.
func TestCollectThisMachine(t *testing.T) {
	var r Runner
	env := &Env{PerfSamples: 1, PerfInterval: 100 * time.Millisecond}
	s := r.Collect(context.Background(), env, []string{"os", "network", "performance", "lynis"})
	for _, e := range s.Errors {
		if e.Collector == "os" || e.Collector == "performance" {
			t.Errorf("%s failed: %s", e.Collector, e.Message)
		}
	}
	want := map[string]string{"linux": "linux", "darwin": "macos", "windows": "windows"}[runtime.GOOS]
	if want != "" && s.GetOs().GetPlatform() != want {
		t.Errorf("platform = %q", s.GetOs().GetPlatform())
	}
	if len(s.GetPerformance().GetMemoryPercent()) != 1 {
		t.Errorf("performance = %v", s.GetPerformance())
	}
}

func TestNamesAreTheContractsCollectors(t *testing.T) {
	want := []string{"os", "hardware", "storage", "network", "performance", "software", "services",
		"reboot", "patches", "security", "eventlogs", "crashes", "lynis", "osquery"}
	got := Names()
	for i, n := range want {
		if i >= len(got) || got[i] != n {
			t.Fatalf("Names() = %v", got)
		}
	}
}

func TestNewIDIsUUIDv4(t *testing.T) {
	a, b := NewID(), NewID()
	if a == b || len(a) != 36 || a[14] != '4' || !strings.Contains("89ab", string(a[19])) {
		t.Fatalf("ids %s %s", a, b)
	}
}
