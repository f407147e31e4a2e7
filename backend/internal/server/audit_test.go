package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/auditevent"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// The address and User-Agent every request of the audit tests comes from:
// the test server trusts the loopback proxy, so the X-Forwarded-For hop is
// the client's address.
const (
	auditAddr = "203.0.113.7"
	auditUA   = "audit-test/1.0 (+https://example.com/agent)"
)

// auditClients call the services the audit tests use as one principal,
// through a trusted proxy (X-Forwarded-For) with a fixed User-Agent.
type auditClients struct {
	audit  wegweiserv1connect.AuditServiceClient
	user   wegweiserv1connect.UserServiceClient
	auth   wegweiserv1connect.AuthServiceClient
	tenant wegweiserv1connect.TenantServiceClient
	policy wegweiserv1connect.PolicyServiceClient
}

func auditAs(srv *testenv.Server, token string) auditClients {
	headers := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if token != "" {
				req.Header().Set("Authorization", "Bearer "+token)
			}
			req.Header().Set("User-Agent", auditUA)
			req.Header().Set("X-Forwarded-For", auditAddr)
			return next(ctx, req)
		}
	})
	opts := connect.WithInterceptors(headers)
	c, u := http.DefaultClient, srv.URL
	return auditClients{
		audit:  wegweiserv1connect.NewAuditServiceClient(c, u, opts),
		user:   wegweiserv1connect.NewUserServiceClient(c, u, opts),
		auth:   wegweiserv1connect.NewAuthServiceClient(c, u, opts),
		tenant: wegweiserv1connect.NewTenantServiceClient(c, u, opts),
		policy: wegweiserv1connect.NewPolicyServiceClient(c, u, opts),
	}
}

func startAuditServer(t *testing.T, st *store.Store) *testenv.Server {
	return testenv.StartServerWith(t, st, func(c *config.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	})
}

// allEvents pages through the log with filter f, pageSize events a page,
// and fails on a repeated event or one out of order (newest first).
func allEvents(t *testing.T, c wegweiserv1connect.AuditServiceClient, f *v1.AuditFilter, pageSize int32) []*v1.AuditEvent {
	t.Helper()
	var out []*v1.AuditEvent
	seen := map[string]bool{}
	token := ""
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatal("paging does not end")
		}
		res, err := c.ListAuditEvents(context.Background(), &v1.ListAuditEventsRequest{Filter: f, PageSize: pageSize, PageToken: token})
		if err != nil {
			t.Fatalf("list audit events: %v", err)
		}
		if pageSize > 0 && len(res.GetEvents()) > int(pageSize) {
			t.Fatalf("page of %d events for page size %d", len(res.GetEvents()), pageSize)
		}
		for _, e := range res.GetEvents() {
			if seen[e.GetId()] {
				t.Fatalf("event %s (%s) on two pages", e.GetId(), e.GetAction())
			}
			seen[e.GetId()] = true
			if n := len(out); n > 0 && out[n-1].GetCreateTime().AsTime().Before(e.GetCreateTime().AsTime()) {
				t.Fatalf("%s at %v listed after %s at %v: not newest first", e.GetAction(), e.GetCreateTime().AsTime(),
					out[n-1].GetAction(), out[n-1].GetCreateTime().AsTime())
			}
			out = append(out, e)
		}
		if token = res.GetNextPageToken(); token == "" {
			return out
		}
	}
}

// find returns the newest event of action about targetID whose detail
// contains detail.
func find(events []*v1.AuditEvent, action, targetID, detail string) *v1.AuditEvent {
	for _, e := range events {
		if e.GetAction() == action && e.GetTargetId() == targetID && strings.Contains(e.GetDetail(), detail) {
			return e
		}
	}
	return nil
}

