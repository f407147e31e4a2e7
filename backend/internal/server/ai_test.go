package server_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/ai/provider"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	entnarrative "github.com/wegweiser/wegweiser/ent/narrative"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// fakeModel is a language model that answers every request with one
// answer and counts the calls, never reaching a network.
type fakeModel struct {
	mu     sync.Mutex
	model  string
	answer string
	calls  int
	last   ai.Request
	fail   error
}

func (f *fakeModel) Model() string { return f.model }

func (f *fakeModel) Complete(_ context.Context, req ai.Request, _ func(string)) (ai.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.last = req
	if f.fail != nil {
		return ai.Response{}, f.fail
	}
	return ai.Response{Message: ai.Message{Role: ai.RoleAssistant, Content: f.answer}, PromptTokens: 300, CompletionTokens: 80, Model: f.model}, nil
}

func (f *fakeModel) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// startAIServer starts a server whose tenant endpoints are the fake model.
func startAIServer(t *testing.T, st *store.Store, m *fakeModel) *testenv.Server {
	t.Helper()
	srv := testenv.StartServer(t, st)
	srv.App.AISettings.NewProvider = func(cfg provider.Config) (ai.Provider, error) {
		m.mu.Lock()
		m.model = cfg.Model
		m.mu.Unlock()
		return m, nil
	}
	return srv
}

// TestAISettingsService: owners set the endpoint, every member reads it
// without the key, technicians cannot change it, private literals are
// refused, the test call goes through the effective endpoint (built-in:
// ok and says so) and is counted in the usage.
func TestAISettingsService(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		m := &fakeModel{answer: "OK"}
		srv := startAIServer(t, st, m)
		ten := testenv.NewTenant(t, srv, "aiset")
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))
		tech := srv.Clients(ten.Login(t, ten.Members[viewer.RoleTechnician]))

		res := must(own.AI.TestAISettings(ctx, &v1.TestAISettingsRequest{}))(t)
		if !res.GetOk() || res.GetModel() != ai.BuiltinModel || !strings.Contains(res.GetMessage(), "No language model") {
			t.Fatalf("built-in test: %s", pj(res))
		}
		const key = "sk-live-DO-NOT-LEAK-42"
		up := &v1.UpdateAISettingsRequest{Enabled: true, BaseUrl: "https://llm.example.com/v1", Model: "gpt-fake", ApiKey: key, MonthlyTokenBudget: 50000}
		if _, err := tech.AI.UpdateAISettings(ctx, up); testenv.Code(err) != "permission_denied" {
			t.Fatalf("technician update: %s %v", testenv.Code(err), err)
		}
		set := must(own.AI.UpdateAISettings(ctx, up))(t).GetSettings()
		if !set.GetHasApiKey() || set.GetEffectiveSource() != v1.AISource_AI_SOURCE_TENANT || set.GetEffectiveTokenBudget() != 50000 {
			t.Fatalf("stored: %s", pj(set))
		}
		got := must(tech.AI.GetAISettings(ctx, &v1.GetAISettingsRequest{}))(t)
		if strings.Contains(pj(got), key) || got.GetSettings().GetModel() != "gpt-fake" || !got.GetSettings().GetHasApiKey() {
			t.Fatalf("read back: %s", pj(got))
		}
		for _, bad := range []*v1.UpdateAISettingsRequest{
			{Enabled: true, BaseUrl: "http://127.0.0.1:11434/v1", Model: "m"},
			{Enabled: true, BaseUrl: "http://[fd00::1]/v1", Model: "m"},
			{Enabled: true, BaseUrl: "http://169.254.169.254/v1", Model: "m"},
		} {
			_, err := own.AI.UpdateAISettings(ctx, bad)
			if testenv.Code(err) != "invalid_argument" || !strings.Contains(err.Error(), "base_url") {
				t.Errorf("%s: %s %v", bad.GetBaseUrl(), testenv.Code(err), err)
			}
		}
		if _, err := own.AI.UpdateAISettings(ctx, &v1.UpdateAISettingsRequest{MonthlyTokenBudget: 2_000_000_000}); testenv.Code(err) != "invalid_argument" || !strings.Contains(err.Error(), "monthly_token_budget") {
			t.Errorf("budget: %v", err)
		}
		if _, err := tech.AI.TestAISettings(ctx, &v1.TestAISettingsRequest{}); testenv.Code(err) != "permission_denied" {
			t.Errorf("technician test: %v", err)
		}
		res = must(own.AI.TestAISettings(ctx, &v1.TestAISettingsRequest{}))(t)
		if !res.GetOk() || res.GetModel() != "gpt-fake" || m.count() != 1 {
			t.Fatalf("test through the fake model: %s (%d calls)", pj(res), m.count())
		}
		u := must(own.AI.GetAIUsage(ctx, &v1.GetAIUsageRequest{}))(t)
		if u.GetTokensUsed() != 380 || u.GetTokenBudget() != 50000 || u.GetCallCount() != 1 || len(u.GetCalls()) != 1 {
			t.Fatalf("usage: %s", pj(u))
		}
		c := u.GetCalls()[0]
		if c.GetPurpose() != "test" || c.GetUserId() != ten.Owner.ID || c.GetOutcome() != v1.AICallOutcome_AI_CALL_OUTCOME_OK || strings.Contains(pj(u), key) {
			t.Fatalf("call record: %s", pj(c))
		}
		if _, err := tech.AI.GetAIUsage(ctx, &v1.GetAIUsageRequest{}); testenv.Code(err) != "permission_denied" {
			t.Errorf("technician usage: %v", err)
		}
	})
}

