package server_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/migrate"
	"github.com/wegweiser/wegweiser/ent/privacy"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// sqlLog records the statements an ent client sends.
type sqlLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *sqlLog) log(_ context.Context, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprint(v...))
}

func (l *sqlLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := strings.Join(l.lines, "\n")
	l.lines = nil
	return s
}

// entityClient is one entity's client of the generated ent.Client, found by
// reflection so that a new schema is covered without anyone adding it here.
type entityClient struct {
	name string
	c    reflect.Value
}

// query calls Query() on the entity client.
func (e entityClient) query() reflect.Value { return e.c.MethodByName("Query").Call(nil)[0] }

// tenantOwned reports whether the entity has a tenant_id field (its entql
// filter has WhereTenantID).
func (e entityClient) tenantOwned() bool {
	return e.query().MethodByName("Filter").Call(nil)[0].MethodByName("WhereTenantID").IsValid()
}

// all runs Query().All(ctx) and returns the rows' tenant ids.
func (e entityClient) all(ctx context.Context) ([]uuid.UUID, error) {
	out := e.query().MethodByName("All").Call([]reflect.Value{reflect.ValueOf(ctx)})
	if err, _ := out[1].Interface().(error); err != nil {
		return nil, err
	}
	var ids []uuid.UUID
	rows := out[0]
	for i := 0; i < rows.Len(); i++ {
		if f := rows.Index(i).Elem().FieldByName("TenantID"); f.IsValid() {
			ids = append(ids, f.Interface().(uuid.UUID))
		}
	}
	return ids, nil
}

// createIn tries to create a row in tenant (other fields unset: the privacy
// rules run before the field checks).
func (e entityClient) createIn(ctx context.Context, tenant uuid.UUID) error {
	b := e.c.MethodByName("Create").Call(nil)[0]
	b = b.MethodByName("SetTenantID").Call([]reflect.Value{reflect.ValueOf(tenant)})[0]
	out := b.MethodByName("Save").Call([]reflect.Value{reflect.ValueOf(ctx)})
	err, _ := out[1].Interface().(error)
	return err
}

// deleteAll runs Delete().Exec(ctx).
func (e entityClient) deleteAll(ctx context.Context) error {
	out := e.c.MethodByName("Delete").Call(nil)[0].MethodByName("Exec").Call([]reflect.Value{reflect.ValueOf(ctx)})
	err, _ := out[1].Interface().(error)
	return err
}

// entityClients lists every entity client of c.
func entityClients(c *ent.Client) []entityClient {
	var out []entityClient
	v := reflect.ValueOf(c).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() || f.Kind() != reflect.Pointer || !f.MethodByName("Query").IsValid() {
			continue
		}
		out = append(out, entityClient{name: v.Type().Field(i).Name, c: f})
	}
	return out
}

// TestIsolationEverySchema checks the tenant rules on every entity of the
// generated client (TenantMixin carries them): without a viewer every query
// is denied; for every entity with a tenant_id, a viewer's query returns only
// its tenant's rows and its SQL filters by the viewer's tenant, a delete is
// filtered alike, and creating a row in another tenant is denied. A schema
// with a tenant_id but without the tenant rules fails here.
func TestIsolationEverySchema(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		a := testenv.NewTenant(t, srv, "alpha")
		b := testenv.NewTenant(t, srv, "bravo")
		testenv.SettleJobs(t, srv)
		ta, tb := uuid.MustParse(a.ID), uuid.MustParse(b.ID)
		empty := uuid.New() // a tenant without rows, for deletes

		rec := &sqlLog{}
		c := ent.NewClient(ent.Driver(dialect.DebugWithContext(entsql.OpenDB(st.Dialect, st.DB), rec.log)))
		clients := entityClients(c)

		// Every table with a tenant_id column must be found as tenant-owned.
		var tables int
		for _, tb := range migrate.Tables {
			for _, col := range tb.Columns {
				if col.Name == "tenant_id" {
					tables++
				}
			}
		}
		var owned int
		for _, e := range clients {
			if e.tenantOwned() {
				owned++
			}
		}
		if owned != tables || owned < 20 {
			t.Fatalf("found %d tenant-owned entity clients, %d tables with tenant_id", owned, tables)
		}

		bg := context.Background()
		asA := viewer.NewContext(bg, &viewer.Viewer{TenantID: ta, Role: viewer.RoleOwner})
		asEmpty := viewer.NewContext(bg, &viewer.Viewer{TenantID: empty, Role: viewer.RoleOwner})
		all := bypass.Allow(bg, "test: count every tenant's rows")
		coveredB := 0
		for _, e := range clients {
			t.Run(e.name, func(t *testing.T) {
				if _, err := e.all(bg); !errors.Is(err, privacy.Deny) {
					t.Errorf("query without viewer: %v, want denied", err)
				}
				if !e.tenantOwned() {
					return
				}
				if ids, err := e.all(all); err != nil {
					t.Fatalf("query all tenants: %v", err)
				} else if slices.Contains(ids, tb) {
					coveredB++
				}
				rec.take()
				ids, err := e.all(asA)
				if err != nil {
					t.Fatalf("query as tenant A: %v", err)
				}
				for _, id := range ids {
					if id != ta {
						t.Errorf("viewer of tenant A got a row of tenant %s", id)
						break
					}
				}
				if q := rec.take(); !strings.Contains(q, "tenant_id") || !strings.Contains(q, ta.String()) {
					t.Errorf("query as tenant A not filtered by tenant:\n%s", q)
				}
				if err := e.createIn(asA, tb); !errors.Is(err, privacy.Deny) {
					t.Errorf("create in tenant B as tenant A: %v, want denied", err)
				}
				rec.take()
				_ = e.deleteAll(asEmpty) // its error (if any) is not the point; the statement is
				if q := rec.take(); q != "" && (!strings.Contains(q, "tenant_id") || !strings.Contains(q, empty.String())) {
					t.Errorf("delete not filtered by tenant:\n%s", q)
				}
			})
		}
		// The fixture must give tenant B rows in most tables, or the row
		// check above proves little.
		if coveredB < 12 {
			t.Errorf("tenant B has rows in only %d tenant-owned tables", coveredB)
		}
	})
}
