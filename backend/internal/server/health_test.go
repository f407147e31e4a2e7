package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/healthhistory"
	"github.com/wegweiser/wegweiser/ent/viewer"
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

// entity names a device, group, organisation or (with no id) the tenant.
func entity(kind v1.EntityKind, id string) *v1.EntityRef { return &v1.EntityRef{Kind: kind, Id: id} }

// deviceRef names a device.
func deviceRef(id string) *v1.EntityRef { return entity(v1.EntityKind_ENTITY_KIND_DEVICE, id) }

// waitScored waits until the device has been analysed (and cond, if set,
// holds) and returns its health.
func waitScored(t *testing.T, c *testenv.Clients, id string, cond func(*v1.GetHealthResponse) bool) *v1.GetHealthResponse {
	t.Helper()
	var last *v1.GetHealthResponse
	testenv.Eventually(t, "device "+id+" analysed", func() bool {
		res, err := c.Health.GetHealth(context.Background(), &v1.GetHealthRequest{Entity: deviceRef(id)})
		last = res
		return err == nil && res.GetHealth().GetScored() && (cond == nil || cond(res))
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
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))
		bad := ten.Enrol(t, "bad-disk")
		good := ten.Enrol(t, "all-good")
		submitSnapshot(t, srv, bad.Token, sick("bad-disk"))
		submitSnapshot(t, srv, good.Token, testenv.SampleSnapshot("all-good", 20, 0))

		b := waitScored(t, own, bad.DeviceID, nil)
		if band := b.GetHealth().GetBand(); band != v1.Band_BAND_CRITICAL {
			t.Fatalf("sick device band %s (%s), want critical", band, pjt(b))
		}
		g := waitScored(t, own, good.DeviceID, nil)
		if band := g.GetHealth().GetBand(); band != v1.Band_BAND_HEALTHY {
			f, err := own.Health.ListFindings(ctx, &v1.ListFindingsRequest{Entity: deviceRef(good.DeviceID)})
			t.Fatalf("healthy device band %s; findings: %s (%v)", band, pjt(f), err)
		}
		fs := must(own.Health.ListFindings(ctx, &v1.ListFindingsRequest{Entity: deviceRef(bad.DeviceID)}))(t)
		var sawDisk, sawVolume bool
		for _, f := range fs.GetFindings() {
			if f.GetPenalty() == 0 || len(f.GetEvidence()) == 0 || f.GetRecommendation() == "" {
				t.Errorf("finding without penalty, evidence or recommendation: %s", pj(f))
			}
			id := f.GetCheckId()
			sawDisk = sawDisk || strings.Contains(id, "smart") || strings.Contains(id, "disk")
			sawVolume = sawVolume || strings.Contains(id, "volume") || strings.Contains(id, "free")
		}
		if !sawDisk || !sawVolume {
			t.Fatalf("findings lack the disk or the volume: %s", pjt(fs))
		}
		// The tenant is capped by its critical device, once rolled up.
		tenant := entity(v1.EntityKind_ENTITY_KIND_TENANT, "")
		testenv.Eventually(t, "tenant rolled up", func() bool {
			r, err := own.Health.GetHealth(ctx, &v1.GetHealthRequest{Entity: tenant})
			return err == nil && r.GetHealth().GetScored() && r.GetHealth().GetScore() <= 60
		})
		// A customer cannot ask for the tenant.
		cust := srv.Clients(ten.Login(t, ten.Members[viewer.RoleCustomer]))
		if _, err := cust.Health.GetHealth(ctx, &v1.GetHealthRequest{Entity: tenant}); testenv.Code(err) != "permission_denied" {
			t.Fatalf("customer asking for the tenant: %v", err)
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
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))
		a := ten.Enrol(t, "hist-a")
		submitSnapshot(t, srv, a.Token, testenv.SampleSnapshot("hist-a", 20, 0))
		first := waitScored(t, own, a.DeviceID, nil)
		submitSnapshot(t, srv, a.Token, sick("hist-a"))
		second := waitScored(t, own, a.DeviceID, func(r *v1.GetHealthResponse) bool {
			return !proto.Equal(r.GetHealth().GetComputeTime(), first.GetHealth().GetComputeTime())
		})
		if second.GetHealth().GetScore() >= first.GetHealth().GetScore() {
			t.Fatalf("score did not fall: %s → %s", pj(first), pj(second))
		}
		ex := must(own.Health.ExplainChange(ctx, &v1.ExplainChangeRequest{DeviceId: a.DeviceID}))(t)
		changes := ex.GetChanges()
		if len(changes) == 0 {
			t.Fatalf("no changes explained: %s", pj(ex))
		}
		if c0 := changes[0]; c0.GetKind() != "new" || !strings.HasPrefix(c0.GetText(), "−") {
			t.Fatalf("largest change is not a new loss: %s", pj(c0))
		}
		hist, err := own.Health.GetHistory(ctx, &v1.GetHistoryRequest{Entity: deviceRef(a.DeviceID), Range: v1.HistoryRange_HISTORY_RANGE_7_DAYS})
		if n := len(hist.GetPoints()); err != nil || n != 2 {
			t.Fatalf("%d history points, want 2: %s (%v)", n, pj(hist), err)
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
// critical server (3 of 11 weight, more than a fifth) leave the organisation
// critical, the roll-up counts the server as needing attention and says why
// in words, and rolling up twice gives the same result (docs/security.md
// reliability test 9).
func TestRollUpNeverHidesASickDevice(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "rollup")
		own := srv.Clients(ten.Login(t, ten.Owner))
		for i := 0; i < 8; i++ {
			a := ten.Enrol(t, fmt.Sprintf("ws-%d", i))
			submitSnapshot(t, srv, a.Token, testenv.SampleSnapshot(fmt.Sprintf("ws-%d", i), 10, 0))
		}
		srvDev := ten.Enrol(t, "srv-sick")
		s := sick("srv-sick")
		s.Os.Server = true
		submitSnapshot(t, srv, srvDev.Token, s)
		org := ten.Organisations[0]
		var score int32
		var got *v1.GetHealthResponse
		testenv.Eventually(t, "organisation rolled up with the server", func() bool {
			r, err := own.Health.GetHealth(context.Background(), &v1.GetHealthRequest{Entity: entity(v1.EntityKind_ENTITY_KIND_ORGANISATION, org)})
			if err != nil || !r.GetHealth().GetScored() {
				return false
			}
			if worst := r.GetWorst(); len(worst) == 0 || worst[0].GetHostname() != "srv-sick" {
				return false
			}
			score, got = r.GetHealth().GetScore(), r
			return true
		})
		if score > 49 {
			t.Fatalf("organisation with a critical server scores %v", score)
		}
		h, w := got.GetHealth(), got.GetWorst()[0]
		if h.GetNeedsAttention() < 1 || !strings.Contains(h.GetCapReason(), "srv-sick") || !w.GetNeedsAttention() || !strings.HasPrefix(w.GetReason(), "Critical: ") {
			t.Fatalf("needs attention %d, reason %q, worst %s", h.GetNeedsAttention(), h.GetCapReason(), pj(w))
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
					out = fmt.Sprintf("%d %s %v %v %v %s %s %d", r.Score, r.Band, r.Coverage, r.Freshness, r.Bands, r.CapReason, r.Worst, r.NeedsAttention)
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
