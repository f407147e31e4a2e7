package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/alert"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// findingsOf lists every finding of a device, passed ones included.
func findingsOf(t *testing.T, c *testenv.Clients, deviceID string) []*v1.Finding {
	t.Helper()
	return must(c.Health.ListFindings(context.Background(), &v1.ListFindingsRequest{Entity: deviceRef(deviceID), IncludePassed: true}))(t).GetFindings()
}

// TestPolicyOverrides: a suppression at organisation level keeps the
// finding but stops its cost; a device-level override beats it (nearest
// wins); every change is audited with who and why; bad overrides are
// refused.
func TestPolicyOverrides(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "policy")
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))
		a := ten.Enrol(t, "pol-a")
		submitSnapshot(t, srv, a.Token, sick("pol-a"))
		waitScored(t, own, a.DeviceID, nil)
		volume := func() *v1.Finding {
			for _, f := range findingsOf(t, own, a.DeviceID) {
				if f.GetCheckId() == "storage.volume_free_space" {
					return f
				}
			}
			t.Fatal("no volume finding")
			return nil
		}
		if v := volume(); v.GetStatus() != "fail" || v.GetSuppressed() {
			t.Fatalf("volume finding before policy: %s", pj(v))
		}
		res := must(own.Policy.SetOverride(ctx, &v1.SetOverrideRequest{
			Scope:   &v1.PolicyScope{Level: v1.PolicyLevel_POLICY_LEVEL_ORGANISATION, Id: ten.Organisations[0]},
			CheckId: "storage.volume_free_space", Suppress: true, Reason: "archive disk, always full",
		}))(t)
		if res.GetQueuedDevices() < 1 {
			t.Fatalf("no re-analysis queued: %s", pj(res))
		}
		testenv.Eventually(t, "suppression applied", func() bool {
			v := volume()
			return v.GetSuppressed() && v.GetSuppressReason() == "archive disk, always full" && v.GetPenalty() == 0
		})
		// Nearest wins: the device switches the check off altogether.
		must(own.Policy.SetOverride(ctx, &v1.SetOverrideRequest{
			Scope:   &v1.PolicyScope{Level: v1.PolicyLevel_POLICY_LEVEL_DEVICE, Id: a.DeviceID},
			CheckId: "storage.volume_free_space", Enabled: proto.Bool(false), Reason: "only alert when really full",
		}))(t)
		testenv.Eventually(t, "device override applied", func() bool {
			for _, f := range findingsOf(t, own, a.DeviceID) {
				if f.GetCheckId() == "storage.volume_free_space" {
					return false
				}
			}
			return true
		})
		eff := must(own.Policy.GetEffectivePolicy(ctx, &v1.GetEffectivePolicyRequest{DeviceId: a.DeviceID}))(t)
		if len(eff.GetOverrides()) != 2 { // the fixture's tenant-wide uptime suppression and the device override
			t.Fatalf("effective overrides: %s", pj(eff))
		}
		audit := must(own.Policy.ListPolicyAudit(ctx, &v1.ListPolicyAuditRequest{}))(t)
		if raw := pj(audit); !strings.Contains(raw, "only alert when really full") || !strings.Contains(raw, ten.Owner.Email) {
			t.Fatalf("audit lacks who or why: %s", pj(audit))
		}
		tenant := &v1.PolicyScope{Level: v1.PolicyLevel_POLICY_LEVEL_TENANT}
		bad := []*v1.SetOverrideRequest{
			{Scope: tenant, CheckId: "no.such.check", Suppress: true, Reason: "x"},
			{Scope: tenant, CheckId: "storage.volume_free_space", Suppress: true},
			{Scope: tenant, CheckId: "storage.volume_free_space", Severity: "apocalyptic", Reason: "x"},
			{Scope: tenant, CheckId: "storage.volume_free_space", Reason: "changes nothing"},
		}
		for i, b := range bad {
			if _, err := own.Policy.SetOverride(ctx, b); testenv.Code(err) != "invalid_argument" {
				t.Errorf("bad override %d: %v", i, err)
			}
		}
		tech := srv.Clients(ten.Login(t, ten.Members[viewer.RoleTechnician]))
		if _, err := tech.Policy.SetOverride(ctx, &v1.SetOverrideRequest{
			Scope: tenant, CheckId: "storage.volume_free_space", Suppress: true, Reason: "x",
		}); testenv.Code(err) != "permission_denied" {
			t.Fatalf("technician setting policy: %v", err)
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
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))
		wh := must(own.Alert.CreateWebhook(ctx, &v1.CreateWebhookRequest{Url: receiver.URL + "/hook", Description: "PSA", Kinds: []string{"critical_finding", "band_worse", "test"}}))(t)
		secret := wh.GetSecret()
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
		submitSnapshot(t, srv, a.Token, testenv.SampleSnapshot("alert-a", 5, 0))
		waitScored(t, own, a.DeviceID, nil)
		submitSnapshot(t, srv, a.Token, sick("alert-a"))

		var unread int32
		testenv.Eventually(t, "critical notification raised", func() bool {
			res, err := own.Alert.ListNotifications(ctx, &v1.ListNotificationsRequest{UnreadOnly: true})
			unread = res.GetUnreadCount()
			raw := pj(res)
			return err == nil && strings.Contains(raw, "critical_finding") && strings.Contains(raw, "alert-a")
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
		left := must(own.Alert.MarkNotificationsRead(ctx, &v1.MarkNotificationsReadRequest{All: true}))(t)
		if left.GetUnreadCount() != 0 {
			t.Fatalf("after marking all read: %s", pj(left))
		}
		admin := srv.Clients(ten.Login(t, ten.Members[viewer.RoleAdmin]))
		other := must(admin.Alert.ListNotifications(ctx, &v1.ListNotificationsRequest{}))(t)
		if other.GetUnreadCount() == 0 || other.GetUnreadCount() < unread {
			t.Fatalf("another member's unread count changed: %s", pjt(other))
		}
		// Notifications follow organisation scope: the customer (limited to
		// the device's organisation 0) sees them; a technician moved to
		// organisation 1 does not.
		cust := srv.Clients(ten.Login(t, ten.Members[viewer.RoleCustomer]))
		if cn := must(cust.Alert.ListNotifications(ctx, &v1.ListNotificationsRequest{}))(t); !strings.Contains(pj(cn), "alert-a") {
			t.Fatalf("customer of the device's organisation misses its notification: %s", pjt(cn))
		}
		techM := ten.Members[viewer.RoleTechnician]
		must(own.User.ChangeUserRole(ctx, &v1.ChangeUserRoleRequest{
			UserId: techM.ID, Role: v1.Role_ROLE_TECHNICIAN, OrganisationIds: []string{ten.Organisations[1]},
		}))(t)
		if tn := must(srv.Clients(ten.Login(t, techM)).Alert.ListNotifications(ctx, &v1.ListNotificationsRequest{}))(t); strings.Contains(pj(tn), "alert-a") {
			t.Fatalf("technician of another organisation sees the notification: %s", pjt(tn))
		}

		// The test button and the delivery log.
		must(own.Alert.SendTestWebhook(ctx, &v1.SendTestWebhookRequest{Id: wh.GetWebhook().GetId()}))(t)
		testenv.Eventually(t, "test delivery logged", func() bool {
			res, err := own.Alert.ListWebhookDeliveries(ctx, &v1.ListWebhookDeliveriesRequest{WebhookId: wh.GetWebhook().GetId()})
			delivered := 0
			for _, d := range res.GetDeliveries() {
				if d.GetStatus() == "delivered" {
					delivered++
				}
			}
			return err == nil && delivered >= 2
		})
		// Plain members cannot manage webhooks.
		viewerC := srv.Clients(ten.Login(t, ten.Members[viewer.RoleViewer]))
		if _, err := viewerC.Alert.CreateWebhook(ctx, &v1.CreateWebhookRequest{Url: "https://example.com/x"}); testenv.Code(err) != "permission_denied" {
			t.Fatalf("viewer creating a webhook: %v", err)
		}
	})
}
