package eval_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/wegweiser/wegweiser/backend/internal/ai/tools"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
)

func TestDumpDemo(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	st := testenv.Open(t, "sqlite3")
	fleet, deps := seedDemo(t, st)
	ctx := fleet.Viewer(context.Background())
	ts := tools.Catalogue(deps)
	scope := health.Ref{Kind: health.KindTenant, ID: fleet.Tenant}
	for _, c := range []struct{ n, a string }{
		{"search_software", `{"name":"TeamViewer","organisation":"Acme Dental"}`},
		{"search_software", `{"name":"TeamViewer","organisation":"Acme Dental","mode":"missing"}`},
		{"search_software", `{"name":"DATEV","organisation":"Birch & Co Accountants"}`},
		{"search_software", `{"name":"Chrome","organisation":"Birch & Co Accountants","mode":"missing"}`},
		{"search_software", `{"name":"Java","organisation":"Harbour Logistics"}`},
		{"search_software", `{"name":"nginx"}`},
		{"search_software", `{"name":"Slack"}`},
		{"search_devices", `{"role":"server"}`},
		{"search_devices", `{"os":"macos"}`},
		{"search_devices", `{"organisation":"Acme Dental"}`},
	} {
		tl, _ := tools.Find(ts, c.n)
		res, err := tl.Run(ctx, scope, json.RawMessage(c.a))
		b, _ := json.MarshalIndent(res.Data, "", " ")
		os.Stdout.WriteString("=== " + c.n + " " + c.a + "\n")
		if err != nil {
			os.Stdout.WriteString(err.Error() + "\n")
		}
		os.Stdout.Write(b)
		os.Stdout.WriteString("\n")
	}
}
