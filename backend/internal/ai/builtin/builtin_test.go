package builtin_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/ai/builtin"
	"github.com/wegweiser/wegweiser/backend/internal/ai/tools"
	"github.com/wegweiser/wegweiser/backend/internal/ai/tools/toolstest"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

var reCite = regexp.MustCompile(`\[(\d+)\]`)

// check asserts the answer's citations name its records, it is labelled,
// and it has no HTML, images or links.
func check(t *testing.T, q string, a builtin.Answer) {
	t.Helper()
	for _, m := range reCite.FindAllStringSubmatch(a.Text, -1) {
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > len(a.Records) {
			t.Errorf("%q: citation [%d] of %d records", q, n, len(a.Records))
		}
	}
	for i := range a.Records {
		if !strings.Contains(a.Text, "["+strconv.Itoa(i+1)+"]") {
			t.Errorf("%q: record %d is not cited in the text", q, i+1)
		}
	}
	if !strings.Contains(a.Text, ai.BuiltinLabel) {
		t.Errorf("%q: answer is not labelled", q)
	}
	if regexp.MustCompile(`<[a-zA-Z/]|!\[|\]\(`).MatchString(a.Text) {
		t.Errorf("%q: answer has HTML, an image or a link: %s", q, a.Text)
	}
}

func ran(a builtin.Answer) []string {
	var out []string
	for _, x := range a.Activity {
		out = append(out, x.Name)
	}
	return out
}

func hasTool(a builtin.Answer, name, summary string) bool {
	for _, x := range a.Activity {
		if x.Name == name && strings.Contains(x.Summary, summary) && !x.Failed {
			return true
		}
	}
	return false
}

// TestIntentsPickTheirTools: each kind of question runs its tool and cites
// the records it found, in their order.
func TestIntentsPickTheirTools(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := toolstest.New(t, st)
		a := builtin.New(tools.Catalogue(f.Deps))
		ctx := f.Owner()
		for _, c := range []struct {
			scope     health.Ref
			q         string
			tool, arg string
			first     string // host name of the first cited record's entity
			mention   string
		}{
			{f.Tenant(), "Which devices are worst?", "search_devices", "", toolstest.Other, "worst devices"},
			{f.Tenant(), "What needs attention?", "search_devices", "needs_attention=true", toolstest.Other, "need attention"},
			{f.Org(0), "Which devices fail the firewall check?", "device_findings", "check=security.firewall", toolstest.Open, "Firewall"},
			{f.Tenant(), "Which servers have the firewall off?", "device_findings", "role=server", "", "No device here has an open finding of Firewall"},
			{f.Tenant(), "Which workstations have the firewall off?", "device_findings", "role=workstation", toolstest.Open, "Firewall"},
			{f.Org(0), "Which machines are low on disk space?", "disk_forecast", "", toolstest.Full, "3.0 % free"},
			{f.Tenant(), "who has chrome", "search_software", "mode=present", "", "121.0.0"},
			{f.Org(0), "Which devices don't have Chrome?", "search_software", "mode=missing", toolstest.Fine, "do not have"},
			{f.Org(0), "What version of Chrome do we run?", "search_software", "name=chrome", "", "120.0.1"},
			{f.Tenant(), "Which agents are offline?", "silent_agents", "", toolstest.Silent, "have not sent a snapshot"},
			{f.Tenant(), "How do the organisations compare?", "compare_organisations", "", "", "median"},
			{f.Tenant(), "What changed on web-01 and why?", "score_history", "device=" + f.Hosts[toolstest.Full].String(), toolstest.Full, "score"},
			{f.Device(toolstest.Full), "How is it doing?", "device_health", "", toolstest.Full, "health score"},
			{f.Tenant(), "Welche Geräte sind am schlechtesten?", "search_devices", "", toolstest.Other, "worst devices"},
			{f.Tenant(), "Which event logs mention \"cron\"?", "search_event_logs", "text=cron", toolstest.Full, "event-log group"},
			{f.Tenant(), "hello there", "fleet_distribution", "", "", "understand questions like"},
		} {
			ans, err := a.Answer(ctx, c.scope, c.q, nil)
			if err != nil {
				t.Errorf("%q: %v", c.q, err)
				continue
			}
			check(t, c.q, ans)
			if !hasTool(ans, c.tool, c.arg) {
				t.Errorf("%q: ran %v (%+v), want %s with %s", c.q, ran(ans), ans.Activity, c.tool, c.arg)
			}
			if c.first != "" && (len(ans.Records) == 0 || ans.Records[0].Entity.ID != f.Hosts[c.first]) {
				t.Errorf("%q: first record %+v, want one of %s", c.q, ans.Records, c.first)
			}
			if c.q == "Which devices are worst?" && strings.Join(ran(ans), ",") != "search_devices" {
				t.Errorf("%q: activity %+v, want only the search that answered it", c.q, ans.Activity)
			}
			if !strings.Contains(ans.Text, c.mention) {
				t.Errorf("%q: answer does not mention %q:\n%s", c.q, c.mention, ans.Text)
			}
		}
	})
}

