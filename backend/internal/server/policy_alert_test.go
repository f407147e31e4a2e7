package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/wegweiser/wegweiser/backend/internal/alert"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

const (
	setOverride   = "wegweiser.v1.PolicyService/SetOverride"
	listNotes     = "wegweiser.v1.AlertService/ListNotifications"
	markRead      = "wegweiser.v1.AlertService/MarkNotificationsRead"
	createWebhook = "wegweiser.v1.AlertService/CreateWebhook"
)

func findingsOf(t *testing.T, url, tok, deviceID string) []map[string]any {
	res := testenv.Call(t, url, listFindings, tok, map[string]any{"entity": map[string]any{"kind": "ENTITY_KIND_DEVICE", "id": deviceID}, "includePassed": true})
	res.Must(t)
	var out []map[string]any
	for _, f := range res.Body["findings"].([]any) {
		out = append(out, f.(map[string]any))
	}
	return out
}

// TestPolicyOverrides: a suppression at organisation level keeps the
// finding but stops its cost; a device-level override beats it (nearest
// wins); every change is audited with who and why; bad overrides are
// refused.
func TestPolicyOverrides(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "policy")
		tok := ten.Login(t, ten.Owner)
		a := ten.Enrol(t, "pol-a")
		testenv.Call(t, srv.URL, submit, a.Token, testenv.SnapshotJSON(sick("pol-a"))).Must(t)
		waitScored(t, srv.URL, tok, a.DeviceID, nil)
		volume := func() map[string]any {
			for _, f := range findingsOf(t, srv.URL, tok, a.DeviceID) {
				if f["checkId"] == "storage.volume_free_space" {
					return f
				}
			}
			t.Fatal("no volume finding")
			return nil
		}
		if v := volume(); v["status"] != "fail" || v["suppressed"] == true {
			t.Fatalf("volume finding before policy: %v", v)
		}
		res := testenv.Call(t, srv.URL, setOverride, tok, map[string]any{
			"scope":   map[string]any{"level": "POLICY_LEVEL_ORGANISATION", "id": ten.Organisations[0]},
			"checkId": "storage.volume_free_space", "suppress": true, "reason": "archive disk, always full",
		})
		res.Must(t)
		if res.Body["queuedDevices"].(float64) < 1 {
			t.Fatalf("no re-analysis queued: %s", res.Raw)
		}
		testenv.Eventually(t, "suppression applied", func() bool {
			v := volume()
			return v["suppressed"] == true && v["suppressReason"] == "archive disk, always full" && v["penalty"] == nil
		})
		// Nearest wins: the device switches the check off altogether.
		testenv.Call(t, srv.URL, setOverride, tok, map[string]any{
			"scope":   map[string]any{"level": "POLICY_LEVEL_DEVICE", "id": a.DeviceID},
			"checkId": "storage.volume_free_space", "enabled": false, "reason": "only alert when really full",
		}).Must(t)
		testenv.Eventually(t, "device override applied", func() bool {
			for _, f := range findingsOf(t, srv.URL, tok, a.DeviceID) {
				if f["checkId"] == "storage.volume_free_space" {
					return false
				}
			}
			return true
		})
		eff := testenv.Call(t, srv.URL, "wegweiser.v1.PolicyService/GetEffectivePolicy", tok, map[string]any{"deviceId": a.DeviceID})
		ovs := eff.Body["overrides"].([]any)
		if len(ovs) != 2 { // the fixture's tenant-wide uptime suppression and the device override
			t.Fatalf("effective overrides: %s", eff.Raw)
		}
		audit := testenv.Call(t, srv.URL, "wegweiser.v1.PolicyService/ListPolicyAudit", tok, map[string]any{})
		if !strings.Contains(string(audit.Raw), "only alert when really full") || !strings.Contains(string(audit.Raw), ten.Owner.Email) {
			t.Fatalf("audit lacks who or why: %s", audit.Raw)
		}
		bad := []map[string]any{
			{"scope": map[string]any{"level": "POLICY_LEVEL_TENANT"}, "checkId": "no.such.check", "suppress": true, "reason": "x"},
			{"scope": map[string]any{"level": "POLICY_LEVEL_TENANT"}, "checkId": "storage.volume_free_space", "suppress": true},
			{"scope": map[string]any{"level": "POLICY_LEVEL_TENANT"}, "checkId": "storage.volume_free_space", "severity": "apocalyptic", "reason": "x"},
			{"scope": map[string]any{"level": "POLICY_LEVEL_TENANT"}, "checkId": "storage.volume_free_space", "reason": "changes nothing"},
		}
		for i, b := range bad {
			if c := testenv.Call(t, srv.URL, setOverride, tok, b).Code; c != "invalid_argument" {
				t.Errorf("bad override %d: %s", i, c)
			}
		}
		tech := ten.Login(t, ten.Members[viewer.RoleTechnician])
		if c := testenv.Call(t, srv.URL, setOverride, tech, map[string]any{
			"scope": map[string]any{"level": "POLICY_LEVEL_TENANT"}, "checkId": "storage.volume_free_space", "suppress": true, "reason": "x",
		}).Code; c != "permission_denied" {
			t.Fatalf("technician setting policy: %s", c)
		}
	})
}

