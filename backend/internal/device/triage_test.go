package device_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/device"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	entdevice "github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// fleet is the hierarchy with health written for triage: a score, band,
// freshness, findings and software per device.
type fleet struct {
	*bundle
	// d[o][g][i] is device i of group g of organisation o.
	d [2][2][2]uuid.UUID
}

type healthRow struct {
	score     int
	band      string
	scored    bool
	age       time.Duration // since the snapshot was received
	findings  []findingRow
	attention bool // as the analysis stores it
}

type findingRow struct {
	check, status, severity string
	penalty                 int
}

// newFleet writes, for devices [org][group][i]:
//
//	000: 40 critical, firewall fail critical        (attention)
//	001: 75 fair, firewall warn medium, AV warn high (attention: the analysis says so)
//	010: 75 fair                                      (no attention)
//	011: 95 healthy, stale                            (no attention)
//	100: 75 fair, firewall fail medium                (no attention)
//	101: 60 poor, stored before needs_attention       (attention: the band)
//	110: fresh but unscored                           (no attention)
//	111: never analysed                               (no attention)
//
// and software 7-Zip 23.01 on 001 and 100, 7-Zip 22.00 on 010.
func newFleet(t *testing.T, st *store.Store) *fleet {
	t.Helper()
	f := &fleet{bundle: setup(t, st)}
	f.d = f.h.Devices
	ctx := bypass.AsTenant(context.Background(), f.h.Tenant, "test fixture: health rows")
	rows := map[uuid.UUID]healthRow{
		f.d[0][0][0]: {40, "critical", true, time.Hour, []findingRow{{"security.firewall", "fail", "critical", 30}}, true},
		f.d[0][0][1]: {75, "fair", true, time.Hour, []findingRow{{"security.firewall", "warn", "medium", 5}, {"security.antivirus", "warn", "high", 10}}, true},
		f.d[0][1][0]: {75, "fair", true, time.Hour, nil, false},
		f.d[0][1][1]: {95, "healthy", true, 48 * time.Hour, nil, false},
		f.d[1][0][0]: {75, "fair", true, time.Hour, []findingRow{{"security.firewall", "fail", "medium", 12}}, false},
		f.d[1][0][1]: {60, "poor", true, time.Hour, nil, false},
		f.d[1][1][0]: {0, "", false, time.Hour, nil, false},
	}
	for o := range 2 {
		for g := range 2 {
			for i := range 2 {
				id := f.d[o][g][i]
				r, ok := rows[id]
				if !ok {
					continue
				}
				received := time.Now().UTC().Add(-r.age)
				var top findingRow
				for _, fr := range r.findings {
					if fr.penalty > top.penalty {
						top = fr
					}
					err := st.Ent.DeviceFinding.Create().SetTenantID(f.h.Tenant).SetDeviceID(id).SetOrganisationID(f.h.Organisations[o]).
						SetGroupID(f.h.Groups[o][g]).SetCheckID(fr.check).SetDomain("security").SetStatus(fr.status).
						SetSeverity(fr.severity).SetPenalty(fr.penalty).SetTitle(fr.check + " " + fr.status).Exec(ctx)
					if err != nil {
						t.Fatal(err)
					}
				}
				err := st.Ent.DeviceHealth.Create().SetTenantID(f.h.Tenant).SetDeviceID(id).SetOrganisationID(f.h.Organisations[o]).
					SetGroupID(f.h.Groups[o][g]).SetScore(r.score).SetBand(r.band).SetScored(r.scored).SetCoverage(1).
					SetDomains(json.RawMessage("[]")).SetFindings(json.RawMessage("[]")).SetSnapshotReceivedAt(received).
					SetComputedAt(received).SetTopCheckID(top.check).SetTopTitle(top.check + " " + top.status).
					SetTopSeverity(top.severity).SetIssueCount(len(r.findings)).SetNeedsAttention(r.attention).Exec(ctx)
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for _, sw := range []struct {
		dev     uuid.UUID
		org     uuid.UUID
		version string
	}{{f.d[0][0][1], f.h.Organisations[0], "23.01"}, {f.d[1][0][0], f.h.Organisations[1], "23.01"}, {f.d[0][1][0], f.h.Organisations[0], "22.00"}} {
		err := st.Ent.InstalledSoftware.Create().SetTenantID(f.h.Tenant).SetDeviceID(sw.dev).SetOrganisationID(sw.org).
			SetName("7-Zip").SetVersion(sw.version).Exec(ctx)
		if err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// all pages through List with pageSize and returns the device ids in order.
func (f *fleet) all(ctx context.Context, t *testing.T, flt device.Filter, pageSize int) []uuid.UUID {
	t.Helper()
	var out []uuid.UUID
	token := ""
	for range 20 {
		items, next, err := f.svc.List(ctx, flt, pageSize, token)
		if err != nil {
			t.Fatalf("list %+v: %v", flt, err)
		}
		for _, it := range items {
			out = append(out, it.Device.ID)
		}
		if next == "" {
			return out
		}
		token = next
	}
	t.Fatal("paging did not end")
	return nil
}

func sortedIDs(ids ...uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return compareUUID(a, b) })
	return out
}

func compareUUID(a, b uuid.UUID) int {
	for i := range a {
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return 0
}

func reversed(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.Reverse(out)
	return out
}

// TestListByScorePagesAcrossTies: score order is worst first ascending,
// best first descending, ties broken by id and unscored devices last in
// both directions; pages of two cut through the three devices at 75 and
// the two unscored ones without losing or repeating any.
func TestListByScorePagesAcrossTies(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := newFleet(t, st)
		d := f.d
		ties := sortedIDs(d[0][0][1], d[0][1][0], d[1][0][0])
		unscored := sortedIDs(d[1][1][0], d[1][1][1])
		asc := slices.Concat([]uuid.UUID{d[0][0][0], d[1][0][1]}, ties, []uuid.UUID{d[0][1][1]}, unscored)
		desc := slices.Concat([]uuid.UUID{d[0][1][1]}, reversed(ties), []uuid.UUID{d[1][0][1], d[0][0][0]}, reversed(unscored))
		for _, size := range []int{1, 2, 3, 50} {
			if got := f.all(f.owner, t, device.Filter{Order: device.OrderScore}, size); !slices.Equal(got, asc) {
				t.Errorf("ascending, pages of %d:\n got %v\nwant %v", size, got, asc)
			}
			if got := f.all(f.owner, t, device.Filter{Order: device.OrderScore, Descending: true}, size); !slices.Equal(got, desc) {
				t.Errorf("descending, pages of %d:\n got %v\nwant %v", size, got, desc)
			}
		}
	})
}

// TestListTriageFilters: bands (and "no score"), stale, failing check,
// needs attention and software select exactly the devices written for
// them, and combine with each other and with the sort; Count agrees.
func TestListTriageFilters(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := newFleet(t, st)
		d := f.d
		cases := []struct {
			name string
			flt  device.Filter
			want []uuid.UUID
		}{
			{"poor and critical", device.Filter{Bands: []string{"critical", "poor"}}, []uuid.UUID{d[0][0][0], d[1][0][1]}},
			{"fair", device.Filter{Bands: []string{"fair"}}, []uuid.UUID{d[0][0][1], d[0][1][0], d[1][0][0]}},
			{"no score", device.Filter{Bands: []string{device.Unscored}}, []uuid.UUID{d[1][1][0], d[1][1][1]}},
			{"healthy or no score", device.Filter{Bands: []string{device.Unscored, "healthy"}}, []uuid.UUID{d[0][1][1], d[1][1][0], d[1][1][1]}},
			{"stale", device.Filter{StaleOnly: true}, []uuid.UUID{d[0][1][1], d[1][1][1]}},
			{"failing firewall", device.Filter{FailingCheck: "security.firewall"}, []uuid.UUID{d[0][0][0], d[0][0][1], d[1][0][0]}},
			{"failing antivirus", device.Filter{FailingCheck: "security.antivirus"}, []uuid.UUID{d[0][0][1]}},
			{"failing a clean check", device.Filter{FailingCheck: "storage.smart_health"}, nil},
			{"needs attention", device.Filter{NeedsAttention: true}, []uuid.UUID{d[0][0][0], d[0][0][1], d[1][0][1]}},
			{"needs attention and stale", device.Filter{NeedsAttention: true, StaleOnly: true}, nil},
			{"7-Zip 23.01", device.Filter{Software: &device.Software{Name: "7-Zip", Version: "23.01"}}, []uuid.UUID{d[0][0][1], d[1][0][0]}},
			{"7-Zip 22.00", device.Filter{Software: &device.Software{Name: "7-Zip", Version: "22.00"}}, []uuid.UUID{d[0][1][0]}},
			{"7-Zip without a version", device.Filter{Software: &device.Software{Name: "7-Zip"}}, nil},
			{"failing firewall in fair", device.Filter{FailingCheck: "security.firewall", Bands: []string{"fair"}}, []uuid.UUID{d[0][0][1], d[1][0][0]}},
			{"7-Zip 23.01 in organisation 1", device.Filter{Software: &device.Software{Name: "7-Zip", Version: "23.01"}, OrganisationID: f.h.Organisations[1]}, []uuid.UUID{d[1][0][0]}},
		}
		for _, c := range cases {
			got := f.all(f.owner, t, c.flt, 2)
			if !slices.Equal(sortedIDs(got...), sortedIDs(c.want...)) {
				t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			}
			if n, err := f.svc.Count(f.owner, c.flt); err != nil || n != len(c.want) {
				t.Errorf("%s: count %d, %v; want %d", c.name, n, err, len(c.want))
			}
		}
		// With the score order the filtered list is sorted too: firewall
		// devices worst first, ties by id.
		got := f.all(f.owner, t, device.Filter{FailingCheck: "security.firewall", Order: device.OrderScore}, 1)
		want := append([]uuid.UUID{d[0][0][0]}, sortedIDs(d[0][0][1], d[1][0][0])...)
		if !slices.Equal(got, want) {
			t.Errorf("firewall by score: got %v, want %v", got, want)
		}
	})
}

