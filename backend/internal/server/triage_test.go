package server_test

import (
	"context"
	"testing"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// TestTriageThroughTheAPI: after real agents reported, the device list
// sorted by score starts with the sick machine and carries its band, top
// reason and attention mark; the by-check view counts it under its top
// reason's check, and that check's device list is the sick machine alone;
// software opens the devices that run it; a customer gets the by-check view
// of its organisation and not_found for another.
func TestTriageThroughTheAPI(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "triage")
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))
		bad := ten.Enrol(t, "bad-disk")
		good := ten.Enrol(t, "all-good")
		submitSnapshot(t, srv, bad.Token, sick("bad-disk"))
		submitSnapshot(t, srv, good.Token, testenv.SampleSnapshot("all-good", 20, 0))
		waitScored(t, own, bad.DeviceID, nil)
		waitScored(t, own, good.DeviceID, nil)
		waitScored(t, own, ten.Agent.DeviceID, nil)

		list := must(own.Device.ListDevices(ctx, &v1.ListDevicesRequest{OrderBy: v1.DeviceOrder_DEVICE_ORDER_SCORE, PageSize: 500}))(t)
		ds := list.GetDevices()
		if len(ds) != len(ten.Devices)+2 {
			t.Fatalf("%d devices listed, want %d", len(ds), len(ten.Devices)+2)
		}
		first := ds[0]
		h := first.GetHealth()
		if first.GetId() != bad.DeviceID || h.GetBand() != v1.Band_BAND_CRITICAL || !h.GetNeedsAttention() ||
			h.GetTopReason() == "" || h.GetTopReasonCheckId() == "" || h.GetIssueCount() == 0 || h.GetComputeTime() == nil {
			t.Fatalf("first by score: %s, want the sick machine, critical, with its top reason", pj(first))
		}
		for _, d := range ds[3:] {
			if d.GetHealth().GetScored() || !d.GetHealth().GetStale() {
				t.Errorf("after the three analysed devices come the unscored, stale ones; got %s", pj(d))
			}
		}
		check := h.GetTopReasonCheckId()

		// "Worst devices" say why: the tenant's roll-up and the worst list
		// carry the same top reason as the device list.
		tenant := entity(v1.EntityKind_ENTITY_KIND_TENANT, "")
		testenv.Eventually(t, "tenant rolled up with the sick machine worst", func() bool {
			r, err := own.Health.GetHealth(ctx, &v1.GetHealthRequest{Entity: tenant})
			return err == nil && len(r.GetWorst()) > 0 && r.GetWorst()[0].GetDeviceId() == bad.DeviceID &&
				r.GetWorst()[0].GetTopReasonCheckId() == check && r.GetWorst()[0].GetReason() == h.GetCapReason()
		})
		worst := must(own.Health.ListWorstDevices(ctx, &v1.ListWorstDevicesRequest{Entity: tenant, Limit: 1}))(t)
		if w := worst.GetDevices(); len(w) != 1 || w[0].GetTopReasonCheckId() != check || w[0].GetReason() == "" {
			t.Errorf("worst devices: %s, want bad-disk with its reason and check %q", pjt(worst), check)
		}

		sum := must(own.Health.ListCheckSummaries(ctx, &v1.ListCheckSummariesRequest{Entity: entity(v1.EntityKind_ENTITY_KIND_TENANT, "")}))(t)
		var row *v1.CheckSummary
		for _, c := range sum.GetChecks() {
			if c.GetCheckId() == check {
				row = c
			}
		}
		if row == nil || row.GetDevicesFailing()+row.GetDevicesWarning() != 1 || row.GetWorst().GetHostname() != "bad-disk" ||
			row.GetImpact() == 0 || sum.GetDeviceCount() != int32(len(ds)) {
			t.Fatalf("by check: %s; want %s on bad-disk alone, over %d devices", pjt(sum), check, len(ds))
		}
		behind := must(own.Device.ListDevices(ctx, &v1.ListDevicesRequest{FailingCheckId: check}))(t)
		if n := len(behind.GetDevices()); n != 1 || behind.GetDevices()[0].GetId() != bad.DeviceID {
			t.Fatalf("devices failing %s: %s, want bad-disk alone", check, pjt(behind))
		}

		// Every analysed sample runs package-0000 1.0.0; the fixture's other
		// devices never reported software.
		runs := must(own.Device.ListDevices(ctx, &v1.ListDevicesRequest{Software: &v1.SoftwareFilter{Name: "package-0000", Version: "1.0.0"}}))(t)
		got := map[string]bool{}
		for _, d := range runs.GetDevices() {
			got[d.GetId()] = true
		}
		if len(got) != 3 || !got[bad.DeviceID] || !got[good.DeviceID] || !got[ten.Agent.DeviceID] {
			t.Fatalf("devices running package-0000 1.0.0: %s", pjt(runs))
		}

		cust := srv.Clients(ten.Login(t, ten.Members[viewer.RoleCustomer])) // limited to the first organisation
		mine := must(cust.Health.ListCheckSummaries(ctx, &v1.ListCheckSummariesRequest{Entity: entity(v1.EntityKind_ENTITY_KIND_TENANT, "")}))(t)
		if mine.GetDeviceCount() >= sum.GetDeviceCount() || len(mine.GetChecks()) == 0 {
			t.Errorf("customer's tenant scope: %s; want the first organisation's devices only", pjt(mine))
		}
		other := entity(v1.EntityKind_ENTITY_KIND_ORGANISATION, ten.Organisations[1])
		if _, err := cust.Health.ListCheckSummaries(ctx, &v1.ListCheckSummariesRequest{Entity: other}); testenv.Code(err) != "not_found" {
			t.Errorf("customer asking for another organisation: %v, want not_found", err)
		}
		bands := []v1.Band{v1.Band(42)}
		if _, err := own.Device.ListDevices(ctx, &v1.ListDevicesRequest{Bands: bands}); testenv.Code(err) != "invalid_argument" {
			t.Errorf("unknown band: %v, want invalid_argument", err)
		}
	})
}
