package transfer_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wegweiser/wegweiser/backend/internal/device"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/backend/internal/transfer"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// BenchmarkCommitDevices measures a 10,000-row device import (preview and
// commit: parse, check against the tenant, batch inserts in one
// transaction) on each store; each iteration imports into a fresh tenant.
// Run: go test -run '^$' -bench CommitDevices -benchtime 3x ./backend/internal/transfer/
// (with WEGWEISER_TEST_DATABASE_URL for PostgreSQL).
func BenchmarkCommitDevices(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(d, func(b *testing.B) {
			st := testenv.Open(b, d)
			svc := transfer.NewService(st, device.NewService(st, testenv.Inserter(b, st)))
			for b.Loop() {
				b.StopTimer()
				h := testenv.NewHierarchy(b, st)
				ctx := h.As(viewer.RoleOwner)
				org := st.Ent.Organisation.GetX(ctx, h.Organisations[0]).Name
				group := st.Ent.Group.GetX(ctx, h.Groups[0][0]).Name
				var sb strings.Builder
				sb.WriteString("organisation,group,hostname,serial_number,tags\n")
				for i := range transfer.MaxRows {
					fmt.Fprintf(&sb, "%s,%s,host-%05d,SN-%05d,bulk;imported\n", org, group, i, i)
				}
				content := []byte(sb.String())
				b.StartTimer()
				p, err := svc.PreviewImport(ctx, transfer.KindDevices, content)
				if err != nil {
					b.Fatal(err)
				}
				res, err := svc.CommitImport(ctx, transfer.KindDevices, content, p.SHA256)
				if err != nil || res.Created != transfer.MaxRows {
					b.Fatalf("commit: %+v %v", res, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/import")
		})
	}
}
