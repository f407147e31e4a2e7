package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/healthhistory"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

const (
	getHealth     = "wegweiser.v1.HealthService/GetHealth"
	listFindings  = "wegweiser.v1.HealthService/ListFindings"
	explainChange = "wegweiser.v1.HealthService/ExplainChange"
	getHistory    = "wegweiser.v1.HealthService/GetHistory"
)

// sick makes a snapshot with a nearly full system volume and a failing disk.
func sick(host string) *agentv1.Snapshot {
	s := testenv.SampleSnapshot(host, 20, 2)
	v := s.Storage.Volumes[0]
	v.FreeBytes = v.SizeBytes * 3 / 100
	s.Storage.Disks = []*agentv1.PhysicalDisk{{Name: "/dev/sda", Model: "WDC WD10EZEX", SizeBytes: v.SizeBytes, MediaType: "hdd",
		Health: "failing", SmartFailurePredicted: true, ReallocatedSectors: 412, PendingSectors: 37}}
	return s
}

func deviceHealth(t *testing.T, url, token, id string) *testenv.Response {
	return testenv.Call(t, url, getHealth, token, map[string]any{"entity": map[string]any{"kind": "ENTITY_KIND_DEVICE", "id": id}})
}

func waitScored(t *testing.T, url, token, id string, cond func(*testenv.Response) bool) *testenv.Response {
	t.Helper()
	var last *testenv.Response
	testenv.Eventually(t, "device "+id+" analysed", func() bool {
		last = deviceHealth(t, url, token, id)
		return last.Code == "ok" && last.Body["health"].(map[string]any)["scored"] == true && (cond == nil || cond(last))
	})
	return last
}

// TestScoresATechnicianWouldAgreeWith: a machine with a nearly full system
// volume and failing SMART is critical with findings that carry evidence; a
// fresh healthy one is healthy; the tenant is held down by the sick one.
func TestScoresATechnicianWouldAgreeWith(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "scores")
		tok := ten.Login(t, ten.Owner)
		bad := ten.Enrol(t, "bad-disk")
		good := ten.Enrol(t, "all-good")
		testenv.Call(t, srv.URL, submit, bad.Token, testenv.SnapshotJSON(sick("bad-disk"))).Must(t)
		testenv.Call(t, srv.URL, submit, good.Token, testenv.SnapshotJSON(testenv.SampleSnapshot("all-good", 20, 0))).Must(t)

		b := waitScored(t, srv.URL, tok, bad.DeviceID, nil)
		if band := b.Str("health.band"); band != "BAND_CRITICAL" {
			t.Fatalf("sick device band %s (%s), want critical", band, truncate(b.Raw))
		}
		g := waitScored(t, srv.URL, tok, good.DeviceID, nil)
		if band := g.Str("health.band"); band != "BAND_HEALTHY" {
			f := testenv.Call(t, srv.URL, listFindings, tok, map[string]any{"entity": map[string]any{"kind": "ENTITY_KIND_DEVICE", "id": good.DeviceID}})
			t.Fatalf("healthy device band %s; findings: %s", band, truncate(f.Raw))
		}
		fs := testenv.Call(t, srv.URL, listFindings, tok, map[string]any{"entity": map[string]any{"kind": "ENTITY_KIND_DEVICE", "id": bad.DeviceID}})
		fs.Must(t)
		var sawDisk, sawVolume bool
		for _, raw := range fs.Body["findings"].([]any) {
			f := raw.(map[string]any)
			if f["penalty"] == nil || f["evidence"] == nil || f["recommendation"] == "" {
				t.Errorf("finding without penalty, evidence or recommendation: %v", f)
			}
			id := f["checkId"].(string)
			sawDisk = sawDisk || strings.Contains(id, "smart") || strings.Contains(id, "disk")
			sawVolume = sawVolume || strings.Contains(id, "volume") || strings.Contains(id, "free")
		}
		if !sawDisk || !sawVolume {
			t.Fatalf("findings lack the disk or the volume: %s", truncate(fs.Raw))
		}
		// The tenant is capped by its critical device, once rolled up.
		testenv.Eventually(t, "tenant rolled up", func() bool {
			r := testenv.Call(t, srv.URL, getHealth, tok, map[string]any{"entity": map[string]any{"kind": "ENTITY_KIND_TENANT"}})
			h, _ := r.Body["health"].(map[string]any)
			return h != nil && h["scored"] == true && h["score"].(float64) <= 60
		})
		// A customer cannot ask for the tenant.
		cust := ten.Login(t, ten.Members[viewer.RoleCustomer])
		if c := testenv.Call(t, srv.URL, getHealth, cust, map[string]any{"entity": map[string]any{"kind": "ENTITY_KIND_TENANT"}}).Code; c != "permission_denied" {
			t.Fatalf("customer asking for the tenant: %s", c)
		}
	})
}