// TestAlertsAndWebhooks: a device falling to critical raises notifications
// that every member sees until they read them, and a signed webhook
// delivery (HMAC-SHA256 over timestamp and body) that a receiver can verify;
// the secret is stored encrypted.
func TestAlertsAndWebhooks(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		var mu sync.Mutex
		var got []*http.Request
		var bodies [][]byte
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			got, bodies = append(got, r), append(bodies, b)
			mu.Unlock()
		}))
		defer receiver.Close()

		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "alerts")
		tok := ten.Login(t, ten.Owner)
		wh := testenv.Call(t, srv.URL, createWebhook, tok, map[string]any{"url": receiver.URL + "/hook", "description": "PSA", "kinds": []string{"critical_finding", "band_worse", "test"}})
		wh.Must(t)
		secret := wh.Str("secret")
		if !strings.HasPrefix(secret, "whsec_") {
			t.Fatalf("secret %q", secret)
		}
		var raw []byte
		if err := st.DB.QueryRow(`SELECT secret_encrypted FROM webhooks WHERE url = '` + receiver.URL + `/hook'`).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(secret)) {
			t.Fatal("webhook secret stored in plaintext")
		}

		a := ten.Enrol(t, "alert-a")
		testenv.Call(t, srv.URL, submit, a.Token, testenv.SnapshotJSON(testenv.SampleSnapshot("alert-a", 5, 0))).Must(t)
		waitScored(t, srv.URL, tok, a.DeviceID, nil)
		testenv.Call(t, srv.URL, submit, a.Token, testenv.SnapshotJSON(sick("alert-a"))).Must(t)

		var unread float64
		testenv.Eventually(t, "critical notification raised", func() bool {
			res := testenv.Call(t, srv.URL, listNotes, tok, map[string]any{"unreadOnly": true})
			unread, _ = res.Body["unreadCount"].(float64)
			return strings.Contains(string(res.Raw), "critical_finding") && strings.Contains(string(res.Raw), "alert-a")
		})
		testenv.Eventually(t, "webhook delivered", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(got) > 0
		})
		mu.Lock()
		r, body := got[0], bodies[0]
		mu.Unlock()
		ts, err := strconv.ParseInt(r.Header.Get("Wegweiser-Timestamp"), 10, 64)
		if err != nil {
			t.Fatalf("timestamp header: %v", err)
		}
		if sig := r.Header.Get("Wegweiser-Signature"); sig != alert.Sign(secret, ts, body) {
			t.Fatalf("signature %q does not verify", sig)
		}
		var p alert.Payload
		if err := json.Unmarshal(body, &p); err != nil || p.TenantID != ten.ID || p.EntityID == "" {
			t.Fatalf("payload: %s (%v)", body, err)
		}

		// Read state is per user.
		left := testenv.Call(t, srv.URL, markRead, tok, map[string]any{"all": true})
		if left.Body["unreadCount"] != nil && left.Body["unreadCount"].(float64) != 0 {
			t.Fatalf("after marking all read: %s", left.Raw)
		}
		admin := ten.Login(t, ten.Members[viewer.RoleAdmin])
		other := testenv.Call(t, srv.URL, listNotes, admin, map[string]any{})
		if other.Body["unreadCount"] == nil || other.Body["unreadCount"].(float64) < unread {
			t.Fatalf("another member's unread count changed: %s", other.Raw)
		}
		// Notifications follow organisation scope: the customer (limited to
		// the device's organisation 0) sees them; a technician moved to
		// organisation 1 does not.
		cust := ten.Login(t, ten.Members[viewer.RoleCustomer])
		if cn := testenv.Call(t, srv.URL, listNotes, cust, map[string]any{}); !strings.Contains(string(cn.Raw), "alert-a") {
			t.Fatalf("customer of the device's organisation misses its notification: %s", truncate(cn.Raw))
		}
		techM := ten.Members[viewer.RoleTechnician]
		testenv.Call(t, srv.URL, "wegweiser.v1.UserService/ChangeUserRole", tok, map[string]any{
			"userId": techM.ID, "role": "ROLE_TECHNICIAN", "organisationIds": []string{ten.Organisations[1]},
		}).Must(t)
		if tn := testenv.Call(t, srv.URL, listNotes, ten.Login(t, techM), map[string]any{}); strings.Contains(string(tn.Raw), "alert-a") {
			t.Fatalf("technician of another organisation sees the notification: %s", truncate(tn.Raw))
		}

		// The test button and the delivery log.
		testenv.Call(t, srv.URL, "wegweiser.v1.AlertService/SendTestWebhook", tok, map[string]any{"id": wh.Str("webhook.id")}).Must(t)
		testenv.Eventually(t, "test delivery logged", func() bool {
			res := testenv.Call(t, srv.URL, "wegweiser.v1.AlertService/ListWebhookDeliveries", tok, map[string]any{"webhookId": wh.Str("webhook.id")})
			return strings.Count(string(res.Raw), `"delivered"`) >= 2
		})
		// Plain members cannot manage webhooks.
		if c := testenv.Call(t, srv.URL, createWebhook, ten.Login(t, ten.Members[viewer.RoleViewer]), map[string]any{"url": "https://example.com/x"}).Code; c != "permission_denied" {
			t.Fatalf("viewer creating a webhook: %s", c)
		}
	})
}
