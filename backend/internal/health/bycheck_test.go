package health_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/devicefinding"
	"github.com/wegweiser/wegweiser/ent/devicehealth"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// TestAnalysisKeepsFindingRows: an analysis stores its unsuppressed
// warnings and failures as rows and its costliest one as the top reason;
// the next analysis replaces them, so a fixed problem leaves no row.
func TestAnalysisKeepsFindingRows(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		dev, err := st.Ent.Device.Get(b.ctx, b.h.Devices[0][0][0])
		if err != nil {
			t.Fatal(err)
		}
		snap := testenv.SampleSnapshot(dev.Hostname, 3, 0)
		snap.Security.Firewall[0].Enabled = false
		snap.Storage.Volumes[0].FreeBytes = 2 << 30
		analyse := func() {
			t.Helper()
			ack, err := b.ingest.Submit(b.ctx, dev, snap)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.svc.AnalyzeDevice(context.Background(), b.h.Tenant, dev.ID, ack.SnapshotID); err != nil {
				t.Fatal(err)
			}
		}
		check := func(label string) []string {
			t.Helper()
			h, err := st.Ent.DeviceHealth.Query().Where(devicehealth.DeviceID(dev.ID)).Only(b.ctx)
			if err != nil {
				t.Fatal(err)
			}
			var fs []analyzer.Finding
			if err := json.Unmarshal(h.Findings, &fs); err != nil {
				t.Fatal(err)
			}
			issues := health.Issues(fs)
			rows, err := st.Ent.DeviceFinding.Query().Where(devicefinding.DeviceID(dev.ID)).All(b.ctx)
			if err != nil {
				t.Fatal(err)
			}
			var want, got []string
			for _, f := range issues {
				want = append(want, f.CheckID+"|"+f.Subject+"|"+string(f.Status))
			}
			for _, r := range rows {
				got = append(got, r.CheckID+"|"+r.Subject+"|"+r.Status)
				if r.OrganisationID != dev.OrganisationID || r.GroupID == nil || *r.GroupID != *dev.GroupID {
					t.Errorf("%s: finding row not placed with its device: %+v", label, r)
				}
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s: finding rows %v, want the analysis's issues %v", label, got, want)
			}
			if h.IssueCount != len(issues) {
				t.Errorf("%s: issue count %d, want %d", label, h.IssueCount, len(issues))
			}
			if len(issues) > 0 && (h.TopCheckID != issues[0].CheckID || h.TopTitle != issues[0].Title) {
				t.Errorf("%s: top reason %q %q, want %q %q", label, h.TopCheckID, h.TopTitle, issues[0].CheckID, issues[0].Title)
			}
			var ids []string
			for _, f := range issues {
				ids = append(ids, f.CheckID)
			}
			return ids
		}
		analyse()
		before := check("firewall off, disk full")
		if !slices.Contains(before, "security.firewall") || !slices.Contains(before, "storage.volume_free_space") {
			t.Fatalf("the broken machine's issues are %v; want the firewall and free space among them", before)
		}
		snap = testenv.SampleSnapshot(dev.Hostname, 3, 0)
		analyse()
		if after := check("fixed"); slices.Contains(after, "security.firewall") {
			t.Errorf("the firewall is on again but its finding row stayed: %v", after)
		}
	})
}

// TestIssuesOrderCostliestFirst: the top reason is the finding that costs
// the most; suppressed findings and passes are not issues.
func TestIssuesOrderCostliestFirst(t *testing.T) {
	fs := []analyzer.Finding{
		{CheckID: "a", Status: analyzer.Warn, Severity: "medium", Penalty: 5},
		{CheckID: "b", Status: analyzer.Fail, Severity: "critical", Penalty: 0, Suppressed: true},
		{CheckID: "c", Status: analyzer.Fail, Severity: "high", Penalty: 20},
		{CheckID: "d", Status: "pass", Severity: "info"},
		{CheckID: "e", Status: analyzer.Warn, Severity: "high", Penalty: 20},
	}
	var got []string
	for _, f := range health.Issues(fs) {
		got = append(got, f.CheckID)
	}
	if want := []string{"c", "e", "a"}; !slices.Equal(got, want) {
		t.Errorf("issues %v, want %v", got, want)
	}
}

