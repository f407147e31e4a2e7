package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/onboarding"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// signUpEmpty signs up a tenant with nothing in it and returns the owner's
// clients.
func signUpEmpty(t *testing.T, srv *testenv.Server, name string) *testenv.Clients {
	t.Helper()
	email := fmt.Sprintf("%s-%s@example.com", name, uuid.NewString()[:8])
	testenv.Call(t, srv.URL, "wegweiser.v1.AuthService/SignUp", "", map[string]any{
		"tenantName": name, "email": email, "password": testenv.Password,
	}).Must(t)
	login := testenv.Call(t, srv.URL, "wegweiser.v1.AuthService/Login", "", map[string]any{"email": email, "password": testenv.Password})
	login.Must(t)
	return srv.Clients(login.Str("accessToken"))
}

// stepOf returns one step of a checklist.
func stepOf(t *testing.T, c *v1.GetChecklistResponse, id v1.ChecklistStepId) *v1.ChecklistStep {
	t.Helper()
	for _, s := range c.GetSteps() {
		if s.GetId() == id {
			return s
		}
	}
	t.Fatalf("no step %s in %s", id, pj(c))
	return nil
}

// TestOnboardingChecklistTicksItself: a new tenant's checklist starts open
// and waiting for a device; each step ticks itself from the tenant's data
// (a revoked key counts, a pending invitation counts), the first device
// appears with its score once analysed, the AI step is optional, and a
// step seen done stays done with its first done time after its data is
// gone.
func TestOnboardingChecklistTicksItself(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		own := signUpEmpty(t, srv, "fresh")
		ctx := context.Background()
		get := func() *v1.GetChecklistResponse {
			return must(own.Onboarding.GetChecklist(ctx, &v1.GetChecklistRequest{}))(t)
		}

		c := get()
		if len(c.GetSteps()) != len(onboarding.Steps) || c.GetComplete() || c.GetDismissed() || c.GetFirstDevice() != nil {
			t.Fatalf("new tenant's checklist: %s", pj(c))
		}
		for _, s := range c.GetSteps() {
			if s.GetDone() || s.GetDoneTime() != nil || s.GetTitle() == "" || !strings.HasPrefix(s.GetActionPath(), "/") {
				t.Errorf("open step: %s", pj(s))
			}
		}
		if ai := stepOf(t, c, v1.ChecklistStepId_CHECKLIST_STEP_ID_CONNECT_AI); !ai.GetOptional() {
			t.Errorf("the AI step is not optional: %s", pj(ai))
		}

		org := must(own.Tenant.CreateOrganisation(ctx, &v1.CreateOrganisationRequest{Name: "First customer"}))(t).GetOrganisation().GetId()
		c = get()
		orgStep := stepOf(t, c, v1.ChecklistStepId_CHECKLIST_STEP_ID_CREATE_ORGANISATION)
		if !orgStep.GetDone() || orgStep.GetDoneTime() == nil {
			t.Fatalf("organisation step after creating one: %s", pj(orgStep))
		}
		if stepOf(t, c, v1.ChecklistStepId_CHECKLIST_STEP_ID_CREATE_ENROLMENT_KEY).GetDone() {
			t.Fatal("key step done without a key")
		}

		// A revoked key still counts: a key was made.
		first := must(own.Enrolment.CreateEnrolmentKey(ctx, &v1.CreateEnrolmentKeyRequest{OrganisationId: org, Description: "first"}))(t)
		must(own.Enrolment.RevokeEnrolmentKey(ctx, &v1.RevokeEnrolmentKeyRequest{Id: first.GetKey().GetId()}))(t)
		c = get()
		if !stepOf(t, c, v1.ChecklistStepId_CHECKLIST_STEP_ID_CREATE_ENROLMENT_KEY).GetDone() {
			t.Fatalf("key step after a revoked key: %s", pj(c))
		}
		if stepOf(t, c, v1.ChecklistStepId_CHECKLIST_STEP_ID_FIRST_DEVICE).GetDone() || c.GetFirstDevice() != nil {
			t.Fatalf("device step done without a device: %s", pj(c))
		}

		// Enrolled but not yet reported: still waiting.
		key := must(own.Enrolment.CreateEnrolmentKey(ctx, &v1.CreateEnrolmentKeyRequest{OrganisationId: org, Description: "second"}))(t)
		enrolled := testenv.Call(t, srv.URL, "wegweiser.agent.v1.AgentService/Enroll", "", map[string]any{
			"enrolmentKey": key.GetSecret(), "hostname": "first-laptop", "platform": "linux", "agentVersion": "test",
		})
		enrolled.Must(t)
		deviceID := enrolled.Str("deviceId")
		if c = get(); c.GetFirstDevice() != nil {
			t.Fatalf("first device before it reported: %s", pj(c))
		}
		submitSnapshot(t, srv, enrolled.Str("deviceToken"), sick("first-laptop"))
		testenv.Eventually(t, "the first device appears scored", func() bool {
			c = get()
			return c.GetFirstDevice() != nil
		})
		fd := c.GetFirstDevice()
		if fd.GetId() != deviceID || fd.GetHostname() != "first-laptop" || !fd.GetHealth().GetScored() || fd.GetHealth().GetScore() <= 0 {
			t.Fatalf("first device: %s", pj(fd))
		}
		if !stepOf(t, c, v1.ChecklistStepId_CHECKLIST_STEP_ID_FIRST_DEVICE).GetDone() || c.GetComplete() {
			t.Fatalf("after the first device: %s", pj(c))
		}

		// A pending invitation counts as a colleague.
		must(own.User.InviteUser(ctx, &v1.InviteUserRequest{Email: "colleague-" + uuid.NewString()[:8] + "@example.com", Role: v1.Role_ROLE_TECHNICIAN}))(t)
		hook := must(own.Alert.CreateWebhook(ctx, &v1.CreateWebhookRequest{Url: "http://127.0.0.1:9/hook"}))(t).GetWebhook().GetId()
		c = get()
		if !stepOf(t, c, v1.ChecklistStepId_CHECKLIST_STEP_ID_INVITE_COLLEAGUE).GetDone() ||
			!stepOf(t, c, v1.ChecklistStepId_CHECKLIST_STEP_ID_SET_UP_ALERTS).GetDone() {
			t.Fatalf("after an invitation and a webhook: %s", pj(c))
		}
		if !c.GetComplete() || stepOf(t, c, v1.ChecklistStepId_CHECKLIST_STEP_ID_CONNECT_AI).GetDone() {
			t.Fatalf("every required step is done but the checklist is not complete (or AI is done): %s", pj(c))
		}
		alertsDone := stepOf(t, c, v1.ChecklistStepId_CHECKLIST_STEP_ID_SET_UP_ALERTS).GetDoneTime().AsTime()

		// Gone data does not reopen a step seen done.
		must(own.Alert.DeleteWebhook(ctx, &v1.DeleteWebhookRequest{Id: hook}))(t)
		c = get()
		s := stepOf(t, c, v1.ChecklistStepId_CHECKLIST_STEP_ID_SET_UP_ALERTS)
		if !s.GetDone() || !s.GetDoneTime().AsTime().Equal(alertsDone) || !c.GetComplete() {
			t.Fatalf("after deleting the only webhook: %s", pj(c))
		}
	})
}

