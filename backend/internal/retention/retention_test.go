package retention_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/retention"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/healthhistory"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

type fixture struct {
	tenant                         uuid.UUID
	oldSnap, midSnap, newSnap      uuid.UUID
	lonelySnap                     uuid.UUID
	oldHistory, newestOldHistory   uuid.UUID
	oldNote, freshNote             uuid.UUID
	oldAudit, freshAudit           uuid.UUID
	oldAICall, freshAICall         uuid.UUID
	oldBulk, freshBulk, oldRunning uuid.UUID
	spentToken, liveToken          uuid.UUID
	oldDelivery, freshDelivery     uuid.UUID
	receiptOfOldNote, receiptFresh uuid.UUID
	oldEvent, freshEvent           uuid.UUID
	oldCrash, freshCrash           uuid.UUID
}

// seed writes one tenant's records at known ages.
func seed(t *testing.T, st *store.Store, now time.Time) fixture {
	t.Helper()
	ctx := bypass.Allow(context.Background(), "test: set up and inspect rows directly")
	c := st.Ent
	ago := func(days int) time.Time { return now.Add(-time.Duration(days) * 24 * time.Hour) }
	var f fixture
	ten, err := c.Tenant.Create().SetName("retention").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.tenant = ten.ID
	org, dev, lonely := uuid.New(), uuid.New(), uuid.New()
	snap := func(device uuid.UUID, days int) uuid.UUID {
		s, err := c.Snapshot.Create().SetTenantID(ten.ID).SetDeviceID(device).SetOrganisationID(org).SetSnapshotID(uuid.New()).
			SetCollectedAt(ago(days)).SetReceivedAt(ago(days)).SetSectionHashes(map[string]string{}).
			SetChangedSections([]string{}).SetSizeBytes(1).Save(ctx)
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		return s.ID
	}
	f.oldSnap, f.midSnap, f.newSnap = snap(dev, 200), snap(dev, 100), snap(dev, 1)
	f.lonelySnap = snap(lonely, 300) // a silent device's only snapshot
	hist := func(days int) uuid.UUID {
		h, err := c.HealthHistory.Create().SetTenantID(ten.ID).SetKind(healthhistory.KindDevice).SetEntityID(dev).
			SetOrganisationID(org).SetScore(80).SetBand("fair").SetScored(true).SetComputedAt(ago(days)).Save(ctx)
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		return h.ID
	}
	f.oldHistory, f.newestOldHistory = hist(500), hist(450)
	note := func(days int) uuid.UUID {
		n, err := c.Notification.Create().SetTenantID(ten.ID).SetKind("band_worse").SetSeverity("warning").SetTitle("t").
			SetEntityKind("device").SetEntityID(dev).SetOrganisationID(org).SetDedupeKey(uuid.NewString()).
			SetCreatedAt(ago(days)).Save(ctx)
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		return n.ID
	}
	f.oldNote, f.freshNote = note(100), note(2)
	user := uuid.New()
	receipt := func(n uuid.UUID) uuid.UUID {
		r, err := c.NotificationReceipt.Create().SetTenantID(ten.ID).SetNotificationID(n).SetUserID(user).Save(ctx)
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		return r.ID
	}
	f.receiptOfOldNote, f.receiptFresh = receipt(f.oldNote), receipt(f.freshNote)
	delivery := func(n uuid.UUID, days int) uuid.UUID {
		d, err := c.WebhookDelivery.Create().SetTenantID(ten.ID).SetWebhookID(uuid.New()).SetNotificationID(n).
			SetCreatedAt(ago(days)).SetUpdatedAt(ago(days)).Save(ctx)
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		return d.ID
	}
	f.oldDelivery, f.freshDelivery = delivery(f.freshNote, 40), delivery(f.freshNote, 1)
	audit := func(days int) uuid.UUID {
		a, err := c.AuditEvent.Create().SetTenantID(ten.ID).SetAction("device.delete").SetTargetKind("device").
			SetTargetID(dev).SetCreatedAt(ago(days)).Save(ctx)
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		return a.ID
	}
	f.oldAudit, f.freshAudit = audit(400), audit(10)
	aiCall := func(days int) uuid.UUID {
		r, err := c.AICall.Create().SetTenantID(ten.ID).SetPurpose("chat").SetOutcome("ok").SetPromptTokens(100).
			SetCreatedAt(ago(days)).Save(ctx)
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		return r.ID
	}
	f.oldAICall, f.freshAICall = aiCall(400), aiCall(10)
	bulk := func(days int, finished bool) uuid.UUID {
		q := c.BulkOperation.Create().SetTenantID(ten.ID).SetCreatedBy(user).SetAction("tag").
			SetDeviceIds([]uuid.UUID{}).SetErrors([]string{}).SetCreatedAt(ago(days))
		if finished {
			q.SetState("succeeded").SetFinishedAt(ago(days))
		}
		r, err := q.Save(ctx)
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		return r.ID
	}
	f.oldBulk, f.freshBulk, f.oldRunning = bulk(400, true), bulk(10, true), bulk(400, false)
	token := func(expired int) uuid.UUID {
		r, err := c.RefreshToken.Create().SetTenantID(ten.ID).SetUserID(user).SetFamilyID(uuid.New()).
			SetTokenHash(uuid.NewString()).SetCreatedAt(ago(expired + 30)).SetExpiresAt(ago(expired)).Save(ctx)
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		return r.ID
	}
	f.spentToken, f.liveToken = token(40), token(-20)
	event := func(days int) uuid.UUID {
		e, err := c.EventLogGroup.Create().SetTenantID(ten.ID).SetDeviceID(dev).SetOrganisationID(org).SetLog("System").
			SetSource("disk").SetEventID(7).SetLevel("error").SetCount(1).SetFirstSeen(ago(days)).SetLastSeen(ago(days)).Save(ctx)
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		return e.ID
	}
	f.oldEvent, f.freshEvent = event(8), event(6)
	crash := func(days int) uuid.UUID {
		r, err := c.CrashReport.Create().SetTenantID(ten.ID).SetDeviceID(dev).SetOrganisationID(org).SetApplication("kernel").
			SetCrashedAt(ago(days)).Save(ctx)
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		return r.ID
	}
	f.oldCrash, f.freshCrash = crash(8), crash(6)
	return f
}

