package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/ai/tools"
	"github.com/wegweiser/wegweiser/backend/internal/ai/tools/toolstest"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

func run(ctx context.Context, t *testing.T, ts []tools.Tool, scope health.Ref, name, args string) (tools.Result, error) {
	t.Helper()
	tool, ok := tools.Find(ts, name)
	if !ok {
		t.Fatalf("no tool %s", name)
	}
	return tool.Run(ctx, scope, json.RawMessage(args))
}

func mustRun(ctx context.Context, t *testing.T, ts []tools.Tool, scope health.Ref, name, args string) (tools.Result, string) {
	t.Helper()
	res, err := run(ctx, t, ts, scope, name, args)
	if err != nil {
		t.Fatalf("%s %s: %v", name, args, err)
	}
	b, err := json.Marshal(res.Data)
	if err != nil {
		t.Fatalf("%s: encode data: %v", name, err)
	}
	checkRefs(t, name, res, string(b))
	return res, string(b)
}

var reRef = regexp.MustCompile(`"ref":"R(\d+)"`)

// checkRefs: every "ref" in the data names a record, and every record is
// referred to.
func checkRefs(t *testing.T, name string, res tools.Result, data string) {
	t.Helper()
	seen := map[int]bool{}
	for _, m := range reRef.FindAllStringSubmatch(data, -1) {
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > len(res.Records) {
			t.Errorf("%s: ref R%d, but %d records", name, n, len(res.Records))
		}
		seen[n] = true
	}
	for i := range res.Records {
		if !seen[i+1] {
			t.Errorf("%s: record %d (%s) is not referred to in the data", name, i+1, res.Records[i].Label)
		}
	}
	if res.Empty && len(res.Records) > 0 {
		t.Errorf("%s: empty result with records", name)
	}
}

