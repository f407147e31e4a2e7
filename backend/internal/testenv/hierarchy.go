package testenv

import (
	"context"
	"encoding/json"
	"testing"

	"entgo.io/ent/dialect"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Hierarchy is a tenant written straight into a store, for package tests
// of domain services: two organisations, each with two groups of two
// devices, built without a server.
type Hierarchy struct {
	Tenant        uuid.UUID
	Organisations [2]uuid.UUID
	// Groups[o][g] is group g of organisation o.
	Groups [2][2]uuid.UUID
	// Devices[o][g] are the devices of group g of organisation o.
	Devices [2][2][2]uuid.UUID
}

// NewHierarchy writes a Hierarchy into st.
func NewHierarchy(t testing.TB, st *store.Store) *Hierarchy {
	t.Helper()
	ctx := bypass.Allow(context.Background(), "test fixture: create a tenant and its hierarchy")
	c := st.Ent
	ten, err := c.Tenant.Create().SetName("fixture " + uuid.NewString()[:8]).Save(ctx)
	if err != nil {
		t.Fatalf("fixture tenant: %v", err)
	}
	h := &Hierarchy{Tenant: ten.ID}
	for o := range 2 {
		org, err := c.Organisation.Create().SetTenantID(ten.ID).SetName("org " + uuid.NewString()[:8]).Save(ctx)
		if err != nil {
			t.Fatalf("fixture organisation: %v", err)
		}
		h.Organisations[o] = org.ID
		for g := range 2 {
			grp, err := c.Group.Create().SetTenantID(ten.ID).SetOrganisationID(org.ID).SetName("group " + uuid.NewString()[:8]).Save(ctx)
			if err != nil {
				t.Fatalf("fixture group: %v", err)
			}
			h.Groups[o][g] = grp.ID
			for d := range 2 {
				dev, err := c.Device.Create().SetTenantID(ten.ID).SetOrganisationID(org.ID).SetGroupID(grp.ID).
					SetHostname("host-" + uuid.NewString()[:8]).SetTags([]string{}).SetIPAddresses([]string{}).Save(ctx)
				if err != nil {
					t.Fatalf("fixture device: %v", err)
				}
				h.Devices[o][g][d] = dev.ID
			}
		}
	}
	return h
}

// As returns a context acting as a user of the hierarchy's tenant with
// role, limited to orgs when the role is scoped.
func (h *Hierarchy) As(role viewer.Role, orgs ...uuid.UUID) context.Context {
	return viewer.NewContext(context.Background(), &viewer.Viewer{TenantID: h.Tenant, Role: role, OrganisationIDs: orgs})
}

// Inserter returns a job client over st that only inserts: package tests
// of domain services read what was queued with QueuedJobs.
func Inserter(t testing.TB, st *store.Store) *jobs.Client {
	t.Helper()
	jc, err := jobs.NewInserter(st, Logger(t))
	if err != nil {
		t.Fatalf("job client: %v", err)
	}
	return jc
}

// QueuedJob is one River job row: its kind and arguments.
type QueuedJob struct {
	Kind string
	Args map[string]any
}

// QueuedJobs returns the jobs waiting in st's River queue, oldest first.
func QueuedJobs(t *testing.T, st *store.Store) []QueuedJob {
	t.Helper()
	args := "args::text"
	if st.Dialect != dialect.Postgres {
		args = "json(args)" // River keeps JSONB on SQLite
	}
	rows, err := st.DB.Query(`SELECT kind, ` + args + ` FROM river_job WHERE state IN ('available','scheduled','pending','retryable') ORDER BY id`)
	if err != nil {
		t.Fatalf("read river_job: %v", err)
	}
	defer func() { _ = rows.Close() }()
	var out []QueuedJob
	for rows.Next() {
		var j QueuedJob
		var args []byte
		if err := rows.Scan(&j.Kind, &args); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(args, &j.Args); err != nil {
			t.Fatalf("job args %s: %v", args, err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
