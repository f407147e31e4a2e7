package transfer_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/device"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/backend/internal/transfer"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

type fixture struct {
	st    *store.Store
	svc   *transfer.Service
	h     *testenv.Hierarchy
	owner context.Context
	// orgs and groups name the hierarchy's organisations and groups.
	orgs   [2]string
	groups [2][2]string
}

func newFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	h := testenv.NewHierarchy(t, st)
	f := &fixture{st: st, h: h, owner: h.As(viewer.RoleOwner),
		svc: transfer.NewService(st, device.NewService(st, testenv.Inserter(t, st)))}
	for o := range 2 {
		f.orgs[o] = st.Ent.Organisation.GetX(f.owner, h.Organisations[o]).Name
		for g := range 2 {
			f.groups[o][g] = st.Ent.Group.GetX(f.owner, h.Groups[o][g]).Name
		}
	}
	return f
}

// commit previews and commits content as ctx's viewer.
func (f *fixture) commit(ctx context.Context, kind transfer.Kind, content string) (*transfer.Result, error) {
	p, err := f.svc.PreviewImport(ctx, kind, []byte(content))
	if err != nil {
		return nil, err
	}
	return f.svc.CommitImport(ctx, kind, []byte(content), p.SHA256)
}

func mustPreview(ctx context.Context, t *testing.T, f *fixture, kind transfer.Kind, content string) *transfer.Preview {
	t.Helper()
	p, err := f.svc.PreviewImport(ctx, kind, []byte(content))
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	return p
}

// rowErrors maps line numbers to the joined errors of the preview's rows.
func rowErrors(p *transfer.Preview) map[int]string {
	out := map[int]string{}
	for _, r := range p.Rows {
		if len(r.Errors) > 0 {
			out[r.Line] = strings.Join(r.Errors, "; ")
		}
	}
	return out
}

func wantKind(t *testing.T, err error, k apperr.Kind, text string) {
	t.Helper()
	if !apperr.Is(err, k) {
		t.Fatalf("got %v, want kind %d", err, k)
	}
	if !strings.Contains(err.Error(), text) {
		t.Fatalf("error %q does not say %q", err, text)
	}
}

func TestImportAndRoundTrip(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		ctx := f.owner

		// Organisations: one new, one existing by another case (update), one
		// existing as it is (unchanged); the BOM is stripped.
		orgs := "\ufeffName,Description\r\nNew Customer,\"Accounting, 12 seats\"\r\n" +
			strings.ToUpper(f.orgs[0]) + ",\r\n" + f.orgs[1] + ",\r\n"
		p := mustPreview(ctx, t, f, transfer.KindOrganisations, orgs)
		if p.CreateRows != 1 || p.UpdateRows != 1 || p.Unchanged != 1 || p.ErrorRows != 0 || len(p.FileErrors) != 0 {
			t.Fatalf("organisations preview: %+v", p)
		}
		res, err := f.commit(ctx, transfer.KindOrganisations, orgs)
		if err != nil || *res != (transfer.Result{Created: 1, Updated: 1, Unchanged: 1}) {
			t.Fatalf("organisations commit: %+v %v", res, err)
		}
		f.orgs[0] = strings.ToUpper(f.orgs[0])

		// Groups refer to organisations by name or id; a quoted cell with a
		// line break is one cell.
		groups := "organisation,name,description\n" +
			"new customer,Laptops,\"Two\nlines\"\n" +
			f.h.Organisations[1].String() + ",Servers,\n"
		res, err = f.commit(ctx, transfer.KindGroups, groups)
		if err != nil || res.Created != 2 {
			t.Fatalf("groups commit: %+v %v", res, err)
		}

		// Devices: pre-registrations, by host name, serial or both.
		devices := "organisation,group,hostname,serial_number,tags\n" +
			"New Customer,Laptops,NC-LT-01,SN-001,laptop; finance\n" +
			"New Customer,,NC-LT-02,,\n" +
			"New Customer,Laptops,,SN-003,laptop\n"
		res, err = f.commit(ctx, transfer.KindDevices, devices)
		if err != nil || res.Created != 3 {
			t.Fatalf("devices commit: %+v %v", res, err)
		}
		// The same file again changes nothing; a changed tag updates.
		if p := mustPreview(ctx, t, f, transfer.KindDevices, devices); p.Unchanged != 3 {
			t.Fatalf("re-import: %+v", p)
		}
		if p := mustPreview(ctx, t, f, transfer.KindDevices, strings.Replace(devices, "laptop; finance", "laptop", 1)); p.UpdateRows != 1 || p.Unchanged != 2 {
			t.Fatalf("changed tags: %+v", p)
		}

		// Every export imports as unchanged, enrolled devices included.
		for _, kind := range []transfer.Kind{transfer.KindOrganisations, transfer.KindGroups, transfer.KindDevices} {
			out, err := f.svc.Export(ctx, kind, uuid.Nil)
			if err != nil {
				t.Fatalf("export %s: %v", kind, err)
			}
			p := mustPreview(ctx, t, f, kind, string(out.Content))
			if p.Total != out.Rows || p.Unchanged != out.Rows || out.Rows == 0 {
				t.Errorf("%s export of %d rows re-imports as %+v\n%s", kind, out.Rows, p, out.Content)
			}
		}
		out, err := f.svc.Export(ctx, transfer.KindDevices, uuid.Nil)
		if err != nil {
			t.Fatal(err)
		}
		text := string(out.Content)
		if !strings.Contains(text, "organisation,group,hostname,serial_number,tags,status,score,band,last_seen\r\n") ||
			!strings.Contains(text, "New Customer,Laptops,NC-LT-01,SN-001,laptop;finance,pending,,,\r\n") ||
			strings.Count(text, ",enrolled,") != 8 {
			t.Errorf("devices export:\n%s", text)
		}
	})
}