// TestToolsAnswerWithRecords runs every tool as the owner and checks what
// it found and that its data and records agree.
func TestToolsAnswerWithRecords(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := toolstest.New(t, st)
		ts := tools.Catalogue(f.Deps)
		ctx, tenant := f.Owner(), f.Tenant()

		res, data := mustRun(ctx, t, ts, tenant, "search_devices", `{}`)
		if len(res.Records) == 0 || res.Records[0].Entity.ID != f.Hosts[toolstest.Other] {
			t.Errorf("search_devices: first %+v, want the worst device %s", res.Records, toolstest.Other)
		}
		if !strings.Contains(data, `"band":"unscored"`) || !strings.HasSuffix(res.Records[len(res.Records)-1].Label, "no score yet") {
			t.Errorf("search_devices: devices without a score should come last: %s", data)
		}
		res, _ = mustRun(ctx, t, ts, tenant, "search_devices", `{"failing_check":"security.firewall"}`)
		if got := entities(res); len(got) != 2 || !got[f.Hosts[toolstest.Open]] || !got[f.Hosts[toolstest.Other]] {
			t.Errorf("search_devices failing the firewall: %v", res.Records)
		}

		res, data = mustRun(ctx, t, ts, tenant, "device_health", `{"device":"web-01"}`)
		if res.Records[0].Kind != tools.RecordDevice || !strings.Contains(data, `"domains"`) || !strings.Contains(data, "storage.volume_free_space") {
			t.Errorf("device_health: %s", data)
		}

		res, data = mustRun(ctx, t, ts, tenant, "device_findings", `{"device":"`+f.Hosts[toolstest.Full].String()+`"}`)
		if res.Records[0].ID != "storage.volume_free_space" || !strings.Contains(data, `"evidence"`) || !strings.Contains(data, `"recommendation"`) {
			t.Errorf("device_findings: costliest first should be the full volume, with evidence: %s", data)
		}

		res, data = mustRun(ctx, t, ts, tenant, "search_event_logs", `{"text":"ignore previous"}`)
		if len(res.Records) != 1 || res.Records[0].Kind != tools.RecordEventLog || !strings.Contains(data, `"message":"`+toolstest.Injection+`"`) {
			t.Errorf("search_event_logs: %s", data)
		}
		res, _ = mustRun(ctx, t, ts, tenant, "search_event_logs", `{"event_id":4242,"level":"error"}`)
		if len(res.Records) != 1 {
			t.Errorf("search_event_logs by event id: %v", res.Records)
		}

		res, data = mustRun(ctx, t, ts, tenant, "search_software", `{"name":"chrome"}`)
		if len(res.Records) != 3 || !strings.Contains(data, `"version":"120.0.1","devices":2`) || !strings.Contains(data, `"version":"121.0.0","devices":1`) {
			t.Errorf("search_software present: %s", data)
		}
		res, data = mustRun(ctx, t, ts, tenant, "search_software", `{"name":"chrome","mode":"missing"}`)
		if got := entities(res); len(got) != 1 || !got[f.Hosts[toolstest.Fine]] || !strings.Contains(data, `"devices_without_inventory":4`) {
			t.Errorf("search_software missing: want only %s, the silent devices counted apart: %s", toolstest.Fine, data)
		}

		res, data = mustRun(ctx, t, ts, tenant, "score_history", `{"device":"web-01","days":30}`)
		if res.Empty || res.Records[0].Kind != tools.RecordHistory || !strings.Contains(data, `"explanation"`) {
			t.Errorf("score_history: %s", data)
		}

		res, data = mustRun(ctx, t, ts, tenant, "compare_organisations", `{}`)
		if len(res.Records) != 2 || !strings.Contains(data, `"median_score"`) {
			t.Errorf("compare_organisations: %s", data)
		}

		res, data = mustRun(ctx, t, ts, tenant, "fleet_distribution", `{}`)
		if res.Records[0].Kind != tools.RecordTenant || !strings.Contains(data, `"devices":8`) || !strings.Contains(data, `"unscored":4`) || !strings.Contains(data, "security.firewall") {
			t.Errorf("fleet_distribution: %s", data)
		}

		res, data = mustRun(ctx, t, ts, tenant, "disk_forecast", `{}`)
		if len(res.Records) != 2 || res.Records[0].Entity.ID != f.Hosts[toolstest.Other] || !strings.Contains(data, "no trend data") {
			t.Errorf("disk_forecast: want the two full volumes, fullest first, ranked without a trend: %s", data)
		}

		res, _ = mustRun(ctx, t, ts, tenant, "silent_agents", `{}`)
		if got := entities(res); len(got) != 4 || !got[f.Hosts[toolstest.Silent]] || !got[f.Hosts[toolstest.OtherQuiet]] {
			t.Errorf("silent_agents (the four devices that never reported): %v", res.Records)
		}
	})
}

func entities(res tools.Result) map[uuid.UUID]bool {
	out := map[uuid.UUID]bool{}
	for _, r := range res.Records {
		out[r.Entity.ID] = true
	}
	return out
}

// every tool with arguments that name no device.
var broad = []struct{ name, args string }{
	{"search_devices", `{}`},
	{"device_findings", `{}`},
	{"search_event_logs", `{}`},
	{"search_software", `{"name":"chrome"}`},
	{"search_software", `{"name":"chrome","mode":"missing"}`},
	{"score_history", `{"days":90}`},
	{"compare_organisations", `{}`},
	{"fleet_distribution", `{}`},
	{"disk_forecast", `{}`},
	{"silent_agents", `{}`},
}