// TestSummaryAgreesWithFilters: the summary each device carries says what
// the SQL filters decide (needs attention, stale, band), and names the
// costliest finding as the top reason.
func TestSummaryAgreesWithFilters(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := newFleet(t, st)
		items, _, err := f.svc.List(f.owner, device.Filter{}, 50, "")
		if err != nil {
			t.Fatal(err)
		}
		attention := f.all(f.owner, t, device.Filter{NeedsAttention: true}, 50)
		stale := f.all(f.owner, t, device.Filter{StaleOnly: true}, 50)
		for _, it := range items {
			id := it.Device.ID
			if it.Health.NeedsAttention != slices.Contains(attention, id) {
				t.Errorf("device %s: summary says needs attention %t, the filter disagrees", id, it.Health.NeedsAttention)
			}
			if it.Health.Stale != slices.Contains(stale, id) {
				t.Errorf("device %s: summary says stale %t, the filter disagrees", id, it.Health.Stale)
			}
		}
		byID := map[uuid.UUID]device.Summary{}
		for _, it := range items {
			byID[it.Device.ID] = it.Health
		}
		if s := byID[f.d[0][0][1]]; s.TopCheckID != "security.antivirus" || s.TopSeverity != "high" || s.IssueCount != 2 || s.Score != 75 || s.Band != "fair" {
			t.Errorf("summary of the fair device with two warnings: %+v", s)
		}
		if s := byID[f.d[1][1][0]]; s.Scored || s.Band != device.Unscored || s.Score != 0 {
			t.Errorf("summary of the unscored device: %+v", s)
		}
		if s := byID[f.d[1][1][1]]; s.Scored || !s.Stale || s.ComputedAt != nil {
			t.Errorf("summary of the device never analysed: %+v", s)
		}
	})
}

