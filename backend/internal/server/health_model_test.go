package server_test

import (
	"context"
	"testing"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// TestHealthScoringModelIsTheAnalyzers: GetScoringModel serves the
// analyzer's own domain weights, band ranges, penalties and caps (the SPA
// shows these and keeps no copy), every band range agrees with BandOf, and
// any member may read it but not an anonymous caller.
func TestHealthScoringModelIsTheAnalyzers(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "model")
		ctx := context.Background()
		if _, err := srv.Clients("").Health.GetScoringModel(ctx, &v1.GetScoringModelRequest{}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("anonymous GetScoringModel: %v, want unauthenticated", err)
		}
		customer := srv.Clients(ten.Login(t, ten.Members[viewer.RoleCustomer]))
		m := must(customer.Health.GetScoringModel(ctx, &v1.GetScoringModelRequest{}))(t)

		domains := m.GetDomains()
		if len(domains) != len(analyzer.Domains()) {
			t.Fatalf("domains %v, want %d", domains, len(analyzer.Domains()))
		}
		sum := 0
		for i, d := range analyzer.Domains() {
			got := domains[i]
			if got.GetDomain() != string(d) || int(got.GetWeight()) != analyzer.DomainWeight(d) || int(got.GetFactorPercent()) != analyzer.DomainFactor(d) {
				t.Errorf("domain %d: %v, want %s weight %d factor %d", i, got, d, analyzer.DomainWeight(d), analyzer.DomainFactor(d))
			}
			sum += int(got.GetWeight())
		}
		if sum != 100 {
			t.Errorf("served weights sum to %d, want 100", sum)
		}

		bands := m.GetBands()
		if len(bands) != len(analyzer.Bands()) {
			t.Fatalf("bands %v, want %d", bands, len(analyzer.Bands()))
		}
		wantEnum := map[analyzer.Band]v1.Band{
			"healthy": v1.Band_BAND_HEALTHY, "fair": v1.Band_BAND_FAIR, "poor": v1.Band_BAND_POOR, "critical": v1.Band_BAND_CRITICAL,
		}
		for i, b := range analyzer.Bands() {
			got := bands[i]
			lo, hi := int(got.GetMinScore()), int(got.GetMaxScore())
			if got.GetName() != string(b.Name) || got.GetBand() != wantEnum[b.Name] || lo != b.Min || hi != b.Max {
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

		penalties := m.GetPenalties()
		if len(penalties) != len(analyzer.Severities()) {
			t.Fatalf("penalties %v", penalties)
		}
		for i, sev := range analyzer.Severities() {
			got := penalties[i]
			if got.GetSeverity() != string(sev) || int(got.GetFail()) != analyzer.Penalty(analyzer.Fail, sev) || int(got.GetWarn()) != analyzer.Penalty(analyzer.Warn, sev) {
				t.Errorf("penalty %d: %v, want %s fail %d warn %d", i, got, sev, analyzer.Penalty(analyzer.Fail, sev), analyzer.Penalty(analyzer.Warn, sev))
			}
		}
		for k, c := range map[string]struct {
			got  int32
			want int
		}{
			"device_cap_critical":  {m.GetDeviceCapCritical(), analyzer.CapCritical},
			"device_cap_high":      {m.GetDeviceCapHigh(), analyzer.CapHigh},
			"device_cap_two_high":  {m.GetDeviceCapTwoHigh(), analyzer.CapTwoHigh},
			"server_weight":        {m.GetServerWeight(), analyzer.ServerWeight},
			"rollup_cap_critical":  {m.GetRollupCapCritical(), analyzer.RollUpCapCritical},
			"rollup_cap_poor":      {m.GetRollupCapPoor(), analyzer.RollUpCapPoor},
			"rollup_share_percent": {m.GetRollupSharePercent(), analyzer.RollUpShare},
		} {
			if int(c.got) != c.want {
				t.Errorf("%s = %d, want %d", k, c.got, c.want)
			}
		}
		for k, c := range map[string]struct{ got, want string }{
			"device_rule":          {m.GetDeviceRule(), analyzer.DeviceRule},
			"rollup_rule":          {m.GetRollupRule(), analyzer.RollUpRule},
			"needs_attention_rule": {m.GetNeedsAttentionRule(), analyzer.NeedsAttentionRule},
			"version":              {m.GetVersion(), analyzer.Version},
		} {
			if c.got != c.want {
				t.Errorf("%s = %q, want %q", k, c.got, c.want)
			}
		}
	})
}