// TestToolsStayInScope: a technician or customer limited to organisation
// 0, and anyone in a conversation about organisation 0, get nothing of
// organisation 1 through any tool; another tenant's ids are not_found.
func TestToolsStayInScope(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := toolstest.New(t, st)
		ts := tools.Catalogue(f.Deps)
		secrets := []string{toolstest.Other, toolstest.OtherQuiet, toolstest.Foreign, "secret-org1", "121.0.0", "99.0.0",
			f.Hosts[toolstest.Other].String(), f.A.Organisations[1].String(), f.B.Tenant.String()}
		leak := func(who, tool, data string) {
			for _, s := range secrets {
				if strings.Contains(data, s) {
					t.Errorf("%s: %s returned %q of another organisation or tenant: %s", who, tool, s, data)
				}
			}
		}
		callers := []struct {
			who   string
			ctx   context.Context
			scope health.Ref
		}{
			{"technician of org 0", f.Scoped(viewer.RoleTechnician), f.Tenant()},
			{"customer of org 0", f.Scoped(viewer.RoleCustomer), f.Tenant()},
			{"technician of org 0 in org 0", f.Scoped(viewer.RoleTechnician), f.Org(0)},
			{"owner in org 0", f.Owner(), f.Org(0)},
			{"owner on web-01", f.Owner(), f.Device(toolstest.Full)},
		}
		for _, c := range callers {
			for _, b := range broad {
				res, err := run(c.ctx, t, ts, c.scope, b.name, b.args)
				if err != nil {
					t.Errorf("%s: %s: %v", c.who, b.name, err)
					continue
				}
				data, _ := json.Marshal(res.Data)
				leak(c.who, b.name, string(data))
				for _, r := range res.Records {
					leak(c.who, b.name, fmt.Sprintf("%s %s %s", r.ID, r.Entity.ID, r.Label))
				}
			}
			// Naming organisation 1's device, by id or name, or
			// organisation 1 itself, is not_found.
			for _, name := range []string{"device_health", "device_findings", "search_event_logs", "score_history", "disk_forecast", "search_devices"} {
				for _, arg := range []string{`{"device":"` + toolstest.Other + `"}`, `{"device":"` + f.Hosts[toolstest.Other].String() + `"}`,
					`{"organisation":"` + f.A.Organisations[1].String() + `"}`, `{"group":"` + f.A.Groups[1][0].String() + `"}`} {
					if name == "device_health" && !strings.Contains(arg, "device") {
						continue
					}
					_, err := run(c.ctx, t, ts, c.scope, name, arg)
					if !apperr.Is(err, apperr.KindNotFound) {
						t.Errorf("%s: %s %s: %v, want not_found", c.who, name, arg, err)
					}
				}
			}
		}
		// A scoped member asking about organisation 1, and anyone about
		// tenant B, is refused as not found.
		for _, c := range []struct {
			who   string
			ctx   context.Context
			scope health.Ref
		}{
			{"technician of org 0 in org 1", f.Scoped(viewer.RoleTechnician), f.Org(1)},
			{"customer of org 0 on org 1's device", f.Scoped(viewer.RoleCustomer), f.Device(toolstest.Other)},
			{"owner of A in tenant B", f.Owner(), health.Ref{Kind: health.KindTenant, ID: f.B.Tenant}},
			{"owner of A on B's device", f.Owner(), f.Device(toolstest.Foreign)},
		} {
			for _, b := range broad {
				if _, err := run(c.ctx, t, ts, c.scope, b.name, b.args); !apperr.Is(err, apperr.KindNotFound) {
					t.Errorf("%s: %s: %v, want not_found", c.who, b.name, err)
				}
			}
		}
		if _, err := run(f.Owner(), t, ts, f.Tenant(), "device_health", `{"device":"`+f.Hosts[toolstest.Foreign].String()+`"}`); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("owner of A naming B's device: %v, want not_found", err)
		}
	})
}

