package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

const (
	transferPreview = "wegweiser.v1.TransferService/PreviewImport"
	transferCommit  = "wegweiser.v1.TransferService/CommitImport"
)

// importCSV previews and commits content through TransferService.
func importCSV(t *testing.T, c *testenv.Clients, kind v1.TransferKind, content string) *v1.CommitImportResponse {
	t.Helper()
	ctx := context.Background()
	p := must(c.Transfer.PreviewImport(ctx, &v1.PreviewImportRequest{Kind: kind, Content: []byte(content)}))(t)
	if p.GetErrorRows() > 0 || len(p.GetFileErrors()) > 0 {
		t.Fatalf("preview: %s", pj(p))
	}
	return must(c.Transfer.CommitImport(ctx, &v1.CommitImportRequest{Kind: kind, Content: []byte(content), ContentSha256: p.GetContentSha256()}))(t)
}

// TestTransferPermissionsAndScope: only owners and admins import; every
// role exports, scoped members only their organisations.
func TestTransferPermissionsAndScope(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "transfer")
		ctx := context.Background()
		content := []byte("name\nNew org\n")
		for _, role := range []viewer.Role{viewer.RoleTechnician, viewer.RoleViewer, viewer.RoleCustomer} {
			c := srv.Clients(ten.Login(t, ten.Members[role]))
			_, err := c.Transfer.PreviewImport(ctx, &v1.PreviewImportRequest{Kind: v1.TransferKind_TRANSFER_KIND_ORGANISATIONS, Content: content})
			if testenv.Code(err) != "permission_denied" {
				t.Errorf("%s preview: %v, want permission_denied", role, err)
			}
			_, err = c.Transfer.CommitImport(ctx, &v1.CommitImportRequest{Kind: v1.TransferKind_TRANSFER_KIND_ORGANISATIONS, Content: content, ContentSha256: strings.Repeat("0", 64)})
			if testenv.Code(err) != "permission_denied" {
				t.Errorf("%s commit: %v, want permission_denied", role, err)
			}
		}
		admin := srv.Clients(ten.Login(t, ten.Members[viewer.RoleAdmin]))
		if res := importCSV(t, admin, v1.TransferKind_TRANSFER_KIND_ORGANISATIONS, string(content)); res.GetCreated() != 1 {
			t.Fatalf("admin import: %s", pj(res))
		}
		// The technician (first organisation only) exports only that one.
		tech := srv.Clients(ten.Login(t, ten.Members[viewer.RoleTechnician]))
		out := must(tech.Transfer.Export(ctx, &v1.ExportRequest{Kind: v1.TransferKind_TRANSFER_KIND_ORGANISATIONS}))(t)
		if got := string(out.GetContent()); out.GetRows() != 1 || !strings.Contains(got, "transfer org 0") || strings.Contains(got, "org 1") || strings.Contains(got, "New org") {
			t.Errorf("technician export: %q", got)
		}
		dev := must(tech.Transfer.Export(ctx, &v1.ExportRequest{Kind: v1.TransferKind_TRANSFER_KIND_DEVICES}))(t)
		if got := string(dev.GetContent()); strings.Contains(got, "transfer-o1") || !strings.Contains(got, "transfer-o0g0-00") || !strings.Contains(got, "transfer-pending") {
			t.Errorf("technician devices export: %q", got)
		}
		_, err := tech.Transfer.Export(ctx, &v1.ExportRequest{Kind: v1.TransferKind_TRANSFER_KIND_GROUPS, OrganisationId: ten.Organisations[1]})
		if testenv.Code(err) != "not_found" {
			t.Errorf("technician export of another organisation: %v", err)
		}
		if !strings.HasPrefix(dev.GetFileName(), "wegweiser-devices-") || !strings.HasSuffix(dev.GetFileName(), ".csv") {
			t.Errorf("file name %q", dev.GetFileName())
		}
		tpl := must(admin.Transfer.GetImportTemplate(ctx, &v1.GetImportTemplateRequest{Kind: v1.TransferKind_TRANSFER_KIND_DEVICES}))(t)
		if !strings.Contains(string(tpl.GetContent()), "organisation,group,hostname,serial_number,tags\r\n") || tpl.GetFileName() != "wegweiser-devices-template.csv" {
			t.Errorf("template: %q %q", tpl.GetFileName(), tpl.GetContent())
		}
	})
}