// TestCustomerSeesOnlyItsDevices: a customer limited to one organisation
// gets only its devices from every triage filter and sort.
func TestCustomerSeesOnlyItsDevices(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := newFleet(t, st)
		d := f.d
		customer := f.h.As(viewer.RoleCustomer, f.h.Organisations[1])
		cases := []struct {
			name string
			flt  device.Filter
			want []uuid.UUID
		}{
			{"by score", device.Filter{Order: device.OrderScore}, slices.Concat([]uuid.UUID{d[1][0][1], d[1][0][0]}, sortedIDs(d[1][1][0], d[1][1][1]))},
			{"failing firewall", device.Filter{FailingCheck: "security.firewall"}, []uuid.UUID{d[1][0][0]}},
			{"needs attention", device.Filter{NeedsAttention: true}, []uuid.UUID{d[1][0][1]}},
			{"7-Zip 23.01", device.Filter{Software: &device.Software{Name: "7-Zip", Version: "23.01"}}, []uuid.UUID{d[1][0][0]}},
		}
		for _, c := range cases {
			got := f.all(customer, t, c.flt, 1)
			if c.flt.Order != device.OrderScore {
				got = sortedIDs(got...)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			}
			if n, err := f.svc.Count(customer, c.flt); err != nil || n != len(c.want) {
				t.Errorf("%s: count %d, %v; want %d", c.name, n, err, len(c.want))
			}
		}
	})
}

