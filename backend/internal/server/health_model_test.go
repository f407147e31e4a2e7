package server_test

import (
	"testing"

	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

const getScoringModel = "wegweiser.v1.HealthService/GetScoringModel"

// TestHealthScoringModelIsTheAnalyzers: GetScoringModel serves the
// analyzer's own domain weights, band ranges, penalties and caps (the SPA
// shows these and keeps no copy), every band range agrees with BandOf, and
// any member may read it but not an anonymous caller.
func TestHealthScoringModelIsTheAnalyzers(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "model")
		if c := testenv.Call(t, srv.URL, getScoringModel, "", map[string]any{}).Code; c != "unauthenticated" {
			t.Fatalf("anonymous GetScoringModel: %s, want unauthenticated", c)
		}
		r := testenv.Call(t, srv.URL, getScoringModel, ten.Login(t, ten.Members[viewer.RoleCustomer]), map[string]any{})
		r.Must(t)

		domains, _ := r.Body["domains"].([]any)
		if len(domains) != len(analyzer.Domains()) {
			t.Fatalf("domains %v, want %d", domains, len(analyzer.Domains()))
		}
		sum := 0
		for i, d := range analyzer.Domains() {
			got := domains[i].(map[string]any)
			if got["domain"] != string(d) || int(got["weight"].(float64)) != analyzer.DomainWeight(d) || int(got["factorPercent"].(float64)) != analyzer.DomainFactor(d) {
				t.Errorf("domain %d: %v, want %s weight %d factor %d", i, got, d, analyzer.DomainWeight(d), analyzer.DomainFactor(d))
			}
			sum += int(got["weight"].(float64))
		}
		if sum != 100 {
			t.Errorf("served weights sum to %d, want 100", sum)
		}

		bands, _ := r.Body["bands"].([]any)
		if len(bands) != len(analyzer.Bands()) {
			t.Fatalf("bands %v, want %d", bands, len(analyzer.Bands()))
		}
		wantEnum := map[analyzer.Band]string{"healthy": "BAND_HEALTHY", "fair": "BAND_FAIR", "poor": "BAND_POOR", "critical": "BAND_CRITICAL"}
		for i, b := range analyzer.Bands() {
			got := bands[i].(map[string]any)
			lo, hi := int(got["minScore"].(float64)), int(got["maxScore"].(float64))
			if got["name"] != string(b.Name) || got["band"] != wantEnum[b.Name] || lo != b.Min || hi != b.Max {
				t.Errorf("band %d: %v, want %+v", i, got, b)
			}
			for s := lo; s <= hi; s++ {
				if analyzer.BandOf(s) != b.Name {
					t.Errorf("score %d is %s by BandOf but served in %s %d–%d", s, analyzer.BandOf(s), b.Name, lo, hi)
				}
			}
		}
		if analyzer.BandOf(analyzer.Bands()[len(analyzer.Bands())-1].Min-1) != "unscored" {
			t.Errorf("a score below the last band is not unscored")
		}

		penalties, _ := r.Body["penalties"].([]any)
		if len(penalties) != len(analyzer.Severities()) {
			t.Fatalf("penalties %v", penalties)
		}
		for i, sev := range analyzer.Severities() {
			got := penalties[i].(map[string]any)
			num := func(k string) int { f, _ := got[k].(float64); return int(f) }
			if got["severity"] != string(sev) || num("fail") != analyzer.Penalty(analyzer.Fail, sev) || num("warn") != analyzer.Penalty(analyzer.Warn, sev) {
				t.Errorf("penalty %d: %v, want %s fail %d warn %d", i, got, sev, analyzer.Penalty(analyzer.Fail, sev), analyzer.Penalty(analyzer.Warn, sev))
			}
		}
		for k, want := range map[string]int{
			"deviceCapCritical": analyzer.CapCritical, "deviceCapHigh": analyzer.CapHigh, "serverWeight": analyzer.ServerWeight,
			"rollupCapCritical": analyzer.RollUpCapCritical, "rollupCapPoor": analyzer.RollUpCapPoor,
			"deviceCapTwoHigh": analyzer.CapTwoHigh, "rollupSharePercent": analyzer.RollUpShare,
		} {
			if got, _ := r.Body[k].(float64); int(got) != want {
				t.Errorf("%s = %v, want %d", k, r.Body[k], want)
			}
		}
		for k, want := range map[string]string{"deviceRule": analyzer.DeviceRule, "rollupRule": analyzer.RollUpRule, "needsAttentionRule": analyzer.NeedsAttentionRule} {
			if r.Body[k] != want {
				t.Errorf("%s = %v, want %q", k, r.Body[k], want)
			}
		}
		if r.Body["version"] != analyzer.Version {
			t.Errorf("version %v, want %s", r.Body["version"], analyzer.Version)
		}
	})
}
