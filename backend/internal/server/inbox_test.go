package server_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/alert"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// inboxSize is more notifications than either database accepts bind
// parameters in one statement (SQLite 32766, PostgreSQL 65535): read state
// kept as a list of ids fails past it.
const inboxSize = 70_000

// insertNotifications stores n tenant-wide notifications directly, in bulk,
// created one millisecond apart in pairs (so that ties on created_at are
// broken by id), the newest at base; it returns their ids in list order:
// newest first, ties by id descending.
func insertNotifications(t *testing.T, st *store.Store, tenantID uuid.UUID, n int, base time.Time, prefix string) []uuid.UUID {
	t.Helper()
	ctx := bypass.AsTenant(context.Background(), tenantID, "test: act as the tenant")
	type row struct {
		at time.Time
		id uuid.UUID
	}
	rows := make([]row, 0, n)
	err := st.Tx(ctx, func(tx *store.Tx) error {
		for start := 0; start < n; start += 2000 {
			end := min(start+2000, n)
			bulk := make([]*ent.NotificationCreate, 0, end-start)
			for i := start; i < end; i++ {
				r := row{base.Add(-time.Duration(i/2) * time.Millisecond), uuid.Must(uuid.NewV7())}
				rows = append(rows, r)
				bulk = append(bulk, tx.Notification.Create().SetID(r.id).SetTenantID(tenantID).SetKind(alert.KindTest).
					SetSeverity("info").SetTitle(fmt.Sprintf("%s %d", prefix, i)).SetEntityKind("tenant").SetEntityID(tenantID).
					SetDedupeKey(fmt.Sprintf("%s:%d", prefix, i)).SetCreatedAt(r.at))
			}
			if err := tx.Notification.CreateBulk(bulk...).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert notifications: %v", err)
	}
	slices.SortFunc(rows, func(a, b row) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return bytes.Compare(b.id[:], a.id[:])
	})
	ids := make([]uuid.UUID, n)
	for i, r := range rows {
		ids[i] = r.id
	}
	return ids
}

type inboxPage struct {
	ids    []string
	read   []bool
	unread int
	next   string
}

func listInbox(t *testing.T, c *testenv.Clients, req *v1.ListNotificationsRequest) inboxPage {
	t.Helper()
	res := must(c.Alert.ListNotifications(context.Background(), req))(t)
	var p inboxPage
	for _, n := range res.GetNotifications() {
		p.ids = append(p.ids, n.GetId())
		p.read = append(p.read, n.GetRead())
	}
	p.unread = int(res.GetUnreadCount())
	p.next = res.GetNextPageToken()
	return p
}

func markInbox(t *testing.T, c *testenv.Clients, req *v1.MarkNotificationsReadRequest) int {
	t.Helper()
	return int(must(c.Alert.MarkNotificationsRead(context.Background(), req))(t).GetUnreadCount())
}

// TestMessageCentreAtScale: a user with 70,000 notifications (more than
// either database takes bind parameters) lists pages, sees the unread count,
// marks some read and then all read without error and with correct read
// flags and counts; read state stays per user, and notifications arriving
// after "mark all read" are unread until read.
func TestMessageCentreAtScale(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		email := "inbox-" + uuid.NewString()[:8] + "@example.com"
		ctx := context.Background()
		anon := srv.Clients("")
		must(anon.Auth.SignUp(ctx, &v1.SignUpRequest{TenantName: "inbox", Email: email, Password: testenv.Password}))(t)
		res := must(anon.Auth.Login(ctx, &v1.LoginRequest{Email: email, Password: testenv.Password}))(t)
		tok, tenantID := srv.Clients(res.GetAccessToken()), uuid.MustParse(res.GetTenantId())
		base := time.Now().UTC().Truncate(time.Millisecond).Add(-time.Hour)
		ids := insertNotifications(t, st, tenantID, inboxSize, base, "bulk")

		p1 := listInbox(t, tok, &v1.ListNotificationsRequest{PageSize: 200})
		if len(p1.ids) != 200 || p1.unread != inboxSize || p1.next == "" {
			t.Fatalf("first page: %d items, unread %d, next %q", len(p1.ids), p1.unread, p1.next)
		}
		for i, id := range p1.ids {
			if p1.read[i] {
				t.Fatalf("notification %d read before anything was marked", i)
			}
			if id != ids[i].String() {
				t.Fatalf("item %d is %s, want %s (newest first)", i, id, ids[i])
			}
		}
		p2 := listInbox(t, tok, &v1.ListNotificationsRequest{PageSize: 200, PageToken: p1.next})
		if len(p2.ids) != 200 || p2.ids[0] != ids[200].String() {
			t.Fatalf("second page starts at %v, want %s", p2.ids[:1], ids[200])
		}

		// Some read by id.
		some := append(append([]string{}, p1.ids[:10]...), p2.ids[:5]...)
		if left := markInbox(t, tok, &v1.MarkNotificationsReadRequest{Ids: some}); left != inboxSize-15 {
			t.Fatalf("after marking 15 read: %d unread, want %d", left, inboxSize-15)
		}
		p1 = listInbox(t, tok, &v1.ListNotificationsRequest{PageSize: 200})
		for i := range p1.ids {
			if p1.read[i] != (i < 10) {
				t.Fatalf("item %d read=%v after marking the first ten", i, p1.read[i])
			}
		}
		if u := listInbox(t, tok, &v1.ListNotificationsRequest{PageSize: 5, UnreadOnly: true}); len(u.ids) != 5 || u.ids[0] != ids[10].String() || u.unread != inboxSize-15 {
			t.Fatalf("unread only: %v, unread %d", u.ids, u.unread)
		}

		// All read.
		if left := markInbox(t, tok, &v1.MarkNotificationsReadRequest{All: true}); left != 0 {
			t.Fatalf("after marking all read: %d unread", left)
		}
		var receipts int
		if err := st.DB.QueryRow(`SELECT COUNT(*) FROM notification_receipts`).Scan(&receipts); err != nil {
			t.Fatal(err)
		}
		if receipts != 0 {
			t.Fatalf("%d receipts kept below the read watermark", receipts)
		}
		for _, tokPage := range []string{"", p1.next} {
			p := listInbox(t, tok, &v1.ListNotificationsRequest{PageSize: 200, PageToken: tokPage})
			if p.unread != 0 || len(p.ids) != 200 {
				t.Fatalf("after all read: %d items, unread %d", len(p.ids), p.unread)
			}
			for i, r := range p.read {
				if !r {
					t.Fatalf("item %d unread after marking all read", i)
				}
			}
		}
		if u := listInbox(t, tok, &v1.ListNotificationsRequest{UnreadOnly: true}); len(u.ids) != 0 || u.unread != 0 {
			t.Fatalf("unread only after all read: %d items, unread %d", len(u.ids), u.unread)
		}

		// Newer notifications are unread until read; marking all again is
		// as cheap and leaves nothing unread.
		fresh := insertNotifications(t, st, tenantID, 3, base.Add(time.Minute), "fresh")
		if left := markInbox(t, tok, &v1.MarkNotificationsReadRequest{Ids: []string{fresh[1].String()}}); left != 2 {
			t.Fatalf("after marking one of three new read: %d unread, want 2", left)
		}
		p := listInbox(t, tok, &v1.ListNotificationsRequest{PageSize: 5})
		// fresh is in list order; mark fresh[1] read.
		want := []bool{false, true, false, true, true}
		for i := range want {
			if p.read[i] != want[i] || p.unread != 2 {
				t.Fatalf("read flags %v (unread %d), want %v", p.read, p.unread, want)
			}
		}
		// An id already covered by the watermark stores no receipt.
		if left := markInbox(t, tok, &v1.MarkNotificationsReadRequest{Ids: []string{ids[5].String()}}); left != 2 {
			t.Fatalf("re-marking an old notification: %d unread", left)
		}
		if left := markInbox(t, tok, &v1.MarkNotificationsReadRequest{All: true}); left != 0 {
			t.Fatalf("after marking all read again: %d unread", left)
		}
		// Nothing newer: the watermark stays where it is.
		if left := markInbox(t, tok, &v1.MarkNotificationsReadRequest{All: true}); left != 0 {
			t.Fatalf("marking all read with nothing new: %d unread", left)
		}
		// Unknown ids are not found; too many at once are refused.
		if _, err := tok.Alert.MarkNotificationsRead(ctx, &v1.MarkNotificationsReadRequest{Ids: []string{uuid.NewString()}}); testenv.Code(err) != "not_found" {
			t.Fatalf("unknown notification: %v", err)
		}
		tooMany := make([]string, alert.MaxMarkRead+1)
		for i := range tooMany {
			tooMany[i] = uuid.NewString()
		}
		if _, err := tok.Alert.MarkNotificationsRead(ctx, &v1.MarkNotificationsReadRequest{Ids: tooMany}); testenv.Code(err) != "invalid_argument" {
			t.Fatalf("%d ids at once: %v", len(tooMany), err)
		}

		// Read state is the user's own: another member still has all unread.
		other := viewer.NewContext(context.Background(), &viewer.Viewer{TenantID: tenantID, UserID: uuid.New(), Role: viewer.RoleAdmin})
		items, unread, _, err := srv.App.Alerts.List(other, false, 3, "")
		if err != nil || unread != inboxSize+3 || len(items) != 3 || items[0].Read {
			t.Fatalf("another user: %d unread, %d items (%v)", unread, len(items), err)
		}
	})
}