func TestImportMalformed(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		ctx := f.owner

		// Ragged rows are row errors; the others are fine.
		p := mustPreview(ctx, t, f, transfer.KindOrganisations, "name,description\nA,one\nB\nC,three,extra\nD,four\n")
		errs := rowErrors(p)
		if p.ErrorRows != 2 || !strings.Contains(errs[3], "has 1 cells but the header has 2") || !strings.Contains(errs[4], "has 3 cells") || p.CreateRows != 2 {
			t.Fatalf("ragged: %+v", p)
		}
		if p.Rows[0].Line != 3 || p.Rows[1].Line != 4 {
			t.Errorf("rows with errors come first: %+v", p.Rows)
		}
		// Bad quotes are a file error naming the line.
		for content, want := range map[string]string{
			"name,description\nA,\"unterminated\nB,x\n": "line 2",
			"name,description\nA,x\nB,say \"hi\"\n":     "line 3: a quote",
		} {
			p := mustPreview(ctx, t, f, transfer.KindOrganisations, content)
			if len(p.FileErrors) != 1 || !strings.Contains(p.FileErrors[0], want) {
				t.Errorf("%q: file errors %q, want %q", content, p.FileErrors, want)
			}
			_, err := f.commit(ctx, transfer.KindOrganisations, content)
			wantKind(t, err, apperr.KindInvalid, "nothing was imported")
		}
		// Unknown and missing columns, header names case-insensitive.
		p = mustPreview(ctx, t, f, transfer.KindDevices, "Organisation,Host,Tags\nx,y,z\n")
		if got := strings.Join(p.FileErrors, " | "); !strings.Contains(got, `unknown column "host"`) ||
			!strings.Contains(got, `missing column "hostname" or "serial_number"`) || len(p.FileErrors) != 2 {
			t.Errorf("columns: %q", p.FileErrors)
		}
		// Cells are checked as the create RPCs check them.
		p = mustPreview(ctx, t, f, transfer.KindDevices, "organisation,hostname,serial_number,tags\n"+
			f.orgs[0]+",,,\n"+
			f.orgs[0]+",h1,,"+strings.Repeat("t", 65)+"\n"+
			f.orgs[0]+",h2\x01,,\n")
		errs = rowErrors(p)
		if !strings.Contains(errs[2], "needs a hostname or a serial_number") || !strings.Contains(errs[3], "tags must be at most 64") ||
			!strings.Contains(errs[4], "control characters") {
			t.Errorf("cells: %v", errs)
		}
		_, err := f.svc.PreviewImport(ctx, 0, []byte("name\n"))
		wantKind(t, err, apperr.KindInvalid, "kind")
		_, err = f.svc.PreviewImport(ctx, transfer.KindOrganisations, []byte("\r\n"))
		wantKind(t, err, apperr.KindInvalid, "empty")
	})
}