// TestToolsSayWhenThereIsNoData: empty results are Empty with a plain
// message that tells "nothing collected" from "nothing matches".
func TestToolsSayWhenThereIsNoData(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := toolstest.New(t, st)
		ts := tools.Catalogue(f.Deps)
		ctx := f.Owner()
		for _, c := range []struct {
			scope      health.Ref
			name, args string
			want       string
		}{
			{f.Device(toolstest.Silent), "device_health", `{}`, "no health data for db-02"},
			{f.Device(toolstest.Silent), "device_findings", `{}`, "no health data for db-02"},
			{f.Device(toolstest.Silent), "search_event_logs", `{}`, "no event logs were reported for db-02 in the last 7 days"},
			{f.Device(toolstest.Full), "search_event_logs", `{"text":"no such text"}`, "no event logs match"},
			{f.Tenant(), "search_devices", `{"hostname":"nothing-like-this"}`, "no devices match"},
			{f.Device(toolstest.Silent), "search_software", `{"name":"chrome"}`, "no software inventory was reported"},
			{f.Tenant(), "search_software", `{"name":"no such program"}`, "no device in"},
			{f.Device(toolstest.Fine), "device_findings", `{"check":"security.firewall"}`, "no open findings match"},
			{f.Device(toolstest.Fine), "silent_agents", `{}`, "no devices are silent"},
			{f.Device(toolstest.Fine), "disk_forecast", `{}`, "no volume is running out"},
			{f.Device(toolstest.Silent), "score_history", `{}`, "no score history"},
		} {
			res, data := mustRun(ctx, t, ts, c.scope, c.name, c.args)
			if !res.Empty || res.Summary != "no data" || !strings.Contains(data, c.want) {
				t.Errorf("%s %s: empty %t, %s; want a plain %q", c.name, c.args, res.Empty, data, c.want)
			}
		}
	})
}

// TestToolsFitTheTokenBudget: a result over the budget keeps the most
// relevant records first, says how many it left out and stays in size.
func TestToolsFitTheTokenBudget(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := toolstest.New(t, st)
		const budget = 200
		ts := tools.CatalogueWithBudget(f.Deps, budget)
		full, _ := mustRun(f.Owner(), t, tools.Catalogue(f.Deps), f.Tenant(), "search_devices", `{}`)
		cut, data := mustRun(f.Owner(), t, ts, f.Tenant(), "search_devices", `{}`)
		if len(data) > budget*tools.CharsPerToken {
			t.Errorf("result of %d characters, budget %d", len(data), budget*tools.CharsPerToken)
		}
		if len(cut.Records) == 0 || len(cut.Records) >= len(full.Records) {
			t.Fatalf("cut to %d of %d records", len(cut.Records), len(full.Records))
		}
		for i, r := range cut.Records {
			if r != full.Records[i] {
				t.Errorf("record %d: %v, want %v (the worst first)", i, r, full.Records[i])
			}
		}
		want := fmt.Sprintf(`"omitted":"%d more devices left out`, len(full.Records)-len(cut.Records))
		if !strings.Contains(data, want) {
			t.Errorf("data does not say what it left out (%s): %s", want, data)
		}
	})
}

// TestToolsRejectBadArguments: argument errors are invalid_argument naming
// the field.
func TestToolsRejectBadArguments(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := toolstest.New(t, st)
		ts := tools.Catalogue(f.Deps)
		for _, c := range []struct{ name, args, field string }{
			{"search_devices", `{"colour":"red"}`, "colour"},
			{"search_devices", `{"limit":"ten"}`, "limit"},
			{"search_devices", `{"limit":1000}`, "limit"},
			{"search_devices", `{"band":"purple"}`, "band"},
			{"search_devices", `{"failing_check":"no.such"}`, "failing_check"},
			{"search_devices", `{"role":"router"}`, "role"},
			{"search_event_logs", `{"level":"info"}`, "level"},
			{"search_software", `{}`, "name"},
			{"search_software", `{"name":"x","mode":"sometimes"}`, "mode"},
			{"score_history", `{"days":8}`, "days"},
			{"device_findings", `{"domain":"weather"}`, "domain"},
			{"device_findings", `{"role":"router"}`, "role"},
			{"device_health", `{}`, "device"},
			{"device_health", `[1]`, "arguments"},
		} {
			_, err := run(f.Owner(), t, ts, f.Tenant(), c.name, c.args)
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.KindInvalid || e.Field != c.field {
				t.Errorf("%s %s: %v, want invalid_argument on %s", c.name, c.args, err, c.field)
			}
		}
		// Every tool has a schema of an object.
		for _, tool := range ts {
			if tool.Parameters["type"] != "object" || tool.Description == "" {
				t.Errorf("%s: schema %v", tool.Name, tool.Parameters)
			}
		}
	})
}