// TestAuditLogRecordsMemberTenantAndPolicyChanges: invitations, their
// acceptance, role changes, disabling and enabling, password resets,
// policy, tenant and retention changes each appear in the tenant's log
// with actor, time, source address and user agent; the owner filters,
// pages and exports them; formulas are neutralised in the CSV; the
// technician, viewer and customer are refused; another tenant sees none
// of them; and no event can be changed.
func TestAuditLogRecordsMemberTenantAndPolicyChanges(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := startAuditServer(t, st)
		ctx := context.Background()
		ten := testenv.NewTenant(t, srv, "Audited")
		ownerTok := ten.Login(t, ten.Owner)
		owner := auditAs(srv, ownerTok)
		start := time.Now().Add(-time.Second)

		// A member's life: invited, accepts, promoted, disabled, enabled,
		// resets the password.
		email := "audited-" + uuid.NewString()[:8] + "@example.com"
		inv, err := owner.user.InviteUser(ctx, &v1.InviteUserRequest{Email: email, Role: v1.Role_ROLE_TECHNICIAN, OrganisationIds: []string{ten.Organisations[0]}})
		if err != nil {
			t.Fatalf("invite: %v", err)
		}
		member := inv.GetUser().GetId()
		anon := auditAs(srv, "")
		if _, err := anon.auth.AcceptInvitation(ctx, &v1.AcceptInvitationRequest{
			InvitationToken: testenv.LinkToken(t, srv.WaitMail(t, email, 1).Body), Password: testenv.Password,
		}); err != nil {
			t.Fatalf("accept: %v", err)
		}
		if _, err := owner.user.ChangeUserRole(ctx, &v1.ChangeUserRoleRequest{UserId: member, Role: v1.Role_ROLE_ADMIN}); err != nil {
			t.Fatalf("change role: %v", err)
		}
		if _, err := owner.user.DisableUser(ctx, &v1.DisableUserRequest{UserId: member}); err != nil {
			t.Fatalf("disable: %v", err)
		}
		if _, err := owner.user.EnableUser(ctx, &v1.EnableUserRequest{UserId: member}); err != nil {
			t.Fatalf("enable: %v", err)
		}
		if _, err := anon.auth.RequestPasswordReset(ctx, &v1.RequestPasswordResetRequest{Email: email}); err != nil {
			t.Fatalf("request reset: %v", err)
		}
		if _, err := anon.auth.ResetPassword(ctx, &v1.ResetPasswordRequest{
			ResetToken: testenv.LinkToken(t, srv.WaitMail(t, email, 2).Body), Password: testenv.Password + "-new",
		}); err != nil {
			t.Fatalf("reset password: %v", err)
		}
		// Tenant configuration: policy, guidance, name (a formula, to be
		// neutralised in the export) and retention.
		tenantScope := &v1.PolicyScope{Level: v1.PolicyLevel_POLICY_LEVEL_TENANT}
		if _, err := owner.policy.SetOverride(ctx, &v1.SetOverrideRequest{Scope: tenantScope, CheckId: "system.uptime", Suppress: true, Reason: "audit test"}); err != nil {
			t.Fatalf("set override: %v", err)
		}
		if _, err := owner.policy.SetGuidance(ctx, &v1.SetGuidanceRequest{Scope: tenantScope, Text: "Patch on Tuesdays"}); err != nil {
			t.Fatalf("set guidance: %v", err)
		}
		formula := "=HYPERLINK(\"http://evil.example\",\"x\")"
		if _, err := owner.tenant.UpdateTenant(ctx, &v1.UpdateTenantRequest{Name: formula}); err != nil {
			t.Fatalf("rename tenant: %v", err)
		}
		ret, err := owner.tenant.GetRetention(ctx, &v1.GetRetentionRequest{})
		if err != nil {
			t.Fatalf("get retention: %v", err)
		}
		if ret.GetRetention().GetAuditDays() != 365 {
			t.Fatalf("audit retention %d, want the default 365", ret.GetRetention().GetAuditDays())
		}
		r := ret.GetRetention()
		r.AuditDays = 400
		if _, err := owner.tenant.UpdateRetention(ctx, &v1.UpdateRetentionRequest{Retention: r}); err != nil {
			t.Fatalf("update retention: %v", err)
		}
		end := time.Now().Add(time.Minute)

		// Another tenant with an event of its own.
		other := testenv.NewTenant(t, srv, "Elsewhere")
		otherOwner := auditAs(srv, other.Login(t, other.Owner))
		if _, err := otherOwner.tenant.UpdateTenant(ctx, &v1.UpdateTenantRequest{Name: "Elsewhere renamed"}); err != nil {
			t.Fatalf("rename other tenant: %v", err)
		}

		events := allEvents(t, owner.audit, nil, 0)
		want := []struct{ action, target, actor, detail string }{
			{audit.UserInvite, member, ten.Owner.Email, "as technician"},
			{audit.UserAccept, member, email, "as technician"},
			{audit.UserRoleChange, member, ten.Owner.Email, "technician -> admin"},
			{audit.UserDisable, member, ten.Owner.Email, ""},
			{audit.UserEnable, member, ten.Owner.Email, ""},
			{audit.PasswordReset, member, email, ""},
			{audit.PolicyChange, ten.ID, ten.Owner.Email, "set system.uptime"},
			{audit.PolicyChange, ten.ID, ten.Owner.Email, "guidance: Patch on Tuesdays"},
			{audit.TenantUpdate, ten.ID, ten.Owner.Email, "renamed from Audited"},
			{audit.RetentionChange, ten.ID, ten.Owner.Email, "audit_days 365 -> 400"},
		}
		for _, w := range want {
			e := find(events, w.action, w.target, w.detail)
			if e == nil {
				t.Errorf("%s on %s not in the log", w.action, w.target)
				continue
			}
			at := e.GetCreateTime().AsTime()
			if !strings.EqualFold(e.GetActor(), w.actor) || e.GetActorId() == "" || at.Before(start) || at.After(end) ||
				e.GetSourceAddress() != auditAddr || e.GetUserAgent() != auditUA || !strings.Contains(e.GetDetail(), w.detail) {
				t.Errorf("%s: actor %q (%s) at %v from %q with %q, detail %q; want actor %q from %q with %q, detail with %q",
					w.action, e.GetActor(), e.GetActorId(), at, e.GetSourceAddress(), e.GetUserAgent(), e.GetDetail(), w.actor, auditAddr, auditUA, w.detail)
			}
		}
		if e := find(events, audit.UserAccept, member, ""); e != nil && e.GetActorId() != member {
			t.Errorf("acceptance by %s, want the invitee %s", e.GetActorId(), member)
		}
		// Each event is in its tenant: the tenant column, and the other
		// tenant's rename is not listed here.
		ids := make([]uuid.UUID, 0, len(events))
		for _, e := range events {
			ids = append(ids, uuid.MustParse(e.GetId()))
		}
		sys := bypass.Allow(ctx, "test: read audit events of every tenant")
		if n, err := st.Ent.AuditEvent.Query().Where(auditevent.IDIn(ids...), auditevent.TenantIDNEQ(uuid.MustParse(ten.ID))).Count(sys); err != nil || n != 0 {
			t.Errorf("%d listed events of another tenant (%v)", n, err)
		}
		if e := find(events, audit.TenantUpdate, other.ID, ""); e != nil {
			t.Errorf("the other tenant's rename is in this tenant's log: %v", e)
		}
		otherEvents := allEvents(t, otherOwner.audit, nil, 0)
		for _, e := range otherEvents {
			if e.GetTargetId() == member || e.GetTargetId() == ten.ID || e.GetActorId() == ten.Owner.ID {
				t.Errorf("the other tenant sees %s on %s", e.GetAction(), e.GetTargetId())
			}
		}
		if find(otherEvents, audit.TenantUpdate, other.ID, "") == nil {
			t.Error("the other tenant's rename is not in its own log")
		}

		// Filters.
		check := func(name string, f *v1.AuditFilter, keep func(*v1.AuditEvent) bool) []*v1.AuditEvent {
			t.Helper()
			got := allEvents(t, owner.audit, f, 0)
			var wantIDs, gotIDs []string
			for _, e := range events {
				if keep(e) {
					wantIDs = append(wantIDs, e.GetId())
				}
			}
			for _, e := range got {
				gotIDs = append(gotIDs, e.GetId())
			}
			if len(wantIDs) == 0 || !slices.Equal(gotIDs, wantIDs) {
				t.Errorf("%s: got %d events, want %d (of %d)", name, len(gotIDs), len(wantIDs), len(events))
			}
			return got
		}
		check("action prefix", &v1.AuditFilter{ActionPrefix: "user."}, func(e *v1.AuditEvent) bool { return strings.HasPrefix(e.GetAction(), "user.") })
		check("actor", &v1.AuditFilter{ActorId: member}, func(e *v1.AuditEvent) bool { return e.GetActorId() == member })
		check("target", &v1.AuditFilter{TargetId: member}, func(e *v1.AuditEvent) bool { return e.GetTargetId() == member })
		got := check("text, any case", &v1.AuditFilter{Query: "TECHNICIAN -> ADMIN"}, func(e *v1.AuditEvent) bool {
			return strings.Contains(strings.ToLower(e.GetActor()+"\x00"+e.GetTargetName()+"\x00"+e.GetDetail()), "technician -> admin")
		})
		if len(got) != 1 || got[0].GetAction() != audit.UserRoleChange {
			t.Errorf("text filter found %d events, want the role change", len(got))
		}
		// LIKE wildcards are text.
		for _, e := range allEvents(t, owner.audit, &v1.AuditFilter{Query: "%_"}, 0) {
			if !strings.Contains(e.GetActor()+"\x00"+e.GetTargetName()+"\x00"+e.GetDetail(), "%_") {
				t.Errorf("%q matched %s (%q %q %q)", "%_", e.GetAction(), e.GetActor(), e.GetTargetName(), e.GetDetail())
			}
		}
		mid := find(events, audit.UserDisable, member, "").GetCreateTime()
		check("time range", &v1.AuditFilter{StartTime: mid, EndTime: timestamppb.New(end)}, func(e *v1.AuditEvent) bool {
			return !e.GetCreateTime().AsTime().Before(mid.AsTime())
		})
		if got := allEvents(t, owner.audit, &v1.AuditFilter{StartTime: timestamppb.New(end)}, 0); len(got) != 0 {
			t.Errorf("%d events after the end", len(got))
		}

		// Paging: small pages give the same events in the same order.
		paged := allEvents(t, owner.audit, nil, 2)
		if len(paged) != len(events) {
			t.Fatalf("%d events in pages of 2, %d in one page", len(paged), len(events))
		}
		for i := range paged {
			if paged[i].GetId() != events[i].GetId() {
				t.Fatalf("event %d differs between page sizes", i)
			}
		}
		first, err := owner.audit.ListAuditEvents(ctx, &v1.ListAuditEventsRequest{PageSize: 2})
		if err != nil || first.GetNextPageToken() == "" {
			t.Fatalf("first page: %v", err)
		}
		// A token carries its filter and is refused with another.
		_, err = owner.audit.ListAuditEvents(ctx, &v1.ListAuditEventsRequest{PageSize: 2, PageToken: first.GetNextPageToken(), Filter: &v1.AuditFilter{ActionPrefix: "user."}})
		if testenv.Code(err) != "invalid_argument" || !strings.Contains(err.Error(), "page_token") {
			t.Errorf("token with another filter: %v", err)
		}
		// Another tenant's member or record is unknown here, not an empty log.
		for name, f := range map[string]*v1.AuditFilter{
			"another tenant's member": {ActorId: other.Owner.ID},
			"another tenant's record": {TargetId: other.ID},
		} {
			if _, err := owner.audit.ListAuditEvents(ctx, &v1.ListAuditEventsRequest{Filter: f}); testenv.Code(err) != "not_found" {
				t.Errorf("list with %s: %v", name, err)
			}
			if _, err := owner.audit.ExportAuditEvents(ctx, &v1.ExportAuditEventsRequest{Filter: f}); testenv.Code(err) != "not_found" {
				t.Errorf("export with %s: %v", name, err)
			}
		}
		for name, f := range map[string]*v1.AuditFilter{
			"filter.actor_id":  {ActorId: "not-an-id"},
			"filter.target_id": {TargetId: "42"},
			"filter.end_time":  {StartTime: timestamppb.New(end), EndTime: timestamppb.New(start)},
			"filter.query":     {Query: strings.Repeat("x", 101)},
		} {
			_, err := owner.audit.ListAuditEvents(ctx, &v1.ListAuditEventsRequest{Filter: f})
			if testenv.Code(err) != "invalid_argument" || !strings.Contains(err.Error(), name) {
				t.Errorf("bad %s: %v", name, err)
			}
			_, err = owner.audit.ExportAuditEvents(ctx, &v1.ExportAuditEventsRequest{Filter: f})
			if testenv.Code(err) != "invalid_argument" || !strings.Contains(err.Error(), name) {
				t.Errorf("export with bad %s: %v", name, err)
			}
		}

		// Export: the filtered events as CSV, newest first, formulas
		// neutralised.
		exp, err := owner.audit.ExportAuditEvents(ctx, &v1.ExportAuditEventsRequest{Filter: &v1.AuditFilter{ActionPrefix: "tenant."}})
		if err != nil {
			t.Fatalf("export: %v", err)
		}
		if !bytes.HasPrefix(exp.GetCsv(), []byte{0xEF, 0xBB, 0xBF}) || !strings.HasPrefix(exp.GetFileName(), "audit-") || !strings.HasSuffix(exp.GetFileName(), ".csv") {
			t.Errorf("export file %q starts %q", exp.GetFileName(), exp.GetCsv()[:min(8, len(exp.GetCsv()))])
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(exp.GetCsv(), []byte{0xEF, 0xBB, 0xBF}))).ReadAll()
		if err != nil {
			t.Fatalf("export is not CSV: %v", err)
		}
		tenantEvents := allEvents(t, owner.audit, &v1.AuditFilter{ActionPrefix: "tenant."}, 0)
		if !slices.Equal(recs[0], audit.ExportHeader) || len(recs)-1 != len(tenantEvents) || int(exp.GetRowCount()) != len(tenantEvents) {
			t.Fatalf("export header %v, %d rows (row_count %d), want %d", recs[0], len(recs)-1, exp.GetRowCount(), len(tenantEvents))
		}
		col := func(name string) int { return slices.Index(audit.ExportHeader, name) }
		for i, e := range tenantEvents {
			rec := recs[i+1]
			if rec[col("id")] != e.GetId() || rec[col("action")] != e.GetAction() || rec[col("actor")] != e.GetActor() ||
				rec[col("source_address")] != auditAddr || rec[col("user_agent")] != auditUA {
				t.Errorf("row %d %v, want event %s %s", i+1, rec, e.GetId(), e.GetAction())
			}
			if e.GetAction() == audit.TenantUpdate && e.GetTargetId() == ten.ID && rec[col("target_name")] != "'"+formula {
				t.Errorf("formula exported as %q", rec[col("target_name")])
			}
		}

		// Only owners and admins read the log.
		admin := auditAs(srv, ten.Login(t, ten.Members[viewer.RoleAdmin]))
		if _, err := admin.audit.ListAuditEvents(ctx, &v1.ListAuditEventsRequest{}); err != nil {
			t.Errorf("admin: %v", err)
		}
		for _, role := range []viewer.Role{viewer.RoleTechnician, viewer.RoleViewer, viewer.RoleCustomer} {
			c := auditAs(srv, ten.Login(t, ten.Members[role]))
			if _, err := c.audit.ListAuditEvents(ctx, &v1.ListAuditEventsRequest{}); testenv.Code(err) != "permission_denied" {
				t.Errorf("%s lists: %v", role, err)
			}
			if _, err := c.audit.ExportAuditEvents(ctx, &v1.ExportAuditEventsRequest{}); testenv.Code(err) != "permission_denied" {
				t.Errorf("%s exports: %v", role, err)
			}
		}

		// Append-only: the ent policy refuses changing an event, even to
		// the tenant itself.
		asTenant := bypass.AsTenant(ctx, uuid.MustParse(ten.ID), "test: act as the tenant")
		id := uuid.MustParse(events[0].GetId())
		if err := st.Ent.AuditEvent.UpdateOneID(id).Exec(asTenant); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("update of an audit event: %v", err)
		}
		if _, err := st.Ent.AuditEvent.Update().Where(auditevent.TenantID(uuid.MustParse(ten.ID))).Save(asTenant); err == nil {
			t.Error("bulk update of audit events was allowed")
		}
	})
}