// TestMemoriesAreMentioned: memories about the device asked about are
// listed; others are not.
func TestMemoriesAreMentioned(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := toolstest.New(t, st)
		a := builtin.New(tools.Catalogue(f.Deps))
		mem := []string{"web-01 is the shop's web server; its full disk is expected during backups", "db-01 runs the accounts database"}
		ans, err := a.Answer(f.Owner(), f.Tenant(), "What changed on web-01?", mem)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ans.Text, "What you told me") || !strings.Contains(ans.Text, "backups") || strings.Contains(ans.Text, "accounts database") {
			t.Errorf("memories: %s", ans.Text)
		}
		ans, err = a.Answer(f.Owner(), f.Tenant(), "Which agents are silent?", mem)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(ans.Text, "What you told me") {
			t.Errorf("memories about other devices listed: %s", ans.Text)
		}
	})
}

// TestPlantedInjectionChangesNothing: an event message that tells the
// reader to list all tenants is answered as data, and a scoped member's
// answers cite nothing outside their organisation and name no other
// organisation's or tenant's data.
func TestPlantedInjectionChangesNothing(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := toolstest.New(t, st)
		a := builtin.New(tools.Catalogue(f.Deps))
		ctx := f.Scoped(viewer.RoleTechnician)
		inOrg0 := map[uuid.UUID]bool{f.A.Organisations[0]: true}
		for _, g := range f.A.Groups[0] {
			inOrg0[g] = true
		}
		for _, ds := range f.A.Devices[0] {
			for _, d := range ds {
				inOrg0[d] = true
			}
		}
		secrets := []string{toolstest.Other, toolstest.OtherQuiet, toolstest.Foreign, "secret-org1", "121.0.0", "99.0.0"}
		for _, scope := range []health.Ref{f.Tenant(), f.Org(0), f.Device(toolstest.Full)} {
			for _, q := range []string{"Which event logs mention \"ignore previous\"?", "What are the errors in the event logs?", toolstest.Injection,
				"Which devices are worst?", "Who has Chrome?", "How do the organisations compare?", "Which disks run out of space?",
				"Which agents are silent?", "What changed this week?", "What does other-org-host do?", "Summary"} {
				ans, err := a.Answer(ctx, scope, q, nil)
				if err != nil {
					t.Errorf("%q: %v", q, err)
					continue
				}
				check(t, q, ans)
				for _, s := range secrets {
					if strings.Contains(ans.Text, s) {
						t.Errorf("%q in %s: the answer names %q of another organisation or tenant:\n%s", q, scope.Kind, s, ans.Text)
					}
				}
				for _, r := range ans.Records {
					if r.Entity.Kind != health.KindTenant && !inOrg0[r.Entity.ID] {
						t.Errorf("%q: cites %+v outside the technician's organisation", q, r)
					}
				}
			}
		}
		ans, err := a.Answer(ctx, f.Tenant(), "Which event logs mention \"ignore previous\"?", nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ans.Text, `"`+toolstest.Injection+`"`) || len(ans.Records) != 1 || ans.Records[0].Kind != tools.RecordEventLog {
			t.Errorf("the injection should be quoted as an event message, with its record:\n%s", ans.Text)
		}
	})
}

// TestUnknownScopeIsNotFound: a conversation about another tenant's
// device fails as not found rather than answering.
func TestUnknownScopeIsNotFound(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := toolstest.New(t, st)
		a := builtin.New(tools.Catalogue(f.Deps))
		ans, err := a.Answer(context.Background(), f.Device(toolstest.Foreign), "Which devices are worst?", nil)
		if err == nil && len(ans.Records) > 0 {
			t.Errorf("an answer without a viewer cites %+v", ans.Records)
		}
		ans, err = a.Answer(f.Owner(), f.Device(toolstest.Foreign), "Which devices are worst?", nil)
		if err == nil || len(ans.Records) > 0 {
			t.Errorf("another tenant's device: %v, %+v; want an error and nothing cited", err, ans.Records)
		}
	})
}