func exists(t *testing.T, st *store.Store, f fixture, what string, id uuid.UUID) bool {
	t.Helper()
	ctx := bypass.AsTenant(context.Background(), f.tenant, "test: act as the tenant")
	var err error
	switch what {
	case "snapshot":
		_, err = st.Ent.Snapshot.Get(ctx, id)
	case "history":
		_, err = st.Ent.HealthHistory.Get(ctx, id)
	case "notification":
		_, err = st.Ent.Notification.Get(ctx, id)
	case "receipt":
		_, err = st.Ent.NotificationReceipt.Get(ctx, id)
	case "delivery":
		_, err = st.Ent.WebhookDelivery.Get(ctx, id)
	case "audit":
		_, err = st.Ent.AuditEvent.Get(ctx, id)
	case "token":
		_, err = st.Ent.RefreshToken.Get(ctx, id)
	case "event":
		_, err = st.Ent.EventLogGroup.Get(ctx, id)
	case "crash":
		_, err = st.Ent.CrashReport.Get(ctx, id)
	case "ai_call":
		_, err = st.Ent.AICall.Get(ctx, id)
	case "bulk":
		_, err = st.Ent.BulkOperation.Get(ctx, id)
	}
	if err != nil && !ent.IsNotFound(err) {
		t.Fatalf("load %s: %v", what, err)
	}
	return err == nil
}

