package demo_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/demo"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/healthhistory"
)

// TestDemoHasHistory seeds the demo as `wegweiser serve --demo` does and
// checks that its history tells the stories: 90 days of points per device,
// the file server's data volume filling, the regression of one
// organisation, explainable changes — and that seeding again adds nothing.
func TestDemoHasHistory(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ctx := context.Background()
		creds, enrolments, err := demo.Seed(ctx, st, srv.App.Identity, srv.App.Enrolment)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Populate(ctx, srv.App.Handler(), srv.App.Health, creds.TenantID, enrolments); err != nil {
			t.Fatal(err)
		}
		testenv.SettleJobs(t, srv)
		tctx := bypass.AsTenant(ctx, creds.TenantID, "test: read the demo tenant")
		hs := srv.App.Health

		devs, err := st.Ent.Device.Query().All(tctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(devs) != 32 {
			t.Fatalf("demo devices: %d, want 32", len(devs))
		}
		byHost := map[string]*ent.Device{}
		for _, d := range devs {
			byHost[d.Hostname] = d
			rows := deviceHistory(tctx, t, st, d.ID)
			span := rows[len(rows)-1].ComputedAt.Sub(rows[0].ComputedAt)
			if len(rows) < 60 || span < 85*24*time.Hour {
				t.Errorf("%s: %d history points over %s, want at least 60 over 85 days", d.Hostname, len(rows), span)
			}
			// The latest point is the device's current health.
			cur, err := hs.Get(tctx, health.Ref{Kind: health.KindDevice, ID: d.ID})
			if err != nil {
				t.Fatal(err)
			}
			if last := rows[len(rows)-1]; last.Score != cur.Score || analyzer.Band(last.Band) != cur.Band {
				t.Errorf("%s: latest history point %d %s, current health %d %s", d.Hostname, last.Score, last.Band, cur.Score, cur.Band)
			}
		}

		// The file server's data volume fills: free space passes, then
		// warns, then fails, never the other way, and the score falls.
		fs := byHost[demo.FileServer]
		if fs == nil {
			t.Fatalf("no file server %s", demo.FileServer)
		}
		rows := deviceHistory(tctx, t, st, fs.ID)
		rank := map[analyzer.Status]int{"": 0, analyzer.Warn: 1, analyzer.Fail: 2}
		var seq []analyzer.Status
		for _, r := range rows {
			var fsx []analyzer.Finding
			if err := json.Unmarshal(r.Findings, &fsx); err != nil {
				t.Fatal(err)
			}
			var st analyzer.Status
			for _, f := range fsx {
				if f.CheckID == "storage.volume_free_space" && strings.Contains(f.Subject, "D:") {
					st = f.Status
				}
			}
			if n := len(seq); n == 0 || seq[n-1] != st {
				seq = append(seq, st)
			}
		}
		if len(seq) != 3 || seq[0] != "" || rank[seq[1]] != 1 || rank[seq[2]] != 2 {
			t.Errorf("file server D: free space over time: %q, want pass, warn, fail", seq)
		}
		if first, last := rows[0].Score, rows[len(rows)-1].Score; first <= last {
			t.Errorf("file server score went from %d to %d, want down", first, last)
		}

		// One organisation regressed against its baseline; the others not.
		orgs, err := hs.Organisations(tctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range orgs {
			pts, err := hs.History(tctx, health.Ref{Kind: health.KindOrganisation, ID: o.ID}, 100*24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if len(pts) < 85 || pts[len(pts)-1].Score != o.View.Score {
				t.Errorf("%s: %d history points, the latest %+v; want at least 85 ending at the current score %d", o.Name, len(pts), pts[len(pts)-1], o.View.Score)
			}
			want := o.Name == demo.RegressionOrganisation
			if o.Regressed != want {
				t.Errorf("%s: score %d, baseline %.1f, regressed %t; want regressed %t", o.Name, o.View.Score, o.Baseline, o.Regressed, want)
			}
		}

		// What changed: Defender turned off on ACME-SRV-007 68 days ago,
		// and the bad update filling C: of a Harbour machine since five
		// days ago.
		now := time.Now()
		for _, c := range []struct {
			host, check string
			from, to    time.Time
		}{
			{"ACME-SRV-007", "security.antivirus", now.Add(-70 * 24 * time.Hour), now.Add(-66 * 24 * time.Hour)},
			{"HARB-WS-006", "storage.volume_free_space", now.Add(-7 * 24 * time.Hour), time.Time{}},
		} {
			ex, err := hs.Explain(tctx, byHost[c.host].ID, c.from, c.to)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, ch := range ex.Changes {
				found = found || (ch.CheckID == c.check && ch.Kind == "new" && ch.Delta < 0)
			}
			if !found || ex.ToScore >= ex.FromScore {
				t.Errorf("%s %s → %s: %d → %d, changes %+v; want a lower score and a new %s", c.host,
					c.from.Format(time.DateOnly), c.to.Format(time.DateOnly), ex.FromScore, ex.ToScore, ex.Changes, c.check)
			}
		}

		// Seeding again, and backfilling again, duplicate nothing.
		before, err := st.Ent.HealthHistory.Query().Count(tctx)
		if err != nil {
			t.Fatal(err)
		}
		again, more, err := demo.Seed(ctx, st, srv.App.Identity, srv.App.Enrolment)
		if err != nil {
			t.Fatal(err)
		}
		if again.Created || again.TenantID != creds.TenantID || len(more) != 0 {
			t.Errorf("second seed: created %t, tenant %s, %d enrolments; want the same tenant, nothing new", again.Created, again.TenantID, len(more))
		}
		if stats, err := demo.Populate(ctx, srv.App.Handler(), hs, again.TenantID, more); err != nil || stats.Devices+stats.RollUps != 0 {
			t.Fatalf("second populate: %+v, %v; want nothing", stats, err)
		}
		fleets, err := demo.Fleets()
		if err != nil {
			t.Fatal(err)
		}
		var past []health.PastDevice
		for _, org := range fleets {
			for _, group := range org {
				for _, m := range group {
					past = append(past, health.PastDevice{DeviceID: byHost[m.Hostname].ID, Snapshots: demo.History(m, time.Now().UTC())})
				}
			}
		}
		stats, err := hs.Backfill(ctx, creds.TenantID, past)
		if err != nil {
			t.Fatal(err)
		}
		after, err := st.Ent.HealthHistory.Query().Count(tctx)
		if err != nil {
			t.Fatal(err)
		}
		if stats.Devices+stats.RollUps != 0 || after != before {
			t.Errorf("second backfill wrote %+v; history rows %d → %d", stats, before, after)
		}
	})
}

// deviceHistory returns a device's history rows, oldest first.
func deviceHistory(ctx context.Context, t *testing.T, st *store.Store, id uuid.UUID) []*ent.HealthHistory {
	t.Helper()
	rows, err := st.Ent.HealthHistory.Query().Where(healthhistory.KindEQ(healthhistory.KindDevice), healthhistory.EntityID(id)).
		Order(ent.Asc(healthhistory.FieldComputedAt), ent.Asc(healthhistory.FieldID)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("device %s has no history", id)
	}
	return rows
}