// TestOnboardingDismissAndTours: only owners and admins dismiss the
// tenant's checklist (a technician is refused) and the dismissal is the
// tenant's; tours are remembered per user, bounded, validated, and
// forgotten on request.
func TestOnboardingDismissAndTours(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "onboard")
		other := testenv.NewTenant(t, srv, "other")
		ctx := context.Background()
		as := func(role viewer.Role) *testenv.Clients { return srv.Clients(ten.Login(t, ten.Members[role])) }
		owner, admin, tech, view := as(viewer.RoleOwner), as(viewer.RoleAdmin), as(viewer.RoleTechnician), as(viewer.RoleViewer)

		for _, c := range []*testenv.Clients{tech, view, as(viewer.RoleCustomer)} {
			_, err := c.Onboarding.DismissChecklist(ctx, &v1.DismissChecklistRequest{Dismissed: true})
			if testenv.Code(err) != "permission_denied" {
				t.Fatalf("dismiss without onboarding.manage: %s (%v)", testenv.Code(err), err)
			}
		}
		res := must(admin.Onboarding.DismissChecklist(ctx, &v1.DismissChecklistRequest{Dismissed: true}))(t)
		if !res.GetChecklist().GetDismissed() {
			t.Fatalf("after dismissing: %s", pj(res))
		}
		if c := must(view.Onboarding.GetChecklist(ctx, &v1.GetChecklistRequest{}))(t); !c.GetDismissed() {
			t.Fatalf("a viewer still sees the dismissed checklist: %s", pj(c))
		}
		otherOwner := srv.Clients(other.Login(t, other.Owner))
		if c := must(otherOwner.Onboarding.GetChecklist(ctx, &v1.GetChecklistRequest{}))(t); c.GetDismissed() {
			t.Fatal("another tenant's dismissal hid this tenant's checklist")
		}
		if c := must(owner.Onboarding.DismissChecklist(ctx, &v1.DismissChecklistRequest{}))(t); c.GetChecklist().GetDismissed() {
			t.Fatalf("after bringing it back: %s", pj(c))
		}

		seen := func(c *testenv.Clients) []string {
			return must(c.Onboarding.ListSeenTours(ctx, &v1.ListSeenToursRequest{}))(t).GetTourIds()
		}
		// The fixture's owner has seen the dashboard's tour; nobody else has.
		if got := seen(owner); !slices.Equal(got, []string{"dashboard"}) {
			t.Fatalf("owner's tours: %v", got)
		}
		if got := seen(tech); len(got) != 0 {
			t.Fatalf("technician's tours before any: %v", got)
		}
		must(tech.Onboarding.MarkTourSeen(ctx, &v1.MarkTourSeenRequest{TourId: "devices", Seen: true}))(t)
		must(tech.Onboarding.MarkTourSeen(ctx, &v1.MarkTourSeenRequest{TourId: "devices", Seen: true}))(t) // idempotent
		if got := seen(tech); !slices.Equal(got, []string{"devices"}) {
			t.Fatalf("technician's tours: %v", got)
		}
		if got := seen(owner); !slices.Equal(got, []string{"dashboard"}) {
			t.Fatalf("the technician's tour reached the owner: %v", got)
		}
		if got := seen(otherOwner); !slices.Equal(got, []string{"dashboard"}) {
			t.Fatalf("another tenant's owner: %v", got)
		}
		for _, bad := range []string{"", "Dashboard", "a b", "x/y", strings.Repeat("a", 65)} {
			_, err := tech.Onboarding.MarkTourSeen(ctx, &v1.MarkTourSeenRequest{TourId: bad, Seen: true})
			if testenv.Code(err) != "invalid_argument" || !strings.Contains(err.Error(), "tour_id") {
				t.Errorf("tour id %q: %s (%v)", bad, testenv.Code(err), err)
			}
		}
		// Bounded: past MaxSeenTours the oldest are forgotten.
		for i := range onboarding.MaxSeenTours + 5 {
			must(tech.Onboarding.MarkTourSeen(ctx, &v1.MarkTourSeenRequest{TourId: fmt.Sprintf("tour-%02d", i), Seen: true}))(t)
		}
		got := seen(tech)
		if len(got) != onboarding.MaxSeenTours || slices.Contains(got, "devices") || slices.Contains(got, "tour-00") ||
			!slices.Contains(got, fmt.Sprintf("tour-%02d", onboarding.MaxSeenTours+4)) {
			t.Fatalf("after %d more tours: %d kept: %v", onboarding.MaxSeenTours+5, len(got), got)
		}
		// Forgetting makes it play again.
		must(owner.Onboarding.MarkTourSeen(ctx, &v1.MarkTourSeenRequest{TourId: "dashboard"}))(t)
		if got := seen(owner); len(got) != 0 {
			t.Fatalf("owner's tours after forgetting: %v", got)
		}
		if got := seen(otherOwner); !slices.Equal(got, []string{"dashboard"}) {
			t.Fatalf("forgetting reached another tenant: %v", got)
		}
	})
}