// TestHistoryExplainsTheChange: a device that goes from healthy to sick has
// two history rows and the change names the new findings; analysing it
// again (a job that ran twice) adds no row (docs/security.md reliability test 3).
func TestHistoryExplainsTheChange(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "hist")
		tok := ten.Login(t, ten.Owner)
		a := ten.Enrol(t, "hist-a")
		testenv.Call(t, srv.URL, submit, a.Token, testenv.SnapshotJSON(testenv.SampleSnapshot("hist-a", 20, 0))).Must(t)
		first := waitScored(t, srv.URL, tok, a.DeviceID, nil)
		testenv.Call(t, srv.URL, submit, a.Token, testenv.SnapshotJSON(sick("hist-a"))).Must(t)
		second := waitScored(t, srv.URL, tok, a.DeviceID, func(r *testenv.Response) bool {
			return r.Str("health.computeTime") != first.Str("health.computeTime")
		})
		if second.Body["health"].(map[string]any)["score"].(float64) >= first.Body["health"].(map[string]any)["score"].(float64) {
			t.Fatalf("score did not fall: %s → %s", first.Raw, second.Raw)
		}
		ex := testenv.Call(t, srv.URL, explainChange, tok, map[string]any{"deviceId": a.DeviceID})
		ex.Must(t)
		changes := ex.Body["changes"].([]any)
		if len(changes) == 0 {
			t.Fatalf("no changes explained: %s", ex.Raw)
		}
		c0 := changes[0].(map[string]any)
		if c0["kind"] != "new" || !strings.HasPrefix(c0["text"].(string), "−") {
			t.Fatalf("largest change is not a new loss: %v", c0)
		}
		hist := testenv.Call(t, srv.URL, getHistory, tok, map[string]any{"entity": map[string]any{"kind": "ENTITY_KIND_DEVICE", "id": a.DeviceID}, "range": "HISTORY_RANGE_7_DAYS"})
		if n := len(hist.Body["points"].([]any)); n != 2 {
			t.Fatalf("%d history points, want 2: %s", n, hist.Raw)
		}
		// The job runs again (as after a worker was killed mid-job).
		count := func() int {
			ctx := bypass.AsTenant(context.Background(), uuid.MustParse(ten.ID), "test: act as the tenant")
			n, err := st.Ent.HealthHistory.Query().Where(healthhistory.EntityID(uuid.MustParse(a.DeviceID))).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		for i := 0; i < 2; i++ {
			if err := srv.App.Health.AnalyzeDevice(context.Background(), uuid.MustParse(ten.ID), uuid.MustParse(a.DeviceID), uuid.Nil); err != nil {
				t.Fatal(err)
			}
		}
		if after := count(); after != before {
			t.Fatalf("re-running the analysis added history rows: %d → %d", before, after)
		}
	})
}

// TestRollUpNeverHidesASickDevice: many healthy workstations and one
// critical server still leave the organisation at 60 or below, and rolling
// up twice gives the same result (docs/security.md reliability test 9).
func TestRollUpNeverHidesASickDevice(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "rollup")
		tok := ten.Login(t, ten.Owner)
		for i := 0; i < 8; i++ {
			a := ten.Enrol(t, fmt.Sprintf("ws-%d", i))
			testenv.Call(t, srv.URL, submit, a.Token, testenv.SnapshotJSON(testenv.SampleSnapshot(fmt.Sprintf("ws-%d", i), 10, 0))).Must(t)
		}
		srvDev := ten.Enrol(t, "srv-sick")
		s := sick("srv-sick")
		s.Os.Server = true
		testenv.Call(t, srv.URL, submit, srvDev.Token, testenv.SnapshotJSON(s)).Must(t)
		org := ten.Organisations[0]
		var score float64
		testenv.Eventually(t, "organisation rolled up with the server", func() bool {
			r := testenv.Call(t, srv.URL, getHealth, tok, map[string]any{"entity": map[string]any{"kind": "ENTITY_KIND_ORGANISATION", "id": org}})
			h, _ := r.Body["health"].(map[string]any)
			if h == nil || h["scored"] != true {
				return false
			}
			worst, _ := r.Body["worst"].([]any)
			if len(worst) == 0 || worst[0].(map[string]any)["hostname"] != "srv-sick" {
				return false
			}
			score = h["score"].(float64)
			return true
		})
		if score > 60 {
			t.Fatalf("organisation with a critical server scores %v", score)
		}
		tid, oid := uuid.MustParse(ten.ID), uuid.MustParse(org)
		snapshot := func() string {
			ctx := bypass.AsTenant(context.Background(), tid, "test: act as the tenant")
			h, err := st.Ent.EntityHealth.Query().All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			out := ""
			for _, r := range h {
				if r.EntityID == oid {
					out = fmt.Sprintf("%d %s %v %v %v %s %s", r.Score, r.Band, r.Coverage, r.Freshness, r.Bands, r.CapReason, r.Worst)
				}
			}
			return out
		}
		if err := srv.App.Health.RollUp(context.Background(), tid, "organisation", oid); err != nil {
			t.Fatal(err)
		}
		one := snapshot()
		if err := srv.App.Health.RollUp(context.Background(), tid, "organisation", oid); err != nil {
			t.Fatal(err)
		}
		if two := snapshot(); one != two {
			t.Fatalf("roll-up is not deterministic:\n%s\n%s", one, two)
		}
		// The whole-tenant roll-up computes the same organisation.
		if err := srv.App.Health.RollUpTenant(context.Background(), tid); err != nil {
			t.Fatal(err)
		}
		if three := snapshot(); three != one {
			t.Fatalf("whole-tenant roll-up differs from the organisation's own:\n%s\n%s", one, three)
		}
	})
}