// modelAnswer is what the fake model writes as a narrative: HTML, a link,
// an unknown check and a device that is not the entity's must not survive.
func modelAnswer(deviceID string) string {
	return fmt.Sprintf("```json\n{\"narrative\": \"The disk is <b>failing</b>; see [the guide](https://evil.example/x) now.\","+
		"\"next_steps\": [{\"title\": \"Replace the disk\", \"detail\": \"Order a new one.\", \"effort\": \"project\","+
		"\"check_ids\": [\"storage.smart_health\", \"made.up\"], \"device_ids\": [%q, %q]}]}\n```", deviceID, uuid.NewString())
}

// TestNarratives: without a model Wegweiser writes the narrative from the
// findings; an unchanged device costs nothing once a model is configured
// (no call, no record); a model's narrative is validated and clipped; a
// guidance change makes the stored one stale and queues a new one.
func TestNarratives(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		m := &fakeModel{}
		srv := startAIServer(t, st, m)
		ten := testenv.NewTenant(t, srv, "narr")
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))
		bad := ten.Enrol(t, "narr-disk")
		submitSnapshot(t, srv, bad.Token, sick("narr-disk"))
		waitScored(t, own, bad.DeviceID, nil)
		testenv.SettleJobs(t, srv)

		n := must(own.AI.GetNarrative(ctx, &v1.GetNarrativeRequest{Entity: deviceRef(bad.DeviceID)}))(t).GetNarrative()
		if n == nil || n.GetModel() != ai.BuiltinModel || n.GetStale() || !strings.Contains(n.GetText(), "narr-disk") || len(n.GetNextSteps()) == 0 {
			t.Fatalf("built-in narrative: %s", pj(n))
		}
		var project bool
		for _, s := range n.GetNextSteps() {
			if len(s.GetCheckIds()) != 1 || len(s.GetDeviceIds()) != 1 || s.GetDeviceIds()[0] != bad.DeviceID {
				t.Errorf("step: %s", pj(s))
			}
			project = project || (strings.HasPrefix(s.GetCheckIds()[0], "storage.smart") && s.GetEffort() == v1.Effort_EFFORT_PROJECT)
		}
		if !project {
			t.Errorf("no project-sized step for the failing disk: %s", pj(n))
		}
		org := must(own.AI.GetNarrative(ctx, &v1.GetNarrativeRequest{Entity: entity(v1.EntityKind_ENTITY_KIND_ORGANISATION, ten.Organisations[0])}))(t).GetNarrative()
		if org == nil || org.GetModel() != ai.BuiltinModel || len(org.GetNextSteps()) == 0 {
			t.Fatalf("organisation narrative: %s", pj(org))
		}

		// A model from now on; the device did not change: nothing is called.
		m.mu.Lock()
		m.answer = modelAnswer(bad.DeviceID)
		m.mu.Unlock()
		must(own.AI.UpdateAISettings(ctx, &v1.UpdateAISettingsRequest{Enabled: true, BaseUrl: "https://llm.example.com/v1", Model: "gpt-fake"}))(t)
		tenantID := uuid.MustParse(ten.ID)
		wrote, err := srv.App.Narratives.Write(ctx, tenantID, health.Ref{Kind: health.KindDevice, ID: uuid.MustParse(bad.DeviceID)})
		if err != nil || wrote {
			t.Fatalf("second run wrote %t: %v", wrote, err)
		}
		must(own.AI.RefreshNarrative(ctx, &v1.RefreshNarrativeRequest{Entity: deviceRef(bad.DeviceID)}))(t)
		testenv.SettleJobs(t, srv)
		if m.count() != 0 {
			t.Fatalf("an unchanged device cost %d model calls", m.count())
		}
		if u := must(own.AI.GetAIUsage(ctx, &v1.GetAIUsageRequest{}))(t); u.GetCallCount() != 0 {
			t.Fatalf("call records for an unchanged device: %s", pj(u))
		}

		// Guidance changes what the narrative is written from: stale, and
		// a new one is queued, written by the model.
		must(own.Policy.SetGuidance(ctx, &v1.SetGuidanceRequest{Scope: &v1.PolicyScope{Level: v1.PolicyLevel_POLICY_LEVEL_DEVICE, Id: bad.DeviceID}, Text: "This is the CEO's laptop."}))(t)
		n = must(own.AI.GetNarrative(ctx, &v1.GetNarrativeRequest{Entity: deviceRef(bad.DeviceID)}))(t).GetNarrative()
		if !n.GetStale() || n.GetModel() != ai.BuiltinModel {
			t.Fatalf("after a guidance change: %s", pj(n))
		}
		testenv.SettleJobs(t, srv)
		n = must(own.AI.GetNarrative(ctx, &v1.GetNarrativeRequest{Entity: deviceRef(bad.DeviceID)}))(t).GetNarrative()
		if n.GetStale() || n.GetModel() != "gpt-fake" || m.count() != 1 {
			t.Fatalf("model narrative: %s (%d calls)", pj(n), m.count())
		}
		if strings.ContainsAny(n.GetText(), "<>") || strings.Contains(n.GetText(), "evil.example") || !strings.Contains(n.GetText(), "failing") {
			t.Errorf("text not cleaned: %q", n.GetText())
		}
		if len(n.GetNextSteps()) != 1 {
			t.Fatalf("steps: %s", pj(n))
		}
		s := n.GetNextSteps()[0]
		if s.GetEffort() != v1.Effort_EFFORT_PROJECT || len(s.GetCheckIds()) != 1 || s.GetCheckIds()[0] != "storage.smart_health" ||
			len(s.GetDeviceIds()) != 1 || s.GetDeviceIds()[0] != bad.DeviceID {
			t.Errorf("step not validated: %s", pj(s))
		}
		m.mu.Lock()
		prompt := m.last
		m.mu.Unlock()
		if !strings.Contains(prompt.Messages[0].Content, "CEO's laptop") || !strings.Contains(prompt.Messages[1].Content, "narr-disk") {
			t.Errorf("prompt lacks guidance or data: %+v", prompt.Messages)
		}
		u := must(own.AI.GetAIUsage(ctx, &v1.GetAIUsageRequest{}))(t)
		if u.GetCallCount() != 1 || u.GetCalls()[0].GetPurpose() != "narrative" || u.GetCalls()[0].GetUserId() != "" {
			t.Fatalf("narrative call record: %s", pj(u))
		}
		// A model that fails: the job's error makes River retry, and the
		// organisation keeps its old narrative; the failed call is recorded.
		m.mu.Lock()
		m.fail = apperr.Unavailable(nil, "the endpoint could not be reached")
		m.mu.Unlock()
		must(own.Policy.SetGuidance(ctx, &v1.SetGuidanceRequest{Scope: &v1.PolicyScope{Level: v1.PolicyLevel_POLICY_LEVEL_ORGANISATION, Id: ten.Organisations[0]}, Text: "Servers first."}))(t)
		orgRef := health.Ref{Kind: health.KindOrganisation, ID: uuid.MustParse(ten.Organisations[0])}
		if _, err := srv.App.Narratives.Write(ctx, tenantID, orgRef); err == nil {
			t.Fatal("a failing model wrote a narrative")
		}
		kept, err := st.Ent.Narrative.Query().Where(entnarrative.EntityID(orgRef.ID)).Only(bypass.AsTenant(ctx, tenantID, "test: read the stored narrative"))
		if err != nil || kept.Model != ai.BuiltinModel || kept.Text != org.GetText() {
			t.Fatalf("old narrative not kept: %+v %v", kept, err)
		}
		u = must(own.AI.GetAIUsage(ctx, &v1.GetAIUsageRequest{}))(t)
		if u.GetCallCount() != 2 || u.GetCalls()[0].GetOutcome() != v1.AICallOutcome_AI_CALL_OUTCOME_ERROR {
			t.Fatalf("failed call record: %s", pj(u))
		}
		// The tenant narrative is not for a technician limited to one
		// organisation; a foreign entity is not found.
		tech := srv.Clients(ten.Login(t, ten.Members[viewer.RoleTechnician]))
		if _, err := tech.AI.GetNarrative(ctx, &v1.GetNarrativeRequest{}); testenv.Code(err) != "permission_denied" {
			t.Errorf("scoped tenant narrative: %v", err)
		}
		if _, err := tech.AI.GetNarrative(ctx, &v1.GetNarrativeRequest{Entity: entity(v1.EntityKind_ENTITY_KIND_ORGANISATION, ten.Organisations[1])}); testenv.Code(err) != "not_found" {
			t.Errorf("other organisation's narrative: %v", err)
		}
	})
}