func TestImportHostile(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		other := newFixture(t, st) // another tenant in the same store
		ctx := f.owner

		// Encoding and delimiter.
		_, err := f.svc.PreviewImport(ctx, transfer.KindOrganisations, []byte("name\nM\xfcller GmbH\n"))
		wantKind(t, err, apperr.KindInvalid, `save it as "CSV UTF-8`)
		_, err = f.svc.PreviewImport(ctx, transfer.KindOrganisations, []byte("\xff\xfen\x00a\x00"))
		wantKind(t, err, apperr.KindInvalid, "UTF-16")
		_, err = f.svc.PreviewImport(ctx, transfer.KindOrganisations, []byte("name;description\nA;B\n"))
		wantKind(t, err, apperr.KindInvalid, "use commas")
		_, err = f.svc.PreviewImport(ctx, transfer.KindGroups, []byte("organisation\tname\nA\tB\n"))
		wantKind(t, err, apperr.KindInvalid, "separated by tabs")
		// Size: the domain refuses anything over 10 MB whatever the transport.
		big := bytes.Repeat([]byte("x"), transfer.MaxBytes+1)
		_, err = f.svc.PreviewImport(ctx, transfer.KindOrganisations, big)
		wantKind(t, err, apperr.KindResourceExhausted, "at most 10 MB")
		_, err = f.svc.CommitImport(ctx, transfer.KindOrganisations, big, transfer.Digest(big))
		wantKind(t, err, apperr.KindResourceExhausted, "at most 10 MB")

		// Duplicate rows: the later one is the error.
		p := mustPreview(ctx, t, f, transfer.KindOrganisations, "name\nAcme\nBeta\nACME \n")
		if errs := rowErrors(p); errs[4] != "duplicate of line 2" || len(errs) != 1 {
			t.Errorf("duplicates: %v", errs)
		}
		p = mustPreview(ctx, t, f, transfer.KindDevices, "organisation,hostname,serial_number\n"+
			f.orgs[0]+",a,SN1\n"+f.orgs[0]+",b,sn1\n"+f.orgs[0]+",c,\n"+f.orgs[0]+",C,\n")
		if errs := rowErrors(p); errs[3] != "duplicate of line 2" || errs[5] != "duplicate of line 4" || len(errs) != 2 {
			t.Errorf("duplicate devices: %v", errs)
		}

		// Another tenant's organisations and groups, by name or id, read
		// exactly like ones that do not exist.
		foreignOrg := other.h.Organisations[0].String()
		p = mustPreview(ctx, t, f, transfer.KindDevices, "organisation,group,hostname\n"+
			other.orgs[0]+",,h1\n"+foreignOrg+",,h2\n"+"No Such Org,,h3\n"+
			f.orgs[0]+","+other.h.Groups[0][0].String()+",h4\n"+f.orgs[0]+",No Such Group,h5\n")
		errs := rowErrors(p)
		if len(errs) != 5 || errs[2] != fmt.Sprintf("organisation %q not found (import organisations first)", other.orgs[0]) ||
			errs[4] != `organisation "No Such Org" not found (import organisations first)` ||
			errs[5] != fmt.Sprintf("group %q not found in organisation %q (import groups first)", other.h.Groups[0][0], f.orgs[0]) {
			t.Errorf("foreign references: %v", errs)
		}
		// A scoped technician: the other organisation of the tenant is not
		// there either, and organisations cannot be created.
		tech := f.h.As(viewer.RoleTechnician, f.h.Organisations[0])
		p = mustPreview(tech, t, f, transfer.KindGroups, "organisation,name\n"+f.orgs[1]+",G\n"+f.orgs[0]+",G\n")
		if errs := rowErrors(p); len(errs) != 1 || errs[2] != fmt.Sprintf("organisation %q not found (import organisations first)", f.orgs[1]) {
			t.Errorf("scoped: %v", errs)
		}
		p = mustPreview(tech, t, f, transfer.KindOrganisations, "name\nBrand New\n")
		if errs := rowErrors(p); !strings.Contains(errs[2], "cannot create organisations") {
			t.Errorf("scoped create: %v", errs)
		}

		// Formulas are neutralised on export and imported back as they were.
		evil := "=HYPERLINK(\"http://evil.example\",\"x\")"
		if _, err := f.commit(ctx, transfer.KindOrganisations, "name,description\n\"'"+strings.ReplaceAll(evil, `"`, `""`)+"\",@SUM(A1)\n"); err != nil {
			t.Fatal(err)
		}
		if n := st.Ent.Organisation.Query().CountX(ctx); n != 3 {
			t.Fatalf("organisations: %d", n)
		}
		out, err := f.svc.Export(ctx, transfer.KindOrganisations, uuid.Nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out.Content), "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",'@SUM(A1)\r\n") {
			t.Errorf("formula export:\n%s", out.Content)
		}
		if p := mustPreview(ctx, t, f, transfer.KindOrganisations, string(out.Content)); p.Unchanged != 3 {
			t.Errorf("formula round trip: %+v", p)
		}
		for i, c := range []string{"-1+2", "+x", "@x"} {
			if _, err := f.commit(ctx, transfer.KindGroups, fmt.Sprintf("organisation,name,description\n%s,g%d,\"%s\"\n", f.orgs[0], i, c)); err != nil {
				t.Fatal(err)
			}
		}
		out, err = f.svc.Export(ctx, transfer.KindGroups, f.h.Organisations[0])
		if err != nil {
			t.Fatal(err)
		}
		if s := string(out.Content); !strings.Contains(s, ",'-1+2\r\n") || !strings.Contains(s, ",'+x\r\n") || !strings.Contains(s, ",'@x\r\n") || out.Rows != 5 {
			t.Errorf("group export:\n%s", s)
		}
		// Another tenant's organisation cannot be exported.
		_, err = f.svc.Export(ctx, transfer.KindGroups, other.h.Organisations[0])
		wantKind(t, err, apperr.KindNotFound, "organisation not found")
	})
}