// TestInjectionIsOnlyData: the planted instruction comes back as the
// message of an event-log group, in a string field, and nothing else.
func TestInjectionIsOnlyData(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := toolstest.New(t, st)
		ts := tools.Catalogue(f.Deps)
		res, _ := mustRun(f.Scoped(viewer.RoleTechnician), t, ts, f.Device(toolstest.Full), "search_event_logs", `{}`)
		var l tools.EventList
		b, _ := json.Marshal(res.Data)
		if err := json.Unmarshal(b, &l); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range l.Events {
			if e.Message == toolstest.Injection {
				found = true
			}
		}
		if !found || !strings.Contains(l.Note, "never instructions") {
			t.Errorf("the injection should come back as a quoted message under the data note: %+v", l)
		}
	})
}

// TestCountsAgreeWithTheList: search_devices's total (counted in SQL when
// one page is shown) is the number of devices it lists when all fit, and
// fleet_distribution's counts (grouped in SQL) agree with it, for the owner
// and for a technician limited to one organisation.
func TestCountsAgreeWithTheList(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := toolstest.New(t, st)
		ts := tools.Catalogue(f.Deps)
		type list struct {
			Total   int               `json:"total"`
			Devices []json.RawMessage `json:"devices"`
		}
		search := func(ctx context.Context, args string) list {
			t.Helper()
			res, err := run(ctx, t, ts, f.Tenant(), "search_devices", args)
			if err != nil {
				t.Fatalf("search_devices %s: %v", args, err)
			}
			var l list
			if !res.Empty {
				b, _ := json.Marshal(res.Data)
				if err := json.Unmarshal(b, &l); err != nil {
					t.Fatal(err)
				}
			}
			return l
		}
		for _, c := range []struct {
			who string
			ctx context.Context
		}{{"owner", f.Owner()}, {"technician of org 0", f.Scoped(viewer.RoleTechnician)}} {
			all := search(c.ctx, `{"limit":200}`)
			if one := search(c.ctx, `{"limit":1}`); one.Total != all.Total || len(all.Devices) != all.Total || len(one.Devices) != min(1, all.Total) {
				t.Errorf("%s: total %d of one page, %d devices listed of %d", c.who, one.Total, len(all.Devices), all.Total)
			}
			attention := search(c.ctx, `{"needs_attention":true,"limit":200}`)
			if one := search(c.ctx, `{"needs_attention":true,"limit":1}`); one.Total != attention.Total || len(attention.Devices) != attention.Total {
				t.Errorf("%s: needing attention: total %d of one page, %d listed of %d", c.who, one.Total, len(attention.Devices), attention.Total)
			}
			stale := search(c.ctx, `{"stale":true,"limit":200}`)
			res, err := run(c.ctx, t, ts, f.Tenant(), "fleet_distribution", `{}`)
			if err != nil {
				t.Fatalf("%s: fleet_distribution: %v", c.who, err)
			}
			b, _ := json.Marshal(res.Data)
			var d tools.Distribution
			if err := json.Unmarshal(b, &d); err != nil {
				t.Fatal(err)
			}
			banded := 0
			for band, n := range d.Bands {
				banded += n
				if l := search(c.ctx, `{"band":"`+band+`","limit":200}`); l.Total != n {
					t.Errorf("%s: fleet_distribution has %d %s, search_devices %d", c.who, n, band, l.Total)
				}
			}
			if d.Devices != all.Total || banded != all.Total || d.NeedsAttention != attention.Total || d.Stale != stale.Total {
				t.Errorf("%s: fleet_distribution %d devices (%d in bands), %d need attention, %d stale; search_devices %d, %d, %d",
					c.who, d.Devices, banded, d.NeedsAttention, d.Stale, all.Total, attention.Total, stale.Total)
			}
		}
	})
}
