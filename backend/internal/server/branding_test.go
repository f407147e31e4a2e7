package server_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/google/uuid"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/auditevent"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// pngLogo is a small valid PNG.
func pngLogo(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 4))
	for x := range 8 {
		img.Set(x, 1, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestBranding: only owners change the branding; hostile logos, colours and
// names are refused by field without changing anything; the branding shows
// in WhoAmI and GetTenant for every member, customers included; keep_logo
// keeps the logo and an empty logo removes it; every change is audited;
// another tenant's branding never shows.
func TestBranding(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "brand")
		other := signUpEmpty(t, srv, "otherbrand")
		ctx := context.Background()
		own := srv.Clients(ten.Login(t, ten.Owner))
		cust := srv.Clients(ten.Login(t, ten.Members[viewer.RoleCustomer]))

		me := must(own.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t)
		if b := me.GetTenant().GetBranding(); b == nil || b.GetDisplayName() != "" || len(b.GetLogo()) != 0 || b.GetAccentColor() != "" {
			t.Fatalf("default branding %s", pjt(me))
		}

		logo := pngLogo(t)
		svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>`)
		garbage := append(append([]byte{}, logo[:33]...), bytes.Repeat([]byte{0xde, 0xad}, 200)...)
		huge := append(append([]byte{}, logo...), make([]byte, 300<<10)...)
		for name, c := range map[string]struct {
			req   *v1.UpdateBrandingRequest
			field string
		}{
			"svg with script":     {&v1.UpdateBrandingRequest{Branding: &v1.TenantBranding{Logo: svg, LogoMediaType: "image/png"}}, "branding.logo"},
			"png header, garbage": {&v1.UpdateBrandingRequest{Branding: &v1.TenantBranding{Logo: garbage}}, "branding.logo"},
			"300 KiB":             {&v1.UpdateBrandingRequest{Branding: &v1.TenantBranding{Logo: huge}}, "branding.logo"},
			"html":                {&v1.UpdateBrandingRequest{Branding: &v1.TenantBranding{Logo: []byte("<html><img src=x onerror=alert(1)>")}}, "branding.logo"},
			"colour name":         {&v1.UpdateBrandingRequest{Branding: &v1.TenantBranding{AccentColor: "red"}}, "branding.accent_color"},
			"short colour":        {&v1.UpdateBrandingRequest{Branding: &v1.TenantBranding{AccentColor: "#abc"}}, "branding.accent_color"},
			"css injection":       {&v1.UpdateBrandingRequest{Branding: &v1.TenantBranding{AccentColor: "#000000;background:url(x)"}}, "branding.accent_color"},
			"long name":           {&v1.UpdateBrandingRequest{Branding: &v1.TenantBranding{DisplayName: strings.Repeat("x", 201)}}, "branding.display_name"},
			"control characters":  {&v1.UpdateBrandingRequest{Branding: &v1.TenantBranding{DisplayName: "a\x00b"}}, "branding.display_name"},
		} {
			_, err := own.Tenant.UpdateBranding(ctx, c.req)
			if testenv.Code(err) != "invalid_argument" || !strings.Contains(err.Error(), c.field) {
				t.Errorf("%s: %v, want invalid_argument on %s", name, err, c.field)
			}
		}
		if b := must(own.Tenant.GetTenant(ctx, &v1.GetTenantRequest{}))(t).GetTenant().GetBranding(); b.GetDisplayName() != "" || len(b.GetLogo()) != 0 || b.GetAccentColor() != "" {
			t.Fatalf("refused changes stored something: %s", pj(b))
		}
		for _, role := range []viewer.Role{viewer.RoleAdmin, viewer.RoleTechnician, viewer.RoleViewer, viewer.RoleCustomer} {
			c := srv.Clients(ten.Login(t, ten.Members[role]))
			_, err := c.Tenant.UpdateBranding(ctx, &v1.UpdateBrandingRequest{Branding: &v1.TenantBranding{DisplayName: "hijack"}})
			if testenv.Code(err) != "permission_denied" {
				t.Errorf("%s changing the branding: %s, want permission_denied", role, testenv.Code(err))
			}
		}

		set := must(own.Tenant.UpdateBranding(ctx, &v1.UpdateBrandingRequest{Branding: &v1.TenantBranding{
			DisplayName: "  Brand IT Services ", Logo: logo, LogoMediaType: "image/svg+xml", AccentColor: "#1A7F5A",
		}}))(t).GetBranding()
		if set.GetDisplayName() != "Brand IT Services" || set.GetAccentColor() != "#1a7f5a" || set.GetLogoMediaType() != "image/png" || !bytes.Equal(set.GetLogo(), logo) {
			t.Fatalf("set %s", pjt(set))
		}
		// The customer sees the MSP's branding.
		cme := must(cust.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t)
		if b := cme.GetTenant().GetBranding(); b.GetDisplayName() != "Brand IT Services" || !bytes.Equal(b.GetLogo(), logo) || b.GetAccentColor() != "#1a7f5a" {
			t.Errorf("customer's WhoAmI branding %s", pjt(b))
		}
		if b := must(cust.Tenant.GetTenant(ctx, &v1.GetTenantRequest{}))(t).GetTenant().GetBranding(); b.GetDisplayName() != "Brand IT Services" {
			t.Errorf("customer's GetTenant branding %s", pjt(b))
		}

		// keep_logo keeps it; without it an empty logo removes it.
		kept := must(own.Tenant.UpdateBranding(ctx, &v1.UpdateBrandingRequest{KeepLogo: true, Branding: &v1.TenantBranding{DisplayName: "Brand IT"}}))(t).GetBranding()
		if kept.GetDisplayName() != "Brand IT" || !bytes.Equal(kept.GetLogo(), logo) || kept.GetLogoMediaType() != "image/png" || kept.GetAccentColor() != "" {
			t.Errorf("kept %s", pjt(kept))
		}
		removed := must(own.Tenant.UpdateBranding(ctx, &v1.UpdateBrandingRequest{Branding: &v1.TenantBranding{DisplayName: "Brand IT"}}))(t).GetBranding()
		if len(removed.GetLogo()) != 0 || removed.GetLogoMediaType() != "" {
			t.Errorf("removed %s", pjt(removed))
		}
		if b := must(own.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t).GetTenant().GetBranding(); len(b.GetLogo()) != 0 || b.GetDisplayName() != "Brand IT" {
			t.Errorf("after removal WhoAmI %s", pjt(b))
		}

		// The other tenant sees only its own, and changing it leaves ours.
		ob := must(other.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t).GetTenant().GetBranding()
		if ob.GetDisplayName() != "" || len(ob.GetLogo()) != 0 {
			t.Errorf("other tenant's branding %s", pjt(ob))
		}
		must(other.Tenant.UpdateBranding(ctx, &v1.UpdateBrandingRequest{Branding: &v1.TenantBranding{DisplayName: "Other", Logo: logo, AccentColor: "#000000"}}))(t)
		if b := must(cust.Auth.WhoAmI(ctx, &v1.WhoAmIRequest{}))(t).GetTenant().GetBranding(); b.GetDisplayName() != "Brand IT" || len(b.GetLogo()) != 0 {
			t.Errorf("after the other tenant's change %s", pjt(b))
		}

		asTenant := bypass.AsTenant(ctx, uuid.MustParse(ten.ID), "test: read the tenant's audit log")
		events, err := srv.App.Store.Ent.AuditEvent.Query().Where(auditevent.Action("tenant.branding_update")).All(asTenant)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 3 || events[0].Actor != ten.Owner.Email {
			t.Errorf("%d branding audit events (want 3)", len(events))
		}
	})
}

// TestCustomerPortal: a customer limited to one organisation reads that
// organisation's health, devices and report, and gets not_found or
// permission_denied for another organisation's health, devices, report,
// chat and CSV export; its lists hold nothing of the other organisation.
func TestCustomerPortal(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "portal")
		ctx := context.Background()
		tok := ten.Login(t, ten.Members[viewer.RoleCustomer])
		cust := srv.Clients(tok)
		mine, theirs := ten.Organisations[0], ten.Organisations[1]
		// NewTenant puts devices 0-5 in the first organisation, 6-11 in the second.
		myDevice, theirDevice := ten.Devices[0], ten.Devices[6]

		orgs := must(cust.Tenant.ListOrganisations(ctx, &v1.ListOrganisationsRequest{}))(t).GetOrganisations()
		if len(orgs) != 1 || orgs[0].GetId() != mine {
			t.Errorf("customer's organisations %v, want only %s", orgs, mine)
		}
		must(cust.Health.GetHealth(ctx, &v1.GetHealthRequest{Entity: &v1.EntityRef{Kind: v1.EntityKind_ENTITY_KIND_ORGANISATION, Id: mine}}))(t)
		must(cust.Device.GetDevice(ctx, &v1.GetDeviceRequest{Id: myDevice}))(t)
		must(cust.Report.RenderReport(ctx, &v1.RenderReportRequest{OrganisationId: mine}))(t)
		devs := must(cust.Device.ListDevices(ctx, &v1.ListDevicesRequest{PageSize: 100}))(t).GetDevices()
		if len(devs) == 0 {
			t.Error("customer sees no devices of its own organisation")
		}
		for _, d := range devs {
			if d.GetOrganisationId() != mine {
				t.Errorf("customer lists device %s of organisation %s", d.GetId(), d.GetOrganisationId())
			}
		}
		health := must(cust.Health.ListOrganisationHealth(ctx, &v1.ListOrganisationHealthRequest{}))(t)
		if strings.Contains(pj(health), theirs) {
			t.Errorf("organisation health lists the other organisation: %s", pjt(health))
		}

		denied := func(name string, err error) {
			t.Helper()
			if c := testenv.Code(err); c != "not_found" && c != "permission_denied" {
				t.Errorf("%s of another organisation: %s, want not_found or permission_denied", name, c)
			}
		}
		_, err := cust.Health.GetHealth(ctx, &v1.GetHealthRequest{Entity: &v1.EntityRef{Kind: v1.EntityKind_ENTITY_KIND_ORGANISATION, Id: theirs}})
		denied("health", err)
		_, err = cust.Health.GetHealth(ctx, &v1.GetHealthRequest{Entity: &v1.EntityRef{Kind: v1.EntityKind_ENTITY_KIND_DEVICE, Id: theirDevice}})
		denied("device health", err)
		_, err = cust.Device.GetDevice(ctx, &v1.GetDeviceRequest{Id: theirDevice})
		denied("device", err)
		_, err = cust.Tenant.GetOrganisation(ctx, &v1.GetOrganisationRequest{Id: theirs})
		denied("organisation", err)
		_, err = cust.Report.RenderReport(ctx, &v1.RenderReportRequest{OrganisationId: theirs})
		denied("report", err)
		_, err = cust.Transfer.Export(ctx, &v1.ExportRequest{Kind: v1.TransferKind_TRANSFER_KIND_DEVICES, OrganisationId: theirs})
		denied("CSV export", err)
		res, err := cust.Device.ListDevices(ctx, &v1.ListDevicesRequest{OrganisationId: theirs})
		if err == nil && len(res.GetDevices()) > 0 {
			t.Errorf("device list of another organisation: %s", pjt(res))
		} else if err != nil {
			denied("device list", err)
		}
		chat := testenv.Call(t, srv.URL, "wegweiser.v1.ChatService/CreateConversation", tok, map[string]any{
			"scope": map[string]any{"kind": "ENTITY_KIND_ORGANISATION", "id": theirs}, "title": "peek",
		})
		if c := chat.Code; c != "not_found" && c != "permission_denied" {
			t.Errorf("chat about another organisation: %s (%s)", c, chat.Raw)
		}
	})
}