// TestTransferSizeLimits: a file of almost 10 MB passes the transport as
// base64 in JSON; 10 MB and one byte is refused by the service and 50 MB
// before its body is read, both as resource_exhausted saying the limit.
func TestTransferSizeLimits(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "limits")
		h := srv.App.Handler()
		auth := "Bearer " + ten.Login(t, ten.Owner)
		body := func(content []byte) []byte {
			b, err := json.Marshal(map[string]any{"kind": "TRANSFER_KIND_ORGANISATIONS", "content": base64.StdEncoding.EncodeToString(content)})
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		// Just under 10 MB: 9,000 organisations with long descriptions.
		var b bytes.Buffer
		b.WriteString("name,description\n")
		for i := 0; b.Len() < 10<<20-1200; i++ {
			fmt.Fprintf(&b, "Org %05d,%s\n", i, strings.Repeat("d", 1100))
		}
		if res := rawCall(t, h, transferPreview, auth, "json", false, body(b.Bytes())); res.Code != "ok" {
			t.Fatalf("preview of %d bytes: %s %q", b.Len(), res.Code, res.Message)
		}
		over := append(bytes.Repeat([]byte("x"), 10<<20), '\n')
		res := rawCall(t, h, transferPreview, auth, "json", false, body(over))
		if res.Code != "resource_exhausted" || !strings.Contains(res.Message, "at most 10 MB") {
			t.Errorf("10 MB and a byte: %s %q", res.Code, res.Message)
		}
		huge := body(bytes.Repeat([]byte("a,b\n"), 50<<20/4))
		for _, proc := range []string{transferPreview, transferCommit} {
			// Its length declared, the request is refused unread.
			req := httptest.NewRequest(http.MethodPost, "/"+proc, bytes.NewReader(huge))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", auth)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			var e struct{ Code, Message string }
			_ = json.Unmarshal(w.Body.Bytes(), &e)
			if e.Code != "resource_exhausted" || !strings.Contains(e.Message, "the request has 66.7 MB; an import file may have at most 10 MB") {
				t.Errorf("%s with 50 MB: %d %s", proc, w.Code, w.Body)
			}
			// Of unknown length, it is cut at the limit.
			res := rawCall(t, h, proc, auth, "json", false, huge)
			if res.Code != "resource_exhausted" || !strings.Contains(res.Message, "at most 10 MB") {
				t.Errorf("%s with 50 MB of unknown length: %s %q", proc, res.Code, res.Message)
			}
		}
		// Without a credential the size is not even looked at.
		if res := rawCall(t, h, transferPreview, "", "json", false, huge); res.Code != "unauthenticated" || res.BodyRead {
			t.Errorf("50 MB without credential: %s", res.Code)
		}
	})
}

// TestPreregistrationAtEnrolment: a device row imported as a
// pre-registration decides where an agent enrolling with the same serial
// number (or host name) goes, through the real Enroll RPC, and is consumed;
// another tenant's pre-registrations are never matched.
func TestPreregistrationAtEnrolment(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "prereg")
		other := testenv.NewTenant(t, srv, "elsewhere")
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))
		org0, org1 := ten.Organisations[0], ten.Organisations[1]
		g00, g01, g10 := ten.Groups[0], ten.Groups[1], ten.Groups[2]
		importCSV(t, own, v1.TransferKind_TRANSFER_KIND_DEVICES, "organisation,group,hostname,serial_number,tags\n"+
			"prereg org 1,group 0,,SN-A,finance;laptop\n"+ // by serial, into another organisation
			"prereg org 0,group 1,HOST-B,,kiosk\n"+ // by host name, same organisation as the key
			"prereg org 1,,HOST-C,SN-C,remote\n") // another organisation, key with a group
		otherOwner := srv.Clients(other.Login(t, other.Owner))
		importCSV(t, otherOwner, v1.TransferKind_TRANSFER_KIND_DEVICES, "organisation,hostname,serial_number,tags\nelsewhere org 1,HOST-D,SN-D,foreign\n")

		key := func(org, group string) string {
			return must(own.Enrolment.CreateEnrolmentKey(ctx, &v1.CreateEnrolmentKeyRequest{OrganisationId: org, GroupId: group, Description: "prereg"}))(t).GetSecret()
		}
		noGroup, withGroup := key(org0, ""), key(org0, g00)
		enrol := func(secret, host, serial string) *v1.Device {
			t.Helper()
			res := must(srv.Clients("").Agent.Enroll(ctx, &agentv1.EnrollRequest{EnrolmentKey: secret, Hostname: host, SerialNumber: serial, Platform: "linux", AgentVersion: "1"}))(t)
			return must(own.Device.GetDevice(ctx, &v1.GetDeviceRequest{Id: res.GetDeviceId()}))(t).GetDevice()
		}
		check := func(d *v1.Device, org, group string, tags ...string) {
			t.Helper()
			if d.GetOrganisationId() != org || d.GetGroupId() != group || !slices.Equal(d.GetTags(), tags) {
				t.Errorf("%s: organisation %s group %s tags %v, want %s %s %v", d.GetHostname(), d.GetOrganisationId(), d.GetGroupId(), d.GetTags(), org, group, tags)
			}
		}
		// The key names no group: the pre-registration decides, by serial.
		check(enrol(noGroup, "whatever", "sn-a"), org1, g10, "finance", "laptop")
		// Same organisation as the key: the pre-registration's group wins
		// over the key's; matched by host name, case-insensitively.
		check(enrol(withGroup, "host-b", "SN-NEW"), org0, g01, "kiosk")
		// Another organisation while the key names a group: the key wins,
		// the tags still apply.
		check(enrol(withGroup, "elsewhere", "SN-C"), org0, g00, "remote")
		// Consumed: the same serial again goes where the key says.
		check(enrol(noGroup, "again", "SN-A"), org0, "")
		// Another tenant's pre-registration is not matched and stays.
		check(enrol(noGroup, "HOST-D", "SN-D"), org0, "")
		n, err := st.Ent.Preregistration.Query().Count(bypass.Allow(ctx, "test: count every tenant's pre-registrations"))
		if err != nil || n != 3 { // the fixture's two and elsewhere's HOST-D
			t.Errorf("pre-registrations left: %d %v", n, err)
		}
		// The pending fixture row is still exported as pending.
		out := must(own.Transfer.Export(ctx, &v1.ExportRequest{Kind: v1.TransferKind_TRANSFER_KIND_DEVICES, OrganisationId: org0}))(t)
		if got := string(out.GetContent()); !strings.Contains(got, "prereg-pending") || !strings.Contains(got, ",pending,") || strings.Contains(got, "HOST-B,,kiosk,pending") {
			t.Errorf("export: %s", got)
		}
	})
}
