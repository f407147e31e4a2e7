package server_test

import (
	"context"
	"slices"
	"testing"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

func byIDs(ids ...string) *v1.DeviceSelection {
	return &v1.DeviceSelection{Selection: &v1.DeviceSelection_Ids{Ids: &v1.DeviceIds{Ids: ids}}}
}

func byFilter(f *v1.ListDevicesRequest) *v1.DeviceSelection {
	return &v1.DeviceSelection{Selection: &v1.DeviceSelection_Filter{Filter: f}}
}

// finished waits for an operation to end and returns it.
func finished(t *testing.T, c *testenv.Clients, op *v1.BulkOperation) *v1.BulkOperation {
	t.Helper()
	var got *v1.BulkOperation
	testenv.Eventually(t, "bulk operation finished", func() bool {
		res, err := c.Device.GetBulkOperation(context.Background(), &v1.GetBulkOperationRequest{Id: op.GetId()})
		if err != nil {
			t.Fatalf("get bulk operation: %v", err)
		}
		got = res.GetOperation()
		return got.GetFinishTime() != nil
	})
	return got
}

func deviceIDs(ds []*v1.Device) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.GetId())
	}
	return out
}

// TestBulkOperations starts bulk operations through the API as a
// technician would: a request naming another tenant's device or, for a
// scoped technician, a device of another organisation is refused whole;
// retiring needs device.delete; tagging by ids, moving by filter, retiring
// and re-analysing run to the end with their progress visible; retired
// devices leave lists and the organisation's roll-up but stay readable by
// id; the other tenant never changes.
func TestBulkOperations(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "bulkops")
		other := testenv.NewTenant(t, srv, "victim")
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))
		tech := srv.Clients(ten.Login(t, ten.Members[viewer.RoleTechnician]))
		testenv.SettleJobs(t, srv)
		before := other.Dump(t)
		listed := func() int {
			res := must(own.Device.ListBulkOperations(ctx, &v1.ListBulkOperationsRequest{}))(t)
			return len(res.GetOperations())
		}
		start := listed()
		tag := &v1.StartBulkOperationRequest_Tag{Tag: &v1.BulkTag{AddTags: []string{"pwned"}}}

		refused := []struct {
			name string
			c    *testenv.Clients
			req  *v1.StartBulkOperationRequest
			want string
		}{
			{"another tenant's device", own, &v1.StartBulkOperationRequest{Selection: byIDs(ten.Devices[0], other.Devices[0]), Action: tag}, "not_found"},
			{"another tenant's organisation as filter", own, &v1.StartBulkOperationRequest{
				Selection: byFilter(&v1.ListDevicesRequest{OrganisationId: other.Organisations[0]}), Action: tag}, "not_found"},
			{"another tenant's group as destination", own, &v1.StartBulkOperationRequest{Selection: byIDs(ten.Devices[0]),
				Action: &v1.StartBulkOperationRequest_Move{Move: &v1.BulkMove{GroupId: other.Groups[0]}}}, "not_found"},
			{"a device outside the technician's organisations", tech, &v1.StartBulkOperationRequest{
				Selection: byIDs(ten.Devices[0], ten.Devices[6]), Action: tag}, "not_found"},
			{"retiring as a technician", tech, &v1.StartBulkOperationRequest{Selection: byIDs(ten.Devices[0]),
				Action: &v1.StartBulkOperationRequest_Retire{Retire: &v1.BulkRetire{}}}, "permission_denied"},
			{"no action", own, &v1.StartBulkOperationRequest{Selection: byIDs(ten.Devices[0])}, "invalid_argument"},
			{"no selection", own, &v1.StartBulkOperationRequest{Action: tag}, "invalid_argument"},
		}
		for _, c := range refused {
			if _, err := c.c.Device.StartBulkOperation(ctx, c.req); testenv.Code(err) != c.want {
				t.Errorf("%s: %v, want %s", c.name, err, c.want)
			}
		}
		if n := listed(); n != start {
			t.Fatalf("refused requests stored %d operations", n-start)
		}
		for _, id := range ten.Devices[:2] {
			if d := must(own.Device.GetDevice(ctx, &v1.GetDeviceRequest{Id: id}))(t); slices.Contains(d.GetDevice().GetTags(), "pwned") {
				t.Fatalf("a refused request tagged %s", id)
			}
		}

		// Tag by hand, as the technician in their organisation.
		res := must(tech.Device.StartBulkOperation(ctx, &v1.StartBulkOperationRequest{
			Selection: byIDs(ten.Devices[0], ten.Devices[1], ten.Devices[3]),
			Action:    &v1.StartBulkOperationRequest_Tag{Tag: &v1.BulkTag{AddTags: []string{"bulk"}}},
		}))(t)
		if op := res.GetOperation(); op.GetTotal() != 3 || op.GetAction() != "tag" || op.GetCreatedBy() != ten.Members[viewer.RoleTechnician].ID {
			t.Fatalf("started: %+v", op)
		}
		op := finished(t, tech, res.GetOperation())
		if op.GetState() != v1.BulkOperationState_BULK_OPERATION_STATE_SUCCEEDED || op.GetProcessed() != 3 || op.GetFailed() != 0 {
			t.Fatalf("tag: %+v", op)
		}
		tagged := pageAll(t, own, &v1.ListDevicesRequest{Tag: "bulk"})
		if ids := deviceIDs(tagged); len(ids) != 3 || !slices.Contains(ids, ten.Devices[3]) {
			t.Fatalf("tagged devices %v", ids)
		}
		// The owner's list has it; the other technician-free list of
		// another tenant does not.
		if ops := must(own.Device.ListBulkOperations(ctx, &v1.ListBulkOperationsRequest{}))(t).GetOperations(); ops[0].GetId() != op.GetId() {
			t.Fatalf("newest operation %s, want %s", ops[0].GetId(), op.GetId())
		}

		// Move a whole group by filter into the second organisation.
		moving := deviceIDs(pageAll(t, own, &v1.ListDevicesRequest{GroupId: ten.Groups[1]}))
		res = must(own.Device.StartBulkOperation(ctx, &v1.StartBulkOperationRequest{
			Selection: byFilter(&v1.ListDevicesRequest{GroupId: ten.Groups[1], PageSize: 1}),
			Action:    &v1.StartBulkOperationRequest_Move{Move: &v1.BulkMove{GroupId: ten.Groups[3]}},
		}))(t)
		if op := finished(t, own, res.GetOperation()); op.GetState() != v1.BulkOperationState_BULK_OPERATION_STATE_SUCCEEDED || int(op.GetProcessed()) != len(moving) {
			t.Fatalf("move: %+v (want %d devices)", op, len(moving))
		}
		for _, id := range moving {
			d := must(own.Device.GetDevice(ctx, &v1.GetDeviceRequest{Id: id}))(t).GetDevice()
			if d.GetGroupId() != ten.Groups[3] || d.GetOrganisationId() != ten.Organisations[1] {
				t.Fatalf("device %s not moved: %+v", id, d)
			}
		}

		// Retire the first group (with the enrolled agent): it leaves the
		// lists and the organisation's roll-up, stays readable by id, and
		// its agent is cut off.
		testenv.SettleJobs(t, srv)
		orgRef := entity(v1.EntityKind_ENTITY_KIND_ORGANISATION, ten.Organisations[0])
		org := must(own.Health.GetHealth(ctx, &v1.GetHealthRequest{Entity: orgRef}))(t).GetHealth()
		retiring := deviceIDs(pageAll(t, own, &v1.ListDevicesRequest{GroupId: ten.Groups[0]}))
		if !slices.Contains(retiring, ten.Agent.DeviceID) {
			t.Fatalf("the agent %s is not in the first group %v", ten.Agent.DeviceID, retiring)
		}
		res = must(own.Device.StartBulkOperation(ctx, &v1.StartBulkOperationRequest{
			Selection: byIDs(retiring...), Action: &v1.StartBulkOperationRequest_Retire{Retire: &v1.BulkRetire{}},
		}))(t)
		if op := finished(t, own, res.GetOperation()); op.GetState() != v1.BulkOperationState_BULK_OPERATION_STATE_SUCCEEDED {
			t.Fatalf("retire: %+v", op)
		}
		testenv.SettleJobs(t, srv)
		after := must(own.Health.GetHealth(ctx, &v1.GetHealthRequest{Entity: orgRef}))(t).GetHealth()
		if int(after.GetDeviceCount()) != int(org.GetDeviceCount())-len(retiring) {
			t.Fatalf("organisation counts %d devices after retiring %d of %d", after.GetDeviceCount(), len(retiring), org.GetDeviceCount())
		}
		if left := pageAll(t, own, &v1.ListDevicesRequest{OrganisationId: ten.Organisations[0]}); slices.ContainsFunc(left, func(d *v1.Device) bool {
			return slices.Contains(retiring, d.GetId())
		}) {
			t.Fatal("a retired device is still listed")
		}
		if first := must(own.Device.ListDevices(ctx, &v1.ListDevicesRequest{GroupId: ten.Groups[0], PageSize: 1}))(t); first.GetTotalSize() != 0 {
			t.Fatalf("the retired group's first page counts %d devices, want 0", first.GetTotalSize())
		}
		if first := must(own.Device.ListDevices(ctx, &v1.ListDevicesRequest{GroupId: ten.Groups[0], PageSize: 1, IncludeRetired: true}))(t); int(first.GetTotalSize()) != len(retiring) {
			t.Fatalf("with retired, the first page counts %d devices, want %d", first.GetTotalSize(), len(retiring))
		}
		withRetired := deviceIDs(pageAll(t, own, &v1.ListDevicesRequest{GroupId: ten.Groups[0], IncludeRetired: true}))
		if len(withRetired) != len(retiring) {
			t.Fatalf("include_retired lists %d, want %d", len(withRetired), len(retiring))
		}
		agent := must(own.Device.GetDevice(ctx, &v1.GetDeviceRequest{Id: ten.Agent.DeviceID}))(t).GetDevice()
		if agent.GetRetireTime() == nil {
			t.Fatal("retired device has no retire_time")
		}
		if h := must(own.Health.GetHealth(ctx, &v1.GetHealthRequest{Entity: deviceRef(ten.Agent.DeviceID)}))(t).GetHealth(); !h.GetScored() {
			t.Fatalf("the retired device's health is gone: %+v", h)
		}
		if _, err := srv.Clients(ten.Agent.Token).Agent.SubmitSnapshot(ctx, &agentv1.SubmitSnapshotRequest{Snapshot: testenv.SampleSnapshot("bulkops-agent", 1, 1)}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("a retired device's agent still reports: %v", err)
		}

		// Re-analyse the second organisation by filter.
		res = must(own.Device.StartBulkOperation(ctx, &v1.StartBulkOperationRequest{
			Selection: byFilter(&v1.ListDevicesRequest{OrganisationId: ten.Organisations[1]}),
			Action:    &v1.StartBulkOperationRequest_Reanalyse{Reanalyse: &v1.BulkReanalyse{}},
		}))(t)
		if op := finished(t, own, res.GetOperation()); op.GetState() != v1.BulkOperationState_BULK_OPERATION_STATE_SUCCEEDED || op.GetProcessed() != op.GetTotal() || op.GetTotal() != 9 {
			t.Fatalf("re-analyse: %+v", op)
		}

		// The technician sees only the operation they started.
		if ops := must(tech.Device.ListBulkOperations(ctx, &v1.ListBulkOperationsRequest{}))(t).GetOperations(); len(ops) != 1 {
			t.Fatalf("technician lists %d operations, want their own 1", len(ops))
		}
		testenv.SettleJobs(t, srv)
		if after := other.Dump(t); after != before {
			t.Errorf("the other tenant changed:\nbefore: %s\nafter:  %s", before, after)
		}
	})
}