// TestCheckSummariesByScope: the by-check view counts failing and warning
// devices per check in the tenant, an organisation and a group, orders by
// impact and names the costliest example; a customer limited to one
// organisation gets the counts of its devices only, and a device is no
// scope.
func TestCheckSummariesByScope(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		h := b.h
		d := h.Devices
		// firewall: fails on 000 (critical, 30) and 100 (high, 20), warns on
		// 001 (medium, 5) and on 101 beside a failure of another subject
		// (counted as failing once). antivirus: warns on 010 (high, 10).
		type row struct {
			o, g, i          int
			check, subject   string
			status, severity string
			penalty          int
		}
		for _, r := range []row{
			{0, 0, 0, "security.firewall", "", "fail", "critical", 30},
			{1, 0, 0, "security.firewall", "", "fail", "high", 20},
			{0, 0, 1, "security.firewall", "", "warn", "medium", 5},
			{1, 0, 1, "security.firewall", "public", "fail", "high", 20},
			{1, 0, 1, "security.firewall", "private", "warn", "medium", 5},
			{0, 1, 0, "security.antivirus", "", "warn", "high", 10},
		} {
			err := st.Ent.DeviceFinding.Create().SetTenantID(h.Tenant).SetDeviceID(d[r.o][r.g][r.i]).
				SetOrganisationID(h.Organisations[r.o]).SetGroupID(h.Groups[r.o][r.g]).SetCheckID(r.check).SetSubject(r.subject).
				SetDomain("security").SetStatus(r.status).SetSeverity(r.severity).SetPenalty(r.penalty).SetTitle(r.check + " " + r.subject).
				Exec(b.ctx)
			if err != nil {
				t.Fatal(err)
			}
		}
		type count struct {
			check            string
			fail, warn, cost int
			severity         string
		}
		summarise := func(ctx context.Context, ref health.Ref) ([]count, int, []health.CheckSummary) {
			t.Helper()
			cs, n, err := b.svc.CheckSummaries(ctx, ref, "")
			if err != nil {
				t.Fatalf("%+v: %v", ref, err)
			}
			var out []count
			for _, c := range cs {
				out = append(out, count{c.CheckID, c.DevicesFailing, c.DevicesWarning, c.Impact, string(c.Severity)})
			}
			return out, n, cs
		}
		owner := h.As(viewer.RoleOwner)
		got, n, cs := summarise(owner, health.Ref{Kind: health.KindTenant})
		want := []count{{"security.firewall", 3, 1, 30 + 20 + 5 + 20, "critical"}, {"security.antivirus", 0, 1, 10, "high"}}
		if !slices.Equal(got, want) || n != 8 {
			t.Errorf("tenant: %+v over %d devices, want %+v over 8", got, n, want)
		}
		if w := cs[0].Worst; w.DeviceID != d[0][0][0] || w.Penalty != 30 || w.Hostname == "" {
			t.Errorf("worst firewall example: %+v, want device 000 with its host name", w)
		}
		if cs[0].Title == "" || cs[0].Title == cs[0].Worst.Title {
			t.Errorf("the summary's title should be the catalogue's, got %q", cs[0].Title)
		}
		got, n, _ = summarise(owner, health.Ref{Kind: health.KindOrganisation, ID: h.Organisations[1]})
		want = []count{{"security.firewall", 2, 0, 40, "high"}}
		if !slices.Equal(got, want) || n != 4 {
			t.Errorf("organisation 1: %+v over %d devices, want %+v over 4", got, n, want)
		}
		got, n, _ = summarise(owner, health.Ref{Kind: health.KindGroup, ID: h.Groups[0][1]})
		want = []count{{"security.antivirus", 0, 1, 10, "high"}}
		if !slices.Equal(got, want) || n != 2 {
			t.Errorf("group 0/1: %+v over %d devices, want %+v over 2", got, n, want)
		}
		customer := h.As(viewer.RoleCustomer, h.Organisations[1])
		got, n, cs = summarise(customer, health.Ref{Kind: health.KindTenant})
		want = []count{{"security.firewall", 2, 0, 40, "high"}}
		if !slices.Equal(got, want) || n != 4 {
			t.Errorf("customer of organisation 1, tenant scope: %+v over %d devices, want %+v over 4", got, n, want)
		}
		if w := cs[0].Worst.DeviceID; w != d[1][0][0] && w != d[1][0][1] {
			t.Errorf("the customer's worst example is device %s of another organisation", w)
		}
		// Both fail at 20 with high severity: the lower device id is the
		// example, in SQL's order as in Go's.
		tie := d[1][0][0]
		if d[1][0][1].String() < tie.String() {
			tie = d[1][0][1]
		}
		if w := cs[0].Worst; w.DeviceID != tie || w.Penalty != 20 || w.Status != "fail" {
			t.Errorf("the customer's worst example: %+v, want the failure of device %s", w, tie)
		}
		if _, _, err := b.svc.CheckSummaries(customer, health.Ref{Kind: health.KindOrganisation, ID: h.Organisations[0]}, ""); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("customer asking for another organisation: %v, want not found", err)
		}
		if _, _, err := b.svc.CheckSummaries(owner, health.Ref{Kind: health.KindTenant, ID: uuid.New()}, ""); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("another tenant: %v, want not found", err)
		}
		if _, _, err := b.svc.CheckSummaries(owner, health.Ref{Kind: health.KindDevice, ID: d[0][0][0]}, ""); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("a device as scope: %v, want invalid", err)
		}
		if cs, _, err := b.svc.CheckSummaries(owner, health.Ref{Kind: health.KindTenant}, "storage"); err != nil || len(cs) != 0 {
			t.Errorf("storage domain: %+v, %v; want none (all rows are security)", cs, err)
		}
	})
}
