package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// TestExportRefusesMoreThanMaxRows: an export of more than MaxExportRows
// events is refused as resource_exhausted; narrowing the time range to
// MaxExportRows events exports them all, in batches, without repeats.
func TestExportRefusesMoreThanMaxRows(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		ctx := bypass.Allow(context.Background(), "test: seed audit events directly")
		ten, err := st.Ent.Tenant.Create().SetName("export").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		const batch = 2000
		for i := 0; i <= audit.MaxExportRows; i += batch {
			n := min(batch, audit.MaxExportRows+1-i)
			rows := make([]*ent.AuditEventCreate, n)
			for j := range rows {
				// Ten events share each second, so paging must break ties by id.
				rows[j] = st.Ent.AuditEvent.Create().SetTenantID(ten.ID).SetAction("device.move").SetTargetKind("device").
					SetTargetID(uuid.New()).SetCreatedAt(base.Add(time.Duration((i+j)/10) * time.Second))
			}
			if err := st.Ent.AuditEvent.CreateBulk(rows...).Exec(ctx); err != nil {
				t.Fatalf("seed: %v", err)
			}
		}
		svc := audit.NewService(st)
		owner := viewer.NewContext(context.Background(), &viewer.Viewer{TenantID: ten.ID, UserID: uuid.New(), Role: viewer.RoleOwner})
		_, err = svc.Export(owner, audit.Filter{})
		if !apperr.Is(err, apperr.KindResourceExhausted) {
			t.Fatalf("export of %d events: %v", audit.MaxExportRows+1, err)
		}
		// The ten oldest events are at base: a range from a second later holds
		// the rest, which fit.
		exp, err := svc.Export(owner, audit.Filter{Start: base.Add(time.Second)})
		if err != nil {
			t.Fatalf("export of the newest events: %v", err)
		}
		if want := audit.MaxExportRows + 1 - 10; exp.Rows != want {
			t.Fatalf("exported %d rows, want %d", exp.Rows, want)
		}
	})
}