// TestListByRole: the role filter keeps the devices of that role, in the
// list and in its count, and a token of one role is refused for another.
func TestListByRole(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := newFleet(t, st)
		d := f.d
		ctx := bypass.AsTenant(context.Background(), f.h.Tenant, "test fixture: device roles")
		for _, id := range []uuid.UUID{d[0][0][0], d[1][0][0]} {
			if err := st.Ent.Device.UpdateOneID(id).SetRole(entdevice.RoleServer).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		flt := device.Filter{Role: "server", Order: device.OrderScore}
		if got, want := f.all(f.owner, t, flt, 1), []uuid.UUID{d[0][0][0], d[1][0][0]}; !slices.Equal(got, want) {
			t.Errorf("servers by score: got %v, want %v", got, want)
		}
		if n, err := f.svc.Count(f.owner, flt); err != nil || n != 2 {
			t.Errorf("servers: count %d, %v; want 2", n, err)
		}
		if n, err := f.svc.Count(f.owner, device.Filter{Role: "workstation"}); err != nil || n != 0 {
			t.Errorf("workstations: count %d, %v; want 0", n, err)
		}
		_, next, err := f.svc.List(f.owner, flt, 1, "")
		if err != nil || next == "" {
			t.Fatalf("first page: %q, %v", next, err)
		}
		if _, _, err := f.svc.List(f.owner, device.Filter{Order: device.OrderScore}, 1, next); err == nil {
			t.Error("a token of the server list was accepted without the role filter")
		}
	})
}

// TestTriageTokenKeepsItsFilters: a page token of one filter is refused
// with another, so a client cannot mix pages of two lists.
func TestTriageTokenKeepsItsFilters(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := newFleet(t, st)
		_, next, err := f.svc.List(f.owner, device.Filter{Order: device.OrderScore, Bands: []string{"fair"}}, 1, "")
		if err != nil || next == "" {
			t.Fatalf("first page: %q, %v", next, err)
		}
		if _, _, err := f.svc.List(f.owner, device.Filter{Order: device.OrderScore, Bands: []string{"poor"}}, 1, next); err == nil {
			t.Error("a token of the fair band was accepted for the poor band")
		}
		if _, _, err := f.svc.List(f.owner, device.Filter{Order: device.OrderScore, Bands: []string{"fair"}, FailingCheck: "security.firewall"}, 1, next); err == nil {
			t.Error("a token without the check filter was accepted with it")
		}
	})
}

// TestUnknownCheckAfterScope: an unknown check id is invalid_argument, but
// only once the organisation and group filters were found: a filter naming
// an organisation the caller cannot see stays not_found.
func TestUnknownCheckAfterScope(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		b := setup(t, st)
		if _, _, err := b.svc.List(b.owner, device.Filter{FailingCheck: "security.no_such_check"}, 10, ""); !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("unknown check: %v, want invalid", err)
		}
		tech := b.h.As(viewer.RoleTechnician, b.h.Organisations[0])
		f := device.Filter{OrganisationID: b.h.Organisations[1], FailingCheck: "security.no_such_check"}
		if _, _, err := b.svc.List(tech, f, 10, ""); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("unknown check in an invisible organisation: %v, want not found", err)
		}
	})
}
