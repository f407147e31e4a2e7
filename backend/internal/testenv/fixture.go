package testenv

import (
	"context"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Password is the password of every fixture user.
const Password = "correct horse battery"

// Member is a fixture user who can log in.
type Member struct {
	ID, Email string
	Role      viewer.Role
}

// Tenant is a populated fixture tenant, built through the public API where
// the API can build it (devices are inserted directly: agents create them).
type Tenant struct {
	ID            string
	Name          string
	Owner         Member
	Members       map[viewer.Role]Member
	Organisations []string
	Groups        []string
	Devices       []string
	// Agent is a device enrolled through the API that has sent one snapshot.
	Agent Agent
	// Override is a tenant-level policy override, Webhook a webhook, Key an
	// enrolment key of the tenant.
	Override, Webhook, Key string
	// Preregistration is a device pre-registered by a CSV import into the
	// first organisation (host name Name+"-pending"), not yet enrolled.
	Preregistration string
	// ReportSchedule mails the first organisation's report monthly.
	ReportSchedule string
	// Conversation is the owner's conversation about the first device,
	// Message its first message and Memory the fact taught in it.
	Conversation, Message, Memory string
	// Bulk is a bulk operation (a re-analysis of the first device).
	Bulk string
	// APIKeys are the secrets of API keys the owner created, one per role,
	// scoped like the members of that role (technician and customer to
	// the first organisation); APIKey is the id of the technician key.
	APIKeys map[viewer.Role]string
	APIKey  string
	srv     *Server
}

// NewTenant signs up a tenant named name and fills it: two organisations
// with two groups each, three devices per group and one member of every
// role (technician and customer limited to the first organisation).
func NewTenant(t *testing.T, srv *Server, name string) *Tenant {
	t.Helper()
	slug := fmt.Sprintf("%s-%s", name, uuid.NewString()[:8])
	owner := slug + "-owner@example.com"
	Call(t, srv.URL, "wegweiser.v1.AuthService/SignUp", "", map[string]any{
		"tenantName": name, "email": owner, "password": Password,
	}).Must(t)
	// SignUp does not log in (it answers alike for taken emails): log in.
	login := Call(t, srv.URL, "wegweiser.v1.AuthService/Login", "", map[string]any{"email": owner, "password": Password})
	login.Must(t)
	tok := login.Str("accessToken")
	me := Call(t, srv.URL, "wegweiser.v1.AuthService/WhoAmI", tok, map[string]any{})
	me.Must(t)
	ten := &Tenant{
		ID: me.Str("tenant.id"), Name: name, srv: srv,
		Owner:   Member{ID: me.Str("user.id"), Email: owner, Role: viewer.RoleOwner},
		Members: map[viewer.Role]Member{},
	}
	ten.Members[viewer.RoleOwner] = ten.Owner
	// The owner confirms the address with the mailed link, as a real one would.
	Call(t, srv.URL, "wegweiser.v1.AuthService/VerifyEmail", "", map[string]any{
		"verificationToken": LinkToken(t, srv.WaitMail(t, owner, 1).Body),
	}).Must(t)
	for i := 0; i < 2; i++ {
		o := Call(t, srv.URL, "wegweiser.v1.TenantService/CreateOrganisation", tok, map[string]any{"name": fmt.Sprintf("%s org %d", name, i)})
		orgID := o.Str("organisation.id")
		if orgID == "" {
			t.Fatalf("create organisation: %s", o.Raw)
		}
		ten.Organisations = append(ten.Organisations, orgID)
		for j := 0; j < 2; j++ {
			g := Call(t, srv.URL, "wegweiser.v1.TenantService/CreateGroup", tok, map[string]any{"organisationId": orgID, "name": fmt.Sprintf("group %d", j)})
			groupID := g.Str("group.id")
			if groupID == "" {
				t.Fatalf("create group: %s", g.Raw)
			}
			ten.Groups = append(ten.Groups, groupID)
			ten.Devices = append(ten.Devices, AddDevices(t, srv, ten.ID, orgID, groupID, fmt.Sprintf("%s-o%dg%d", name, i, j), 3)...)
		}
	}
	for _, role := range []viewer.Role{viewer.RoleAdmin, viewer.RoleTechnician, viewer.RoleViewer, viewer.RoleCustomer} {
		ten.Members[role] = ten.Invite(t, tok, role, slug)
	}
	ten.Agent = ten.Enrol(t, name+"-agent")
	ten.Devices = append(ten.Devices, ten.Agent.DeviceID)
	Call(t, srv.URL, "wegweiser.agent.v1.AgentService/SubmitSnapshot", ten.Agent.Token, SnapshotJSON(SampleSnapshot(name+"-agent", 5, 3))).Must(t)
	ov := Call(t, srv.URL, "wegweiser.v1.PolicyService/SetOverride", tok, map[string]any{
		"scope": map[string]any{"level": "POLICY_LEVEL_TENANT"}, "checkId": "system.uptime", "suppress": true, "reason": "fixture",
	})
	ten.Override = ov.Str("override.id")
	wh := Call(t, srv.URL, "wegweiser.v1.AlertService/CreateWebhook", tok, map[string]any{"url": "http://127.0.0.1:9/hook", "description": "fixture"})
	ten.Webhook = wh.Str("webhook.id")
	keys := Call(t, srv.URL, "wegweiser.v1.EnrolmentService/ListEnrolmentKeys", tok, map[string]any{})
	if ks, _ := keys.Body["keys"].([]any); len(ks) > 0 {
		ten.Key, _ = ks[0].(map[string]any)["id"].(string)
	}
	// The checklist records its done steps and the owner has seen a tour,
	// so the tenant has onboarding rows for the sweeps to watch.
	Call(t, srv.URL, "wegweiser.v1.OnboardingService/GetChecklist", tok, map[string]any{}).Must(t)
	Call(t, srv.URL, "wegweiser.v1.OnboardingService/MarkTourSeen", tok, map[string]any{"tourId": "dashboard", "seen": true}).Must(t)
	ten.Preregistration = ten.preregister(t, tok)
	sch := Call(t, srv.URL, "wegweiser.v1.ReportService/CreateReportSchedule", tok, map[string]any{
		"organisationId": ten.Organisations[0], "recipients": []string{"reports@example.com"}, "dayOfMonth": 3, "format": "REPORT_FORMAT_HTML",
	})
	ten.ReportSchedule = sch.Str("schedule.id")
	if ten.ReportSchedule == "" {
		t.Fatalf("fixture: report schedule (%s)", sch.Raw)
	}
	conv := Call(t, srv.URL, "wegweiser.v1.ChatService/CreateConversation", tok, map[string]any{
		"scope": map[string]any{"kind": "ENTITY_KIND_DEVICE", "id": ten.Devices[0]}, "title": "fixture",
	})
	ten.Conversation = conv.Str("conversation.id")
	taught := CallStream(t, srv.URL, "wegweiser.v1.ChatService/SendMessage", tok, map[string]any{
		"conversationId": ten.Conversation, "text": "Remember: this device is the fixture's file server",
	})
	for _, m := range taught.Messages {
		if q, ok := m["question"].(map[string]any); ok {
			ten.Message, _ = q["id"].(string)
		}
		if c, ok := m["citation"].(map[string]any); ok {
			ten.Memory, _ = c["id"].(string)
		}
	}
	if ten.Conversation == "" || ten.Message == "" || ten.Memory == "" {
		t.Fatalf("fixture: conversation %q message %q memory %q (%s %s)", ten.Conversation, ten.Message, ten.Memory, conv.Raw, taught.Raw)
	}
	bulk := Call(t, srv.URL, "wegweiser.v1.DeviceService/StartBulkOperation", tok, map[string]any{
		"selection": map[string]any{"ids": map[string]any{"ids": []string{ten.Devices[0]}}}, "reanalyse": map[string]any{},
	})
	if ten.Bulk = bulk.Str("operation.id"); ten.Bulk == "" {
		t.Fatalf("fixture: bulk operation (%s)", bulk.Raw)
	}
	ten.APIKeys = map[viewer.Role]string{}
	for _, role := range viewer.Roles {
		id, secret := ten.CreateAPIKey(t, tok, role, string(role)+" key")
		ten.APIKeys[role] = secret
		if role == viewer.RoleTechnician {
			ten.APIKey = id
		}
	}
	if ten.Override == "" || ten.Webhook == "" || ten.Key == "" {
		t.Fatalf("fixture: override %q webhook %q key %q (%s %s)", ten.Override, ten.Webhook, ten.Key, ov.Raw, wh.Raw)
	}
	return ten
}

// preregister imports one device row (a pre-registration in the first
// organisation) through TransferService and returns its id.
func (ten *Tenant) preregister(t *testing.T, tok string) string {
	t.Helper()
	csv := fmt.Sprintf("organisation,group,hostname,serial_number,tags\r\n%s org 0,group 0,%s-pending,SN-%s,fixture\r\n", ten.Name, ten.Name, ten.ID[:8])
	content := base64.StdEncoding.EncodeToString([]byte(csv))
	prev := Call(t, ten.srv.URL, "wegweiser.v1.TransferService/PreviewImport", tok, map[string]any{"kind": "TRANSFER_KIND_DEVICES", "content": content})
	prev.Must(t)
	Call(t, ten.srv.URL, "wegweiser.v1.TransferService/CommitImport", tok, map[string]any{
		"kind": "TRANSFER_KIND_DEVICES", "content": content, "contentSha256": prev.Str("contentSha256"),
	}).Must(t)
	ctx := bypass.AsTenant(context.Background(), uuid.MustParse(ten.ID), "test fixture: act as the tenant")
	p, err := ten.srv.App.Store.Ent.Preregistration.Query().Only(ctx)
	if err != nil {
		t.Fatalf("fixture pre-registration: %v", err)
	}
	return p.ID.String()
}

// Invite invites and activates a member of role through the API.
func (ten *Tenant) Invite(t *testing.T, ownerToken string, role viewer.Role, slug string) Member {
	t.Helper()
	email := fmt.Sprintf("%s-%s@example.com", slug, role)
	req := map[string]any{"email": email, "role": "ROLE_" + upper(string(role))}
	if role.Scoped() {
		req["organisationIds"] = []string{ten.Organisations[0]}
	}
	inv := Call(t, ten.srv.URL, "wegweiser.v1.UserService/InviteUser", ownerToken, req)
	inv.Must(t)
	// The invitation link only goes to the invitee's mailbox.
	token := LinkToken(t, ten.srv.WaitMail(t, email, 1).Body)
	Call(t, ten.srv.URL, "wegweiser.v1.AuthService/AcceptInvitation", "", map[string]any{
		"invitationToken": token, "password": Password,
	}).Must(t)
	return Member{ID: inv.Str("user.id"), Email: email, Role: role}
}

// CreateAPIKey creates an API key of role through the API with the token
// of an owner or admin, scoped like a member of that role (technician and
// customer to the first organisation), and returns its id and secret.
func (ten *Tenant) CreateAPIKey(t *testing.T, token string, role viewer.Role, name string) (id, secret string) {
	t.Helper()
	req := map[string]any{"name": name, "role": "ROLE_" + upper(string(role))}
	if role.Scoped() {
		req["organisationIds"] = []string{ten.Organisations[0]}
	}
	res := Call(t, ten.srv.URL, "wegweiser.v1.APIKeyService/CreateAPIKey", token, req)
	res.Must(t)
	id, secret = res.Str("apiKey.id"), res.Str("secret")
	if id == "" || secret == "" {
		t.Fatalf("create API key: %s", res.Raw)
	}
	return id, secret
}

// Login returns an access token for a member.
func (ten *Tenant) Login(t *testing.T, m Member) string {
	t.Helper()
	res := Call(t, ten.srv.URL, "wegweiser.v1.AuthService/Login", "", map[string]any{"email": m.Email, "password": Password})
	res.Must(t)
	return res.Str("accessToken")
}

// AddDevices inserts n devices as an enrolled agent would have created them.
func AddDevices(t *testing.T, srv *Server, tenantID, orgID, groupID, prefix string, n int) []string {
	t.Helper()
	tid, oid, gid := uuid.MustParse(tenantID), uuid.MustParse(orgID), uuid.MustParse(groupID)
	ctx := bypass.AsTenant(context.Background(), tid, "test fixture: act as the tenant")
	var ids []string
	for k := 0; k < n; k++ {
		seen := time.Now().UTC().Add(-time.Duration(k) * time.Hour)
		d, err := srv.App.Store.Ent.Device.Create().SetTenantID(tid).SetOrganisationID(oid).SetGroupID(gid).
			SetHostname(fmt.Sprintf("%s-%02d", prefix, k)).SetPlatform("linux").SetRole("workstation").
			SetOsName("Debian GNU/Linux").SetOsVersion("12").SetTags([]string{}).SetIPAddresses([]string{"10.0.0.1"}).
			SetLastSeenAt(seen).Save(ctx)
		if err != nil {
			t.Fatalf("add device: %v", err)
		}
		ids = append(ids, d.ID.String())
	}
	return ids
}

// Dump returns every row the tenant owns, for before/after comparisons.
func (ten *Tenant) Dump(t *testing.T) string {
	t.Helper()
	ctx := bypass.AsTenant(context.Background(), uuid.MustParse(ten.ID), "test fixture: act as the tenant")
	c := ten.srv.App.Store.Ent
	var out []any
	add := func(v any, err error) {
		if err != nil {
			t.Fatalf("dump: %v", err)
		}
		out = append(out, v)
	}
	add(c.Tenant.Query().All(ctx))
	add(c.Organisation.Query().Order(ent.Asc("id")).All(ctx))
	add(c.Group.Query().Order(ent.Asc("id")).All(ctx))
	add(c.Device.Query().Order(ent.Asc("id")).All(ctx))
	add(c.Membership.Query().Order(ent.Asc("id")).All(ctx))
	add(c.User.Query().Order(ent.Asc("id")).All(ctx))
	add(c.RefreshToken.Query().Order(ent.Asc("id")).All(ctx))
	add(c.EnrolmentKey.Query().Order(ent.Asc("id")).All(ctx))
	add(c.Snapshot.Query().Order(ent.Asc("id")).All(ctx))
	add(c.DeviceSection.Query().Order(ent.Asc("id")).All(ctx))
	add(c.InstalledSoftware.Query().Order(ent.Asc("id")).All(ctx))
	add(c.EventLogGroup.Query().Order(ent.Asc("id")).All(ctx))
	add(c.DeviceHealth.Query().Order(ent.Asc("id")).All(ctx))
	add(c.DeviceFinding.Query().Order(ent.Asc("id")).All(ctx))
	add(c.EntityHealth.Query().Order(ent.Asc("id")).All(ctx))
	add(c.HealthHistory.Query().Order(ent.Asc("id")).All(ctx))
	add(c.PolicyOverride.Query().Order(ent.Asc("id")).All(ctx))
	add(c.PolicyGuidance.Query().Order(ent.Asc("id")).All(ctx))
	add(c.PolicyAudit.Query().Order(ent.Asc("id")).All(ctx))
	add(c.Notification.Query().Order(ent.Asc("id")).All(ctx))
	add(c.NotificationReceipt.Query().Order(ent.Asc("id")).All(ctx))
	add(c.NotificationReadMark.Query().Order(ent.Asc("id")).All(ctx))
	add(c.Webhook.Query().Order(ent.Asc("id")).All(ctx))
	add(c.WebhookDelivery.Query().Order(ent.Asc("id")).All(ctx))
	add(c.Conversation.Query().Order(ent.Asc("id")).All(ctx))
	add(c.ChatMessage.Query().Order(ent.Asc("id")).All(ctx))
	add(c.Memory.Query().Order(ent.Asc("id")).All(ctx))
	add(c.AISettings.Query().Order(ent.Asc("id")).All(ctx))
	add(c.AICall.Query().Order(ent.Asc("id")).All(ctx))
	add(c.Narrative.Query().Order(ent.Asc("id")).All(ctx))
	add(c.OnboardingState.Query().Order(ent.Asc("id")).All(ctx))
	add(c.SeenTour.Query().Order(ent.Asc("id")).All(ctx))
	add(c.Preregistration.Query().Order(ent.Asc("id")).All(ctx))
	add(c.BulkOperation.Query().Order(ent.Asc("id")).All(ctx))
	add(c.ReportSchedule.Query().Order(ent.Asc("id")).All(ctx))
	add(c.APIKey.Query().Order(ent.Asc("id")).All(ctx))
	return fmt.Sprintf("%+v", out)
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

// Agent is a device enrolled through the API, with its token.
type Agent struct {
	DeviceID, Token string
}

// Enrol creates an enrolment key in the tenant's first organisation (as the
// owner) and enrols a device with it through AgentService.Enroll.
func (ten *Tenant) Enrol(t *testing.T, hostname string) Agent {
	t.Helper()
	owner := ten.Login(t, ten.Owner)
	key := Call(t, ten.srv.URL, "wegweiser.v1.EnrolmentService/CreateEnrolmentKey", owner, map[string]any{
		"organisationId": ten.Organisations[0], "groupId": ten.Groups[0], "description": "test",
	})
	secret := key.Str("secret")
	if secret == "" {
		t.Fatalf("create enrolment key: %s", key.Raw)
	}
	res := Call(t, ten.srv.URL, "wegweiser.agent.v1.AgentService/Enroll", "", map[string]any{
		"enrolmentKey": secret, "hostname": hostname, "platform": "linux", "agentVersion": "test",
	})
	res.Must(t)
	return Agent{DeviceID: res.Str("deviceId"), Token: res.Str("deviceToken")}
}

// SettleJobs waits until no analysis or roll-up is waiting or running, so
// that tenants' rows stop changing. Webhook deliveries are left out: one to
// a dead endpoint retries for hours.
func SettleJobs(t *testing.T, srv *Server) {
	t.Helper()
	Eventually(t, "background jobs settled", func() bool {
		var n int
		err := srv.App.Store.DB.QueryRow(`SELECT COUNT(*) FROM river_job WHERE state IN ('available','scheduled','running','retryable','pending') AND kind <> 'deliver_webhook'`).Scan(&n)
		return err == nil && n == 0
	})
}