// TestPrune applies the default retention to records of known ages: what
// is past its age goes, the newest snapshot of each device and the newest
// history point of each entity stay however old, and another tenant with a
// longer retention keeps everything.
func TestPrune(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		now := time.Now().UTC()
		f := seed(t, st, now)
		other := seed(t, st, now)
		// The other tenant keeps everything for the maximum.
		octx := viewer.NewContext(context.Background(), &viewer.Viewer{TenantID: other.tenant, Role: viewer.RoleOwner})
		svc := retention.NewService(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if _, err := svc.Update(octx, retention.Maximum); err != nil {
			t.Fatal(err)
		}
		c, err := svc.PruneTenant(context.Background(), f.tenant)
		if err != nil {
			t.Fatal(err)
		}
		want := retention.Counts{Snapshots: 2, History: 1, Notifications: 1, Deliveries: 1, Audit: 1, RefreshTokens: 1, Events: 1, Crashes: 1, AICalls: 1, BulkOperations: 1}
		if c != want {
			t.Errorf("pruned %+v, want %+v", c, want)
		}
		for _, r := range []struct {
			what string
			id   uuid.UUID
			keep bool
		}{
			{"snapshot", f.oldSnap, false}, {"snapshot", f.midSnap, false}, {"snapshot", f.newSnap, true},
			{"snapshot", f.lonelySnap, true},
			{"history", f.oldHistory, false}, {"history", f.newestOldHistory, true},
			{"notification", f.oldNote, false}, {"notification", f.freshNote, true},
			{"receipt", f.receiptOfOldNote, false}, {"receipt", f.receiptFresh, true},
			{"delivery", f.oldDelivery, false}, {"delivery", f.freshDelivery, true},
			{"audit", f.oldAudit, false}, {"audit", f.freshAudit, true},
			{"token", f.spentToken, false}, {"token", f.liveToken, true},
			{"event", f.oldEvent, false}, {"event", f.freshEvent, true},
			{"crash", f.oldCrash, false}, {"crash", f.freshCrash, true},
			{"ai_call", f.oldAICall, false}, {"ai_call", f.freshAICall, true},
			{"bulk", f.oldBulk, false}, {"bulk", f.freshBulk, true}, {"bulk", f.oldRunning, true},
		} {
			if got := exists(t, st, f, r.what, r.id); got != r.keep {
				t.Errorf("%s %s: kept %t, want %t", r.what, r.id, got, r.keep)
			}
		}
		if err := svc.Prune(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, id := range []uuid.UUID{other.oldSnap, other.midSnap} {
			if !exists(t, st, other, "snapshot", id) {
				t.Errorf("the other tenant's snapshot %s was pruned despite its maximum retention", id)
			}
		}
		if !exists(t, st, other, "audit", other.oldAudit) || !exists(t, st, other, "history", other.oldHistory) {
			t.Error("the other tenant's audit or history was pruned despite its maximum retention")
		}
		// A second prune has nothing left to do.
		again, err := svc.PruneTenant(context.Background(), f.tenant)
		if err != nil || again.Total() != 0 {
			t.Errorf("second prune: %+v, %v", again, err)
		}
	})
}

// TestRetentionBounds refuses values outside the bounds with
// invalid_argument and stores nothing.
func TestRetentionBounds(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := seed(t, st, time.Now().UTC())
		ctx := viewer.NewContext(context.Background(), &viewer.Viewer{TenantID: f.tenant, Role: viewer.RoleOwner})
		svc := retention.NewService(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
		bad := retention.Defaults
		bad.HistoryDays = 30 // below the 90 days the trend charts show
		if _, err := svc.Update(ctx, bad); !apperr.Is(err, apperr.KindInvalid) {
			t.Fatalf("history of 30 days: %v, want invalid", err)
		}
		got, err := svc.Get(ctx)
		if err != nil || got != retention.Defaults {
			t.Errorf("after a refused update: %+v, %v; want the defaults", got, err)
		}
	})
}