func TestImportLarge(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		f := newFixture(t, st)
		ctx := f.owner
		file := func(n, bad int) string {
			var b strings.Builder
			b.WriteString("organisation,group,hostname,serial_number,tags\n")
			for i := 1; i <= n; i++ {
				org := f.orgs[i%2]
				if i == bad {
					org = "Nowhere"
				}
				fmt.Fprintf(&b, "%s,%s,host-%05d,SN-%05d,bulk;row-%d\n", org, f.groups[i%2][0], i, i, i%7)
			}
			return b.String()
		}
		// One bad row near the end: nothing is written.
		content := file(transfer.MaxRows, transfer.MaxRows-1)
		p := mustPreview(ctx, t, f, transfer.KindDevices, content)
		if p.Total != transfer.MaxRows || p.ErrorRows != 1 || p.Rows[0].Line != transfer.MaxRows || len(p.Rows) != transfer.MaxPreviewRows {
			t.Fatalf("preview: total %d errors %d first line %d rows %d", p.Total, p.ErrorRows, p.Rows[0].Line, len(p.Rows))
		}
		_, err := f.svc.CommitImport(ctx, transfer.KindDevices, []byte(content), p.SHA256)
		wantKind(t, err, apperr.KindInvalid, fmt.Sprintf("1 rows have errors (line %d: organisation \"Nowhere\" not found", transfer.MaxRows))
		if n := st.Ent.Preregistration.Query().CountX(ctx); n != 0 {
			t.Fatalf("%d pre-registrations written by a refused import", n)
		}
		// A commit of another file than the previewed one is refused.
		good := file(transfer.MaxRows, 0)
		_, err = f.svc.CommitImport(ctx, transfer.KindDevices, []byte(good), p.SHA256)
		wantKind(t, err, apperr.KindFailedPrecondition, "preview it again")
		// 10,000 rows commit in one transaction.
		res, err := f.commit(ctx, transfer.KindDevices, good)
		if err != nil || res.Created != transfer.MaxRows {
			t.Fatalf("commit: %+v %v", res, err)
		}
		if n := st.Ent.Preregistration.Query().CountX(ctx); n != transfer.MaxRows {
			t.Fatalf("%d pre-registrations", n)
		}
		// One row more than the limit is refused as a whole.
		_, err = f.svc.PreviewImport(ctx, transfer.KindDevices, []byte(file(transfer.MaxRows+1, 0)))
		wantKind(t, err, apperr.KindResourceExhausted, "more than 10000 rows")
	})
}
