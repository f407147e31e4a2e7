// Package demo seeds a demo tenant with organisations, groups and devices,
// so that a newcomer sees a working dashboard at once.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/privacy"
	"github.com/wegweiser/wegweiser/ent/user"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Email is the demo owner's login.
const Email = "demo@example.com"

// Credentials say how to log into the demo tenant.
type Credentials struct {
	Email, Password string
	TenantID        uuid.UUID
	Created         bool
}

type org struct {
	name, description string
	groups            []string
	devices           int
}

var orgs = []org{
	{"Acme Dental", "Three-chair dental practice; imaging PC is critical.", []string{"Front desk", "Surgery"}, 8},
	{"Birch & Co Accountants", "Accounting firm, busy in tax season.", []string{"Office", "Servers"}, 10},
	{"Harbour Logistics", "Warehouse and head office on two sites.", []string{"Head office", "Warehouse", "Servers"}, 14},
}

type model struct {
	platform     device.Platform
	role         device.Role
	osName, osV  string
	manufacturer string
	model        string
}

var models = []model{
	{device.PlatformWindows, device.RoleWorkstation, "Windows 11 Pro", "23H2", "Dell Inc.", "OptiPlex 7010"},
	{device.PlatformWindows, device.RoleWorkstation, "Windows 11 Pro", "24H2", "LENOVO", "ThinkPad T14 Gen 4"},
	{device.PlatformWindows, device.RoleWorkstation, "Windows 10 Pro", "22H2", "HP", "EliteDesk 800 G5"},
	{device.PlatformWindows, device.RoleServer, "Windows Server 2022 Standard", "21H2", "Dell Inc.", "PowerEdge T150"},
	{device.PlatformMacos, device.RoleWorkstation, "macOS", "15.1", "Apple Inc.", "MacBook Air (M2, 2022)"},
	{device.PlatformMacos, device.RoleWorkstation, "macOS", "13.6", "Apple Inc.", "iMac (Retina 5K, 2019)"},
	{device.PlatformLinux, device.RoleServer, "Debian GNU/Linux", "12.7", "Supermicro", "SYS-E300-9D"},
	{device.PlatformLinux, device.RoleServer, "Ubuntu", "22.04.5 LTS", "HPE", "ProLiant MicroServer Gen10 Plus"},
}

// Seed creates the demo tenant unless it exists; either way it sets a fresh
// random password for the demo owner and returns it (passwords are stored
// hashed, so an old one cannot be shown again).
func Seed(ctx context.Context, st *store.Store, ids *identity.Service, now time.Time) (*Credentials, error) {
	password, err := randomPassword()
	if err != nil {
		return nil, err
	}
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	u, err := st.Ent.User.Query().Where(user.Email(Email)).WithMemberships().Only(sys)
	if err == nil && len(u.Edges.Memberships) > 0 {
		hash, err := identity.HashPassword(password)
		if err != nil {
			return nil, err
		}
		if err := st.Ent.User.UpdateOneID(u.ID).SetPasswordHash(hash).Exec(sys); err != nil {
			return nil, fmt.Errorf("reset demo password: %w", err)
		}
		return &Credentials{Email: Email, Password: password, TenantID: u.Edges.Memberships[0].TenantID}, nil
	}
	if err != nil && !ent.IsNotFound(err) {
		return nil, fmt.Errorf("find demo user: %w", err)
	}
	res, err := ids.SignUp(ctx, identity.SignUpInput{TenantName: "Demo MSP", Email: Email, Password: password, DisplayName: "Demo Owner"})
	if err != nil {
		return nil, fmt.Errorf("create demo tenant: %w", err)
	}
	tctx := viewer.NewContext(ctx, viewer.System(res.Tenant.ID))
	if err := seedFleet(tctx, st, res.Tenant.ID, now); err != nil {
		return nil, err
	}
	return &Credentials{Email: Email, Password: password, TenantID: res.Tenant.ID, Created: true}, nil
}

// seedFleet adds organisations, groups and devices from a fixed seed, so
// the demo looks the same every time.
func seedFleet(ctx context.Context, st *store.Store, tenantID uuid.UUID, now time.Time) error {
	rng := mrand.New(mrand.NewPCG(2026, 11))
	return st.Tx(ctx, func(tx *store.Tx) error {
		for oi, o := range orgs {
			eo, err := tx.Organisation.Create().SetTenantID(tenantID).SetName(o.name).SetDescription(o.description).Save(ctx)
			if err != nil {
				return fmt.Errorf("create organisation: %w", err)
			}
			var groups []*ent.Group
			for _, g := range o.groups {
				eg, err := tx.Group.Create().SetTenantID(tenantID).SetOrganisationID(eo.ID).SetName(g).Save(ctx)
				if err != nil {
					return fmt.Errorf("create group: %w", err)
				}
				groups = append(groups, eg)
			}
			prefix := []string{"ACME", "BIRCH", "HARB"}[oi]
			bulk := make([]*ent.DeviceCreate, 0, o.devices)
			for i := 0; i < o.devices; i++ {
				m := models[rng.IntN(len(models))]
				g := groups[rng.IntN(len(groups))]
				kind := "WS"
				if m.role == device.RoleServer {
					kind = "SRV"
				}
				host := fmt.Sprintf("%s-%s-%02d", prefix, kind, i+1)
				seen := now.Add(-time.Duration(rng.IntN(90)) * time.Minute)
				if rng.IntN(8) == 0 {
					seen = now.Add(-time.Duration(2+rng.IntN(20)) * 24 * time.Hour) // silent for days
				}
				tags := []string{}
				if m.role == device.RoleServer {
					tags = append(tags, "server")
				}
				if rng.IntN(4) == 0 {
					tags = append(tags, "vip")
				}
				c := tx.Device.Create().SetTenantID(tenantID).SetOrganisationID(eo.ID).SetGroupID(g.ID).
					SetHostname(host).SetPlatform(m.platform).SetRole(m.role).
					SetOsName(m.osName).SetOsVersion(m.osV).SetManufacturer(m.manufacturer).SetModel(m.model).
					SetSerialNumber(fmt.Sprintf("SN%08X", rng.Uint32())).
					SetIPAddresses([]string{fmt.Sprintf("10.%d.%d.%d", oi+10, rng.IntN(4), 10+i)}).
					SetAgentVersion("0.1.0").SetTags(tags).SetLastSeenAt(seen)
				bulk = append(bulk, c)
			}
			if _, err := tx.Device.CreateBulk(bulk...).Save(ctx); err != nil {
				return fmt.Errorf("create devices: %w", err)
			}
		}
		return nil
	})
}

func randomPassword() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
