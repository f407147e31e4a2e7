package server_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/alert"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
)

// TestMultibyteTextAtTheLimit: text of multibyte characters longer than a
// column is clipped at a character boundary to the column's limit in bytes,
// so it is stored (PostgreSQL refuses invalid UTF-8, ent's MaxLen counts
// bytes) and reads back as valid UTF-8: a notification's title and body,
// a snapshot's OS name, software source and event-log message, and a
// device's cap reason naming a finding's subject.
func TestMultibyteTextAtTheLimit(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "utf8")
		tenantID := uuid.MustParse(ten.ID)
		ctx := bypass.AsTenant(context.Background(), tenantID, "test: act as the tenant")

		long := "x" + strings.Repeat("€", 1400) // 4201 bytes, 1401 characters
		err := st.Tx(ctx, func(tx *store.Tx) error {
			_, err := srv.App.Alerts.Raise(ctx, tx, alert.Alert{
				Kind: alert.KindAgentSilent, Severity: "warning", Title: strings.Repeat("€", 150), Body: long,
				EntityKind: "tenant", EntityID: tenantID, Key: "utf8:" + strings.Repeat("ß", 200),
			})
			return err
		})
		if err != nil {
			t.Fatalf("raise a notification with multibyte text: %v", err)
		}
		var title, body, key string
		if err := st.DB.QueryRow(`SELECT title, body, dedupe_key FROM notifications WHERE kind = 'agent_silent'`).Scan(&title, &body, &key); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name, got, want string
		}{
			{"title", title, strings.Repeat("€", 100)},
			{"body", body, long[:4000]},
			{"dedupe key", key, "utf8:" + strings.Repeat("ß", 147)},
		} {
			if c.got != c.want || !utf8.ValidString(c.got) {
				t.Errorf("%s: %d bytes (valid %v), want %d", c.name, len(c.got), utf8.ValidString(c.got), len(c.want))
			}
		}

		// Snapshot fields the server clips: OS name (255 bytes), software
		// source (32) and event-log sample message (4000; the event window
		// keeps earlier snapshots' groups too, so the newest is read).
		snap := testenv.SampleSnapshot("utf8-agent", 5, 3)
		snap.Os.Name = "a" + strings.Repeat("€", 100)                      // 301 bytes: 255 falls inside a €
		snap.Software[0].Source = "a" + strings.Repeat("ü", 20)            // 41 bytes: 32 falls inside a ü
		snap.EventLogs[0].SampleMessage = "ab" + strings.Repeat("€", 1400) // 4202 bytes: 4000 falls inside a €
		submitSnapshot(t, srv, ten.Agent.Token, snap)
		var osName, source, sample string
		if err := st.DB.QueryRow(`SELECT os_name FROM devices WHERE id = '` + ten.Agent.DeviceID + `'`).Scan(&osName); err != nil {
			t.Fatal(err)
		}
		if err := st.DB.QueryRow(`SELECT source FROM installed_softwares WHERE device_id = '` + ten.Agent.DeviceID + `' AND name = 'package-0000'`).Scan(&source); err != nil {
			t.Fatal(err)
		}
		if err := st.DB.QueryRow(`SELECT sample_message FROM event_log_groups WHERE device_id = '` + ten.Agent.DeviceID + `' AND source = 'unit-0.service' ORDER BY last_seen DESC LIMIT 1`).Scan(&sample); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name, got, want string
		}{
			{"os name", osName, "a" + strings.Repeat("€", 84)},
			{"software source", source, "a" + strings.Repeat("ü", 15)},
			{"event sample", sample, "ab" + strings.Repeat("€", 1332)},
		} {
			if c.got != c.want || !utf8.ValidString(c.got) {
				t.Errorf("%s: %q (%d bytes), want %d bytes", c.name, c.got[:min(len(c.got), 12)], len(c.got), len(c.want))
			}
		}

		// A failing disk whose long multibyte name ends up in the device's
		// cap reason (500 bytes): the device is still scored.
		sickAgent := ten.Enrol(t, "utf8-sick")
		sk := sick("utf8-sick")
		sk.Storage.Disks[0].Name = "/dev/" + strings.Repeat("€", 200)
		submitSnapshot(t, srv, sickAgent.Token, sk)
		h := waitScored(t, srv.Clients(ten.Login(t, ten.Owner)), sickAgent.DeviceID, nil)
		reason := h.GetHealth().GetCapReason()
		if !strings.Contains(reason, "€€€") || len(reason) > 500 || !utf8.ValidString(reason) {
			t.Fatalf("cap reason of %d bytes (valid %v): %.60q", len(reason), utf8.ValidString(reason), reason)
		}
	})
}