// TestDiscoveryReport: risks highest impact first, each with effort,
// advice, evidence and its devices worst first; unscored devices counted;
// another organisation's report is not found for a scoped technician.
func TestDiscoveryReport(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "disc")
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))
		var ids []string
		for i, s := range []int{20, 1, 3} {
			a := ten.Enrol(t, fmt.Sprintf("disc-%d", i))
			snap := sick(fmt.Sprintf("disc-%d", i))
			v := snap.Storage.Volumes[0]
			v.FreeBytes = v.SizeBytes * int64(s) / 100
			submitSnapshot(t, srv, a.Token, snap)
			ids = append(ids, a.DeviceID)
		}
		for _, id := range ids {
			waitScored(t, own, id, nil)
		}
		testenv.SettleJobs(t, srv)
		rep := must(own.AI.GetDiscoveryReport(ctx, &v1.GetDiscoveryReportRequest{OrganisationId: ten.Organisations[0]}))(t).GetReport()
		if rep.GetOrganisationId() != ten.Organisations[0] || rep.GetHealth() == nil || len(rep.GetRisks()) == 0 || rep.GetNarrative() == nil {
			t.Fatalf("report: %s", pjt(rep))
		}
		// The fixture's devices without snapshots have no score.
		if rep.GetUnscoredDevices() < 1 {
			t.Errorf("unscored devices: %d", rep.GetUnscoredDevices())
		}
		var sawDisk, sawVolume bool
		for i, r := range rep.GetRisks() {
			if i > 0 && r.GetImpact() > rep.GetRisks()[i-1].GetImpact() {
				t.Errorf("risk %s (%v) after one of lower impact", r.GetCheckId(), r.GetImpact())
			}
			if r.GetEffort() == v1.Effort_EFFORT_UNSPECIFIED || r.GetRecommendation() == "" || len(r.GetEvidence()) == 0 || len(r.GetEvidence()) > 5 ||
				int(r.GetFailDevices()+r.GetWarnDevices()) != len(r.GetDevices()) {
				t.Errorf("risk: %s", pj(r))
			}
			if strings.HasPrefix(r.GetCheckId(), "storage.smart") {
				sawDisk = true
				if r.GetEffort() != v1.Effort_EFFORT_PROJECT || r.GetFailDevices() != 3 {
					t.Errorf("disk risk: %s", pj(r))
				}
			}
			if r.GetCheckId() == "storage.volume_free_space" {
				sawVolume = true
				// Worst first: the failing volumes (1 % and 3 % free) before
				// the one that only warns (20 %), whose host name sorts first.
				if len(r.GetDevices()) != 3 || r.GetDevices()[2].GetDeviceId() != ids[0] || r.GetFailDevices() != 2 {
					t.Errorf("volume risk devices not worst first: %s", pj(r))
				}
				if strings.HasPrefix(r.GetEvidence()[0], "disc-0: ") {
					t.Errorf("evidence not worst first: %q", r.GetEvidence())
				}
			}
		}
		if !sawDisk || !sawVolume {
			t.Errorf("risks lack the disk or the volume: %s", pjt(rep))
		}
		tech := srv.Clients(ten.Login(t, ten.Members[viewer.RoleTechnician]))
		must(tech.AI.GetDiscoveryReport(ctx, &v1.GetDiscoveryReportRequest{OrganisationId: ten.Organisations[0]}))(t)
		if _, err := tech.AI.GetDiscoveryReport(ctx, &v1.GetDiscoveryReportRequest{OrganisationId: ten.Organisations[1]}); testenv.Code(err) != "not_found" {
			t.Errorf("scoped technician, other organisation: %s %v", testenv.Code(err), err)
		}
		other := testenv.NewTenant(t, srv, "disc-other")
		if _, err := own.AI.GetDiscoveryReport(ctx, &v1.GetDiscoveryReportRequest{OrganisationId: other.Organisations[0]}); testenv.Code(err) != "not_found" {
			t.Errorf("foreign organisation: %s %v", testenv.Code(err), err)
		}
		if _, err := own.AI.GetDiscoveryReport(ctx, &v1.GetDiscoveryReportRequest{OrganisationId: "nope"}); testenv.Code(err) != "invalid_argument" {
			t.Errorf("bad id: %v", err)
		}
	})
}
