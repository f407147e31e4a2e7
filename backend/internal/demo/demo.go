// Package demo seeds a demo tenant with organisations and groups and fills
// it with simulated agents that enrol and report through the real API, so
// that a newcomer sees a working dashboard at once. Each simulated machine
// also has a past (see Days and the stories in story.go): its history of the
// last 90 days is backfilled from daily simulated snapshots, so trends,
// baselines, regressions and "what changed" have something to show.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"iter"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/enrolment"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/simulate"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/user"
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
	name, description, prefix string
	groups                    []string
	devices                   int
}

var orgs = []org{
	{"Acme Dental", "Three-chair dental practice; imaging PC is critical.", "ACME", []string{"Front desk", "Surgery"}, 8},
	{"Birch & Co Accountants", "Accounting firm, busy in tax season.", "BIRCH", []string{"Office", "Servers"}, 10},
	{"Harbour Logistics", "Warehouse and head office on two sites.", "HARB", []string{"Head office", "Warehouse", "Servers"}, 14},
}

// Days is how far back the demo's history goes: one simulated snapshot a day
// is analysed for each of the last Days days.
const Days = 90

// Enrolment is a demo group's enrolment key and the simulated machines that
// enrol with it (with their stories).
type Enrolment struct {
	Key      string
	Machines []simulate.Machine
}

// Seed creates the demo tenant unless it exists; either way it sets a fresh
// random password for the demo owner and returns it (passwords are stored
// hashed, so an old one cannot be shown again). For a new tenant it also
// returns the enrolment keys and simulated machines to populate it with
// (see Populate).
func Seed(ctx context.Context, st *store.Store, ids *identity.Service, keys *enrolment.Service) (*Credentials, []Enrolment, error) {
	password, err := randomPassword()
	if err != nil {
		return nil, nil, err
	}
	sys := bypass.Allow(ctx, "demo data: create the demo tenant")
	u, err := st.Ent.User.Query().Where(user.Email(Email)).WithMemberships().Only(sys)
	if err == nil && len(u.Edges.Memberships) > 0 {
		hash, err := identity.HashPassword(password)
		if err != nil {
			return nil, nil, err
		}
		if err := st.Ent.User.UpdateOneID(u.ID).SetPasswordHash(hash).Exec(sys); err != nil {
			return nil, nil, fmt.Errorf("reset demo password: %w", err)
		}
		return &Credentials{Email: Email, Password: password, TenantID: u.Edges.Memberships[0].TenantID}, nil, nil
	}
	if err != nil && !ent.IsNotFound(err) {
		return nil, nil, fmt.Errorf("find demo user: %w", err)
	}
	res, err := ids.SignUp(ctx, identity.SignUpInput{TenantName: "Demo MSP", Email: Email, Password: password, DisplayName: "Demo Owner"})
	if err != nil {
		return nil, nil, fmt.Errorf("create demo tenant: %w", err)
	}
	tctx := bypass.AsTenant(ctx, res.Tenant.ID, "demo data: fill the demo tenant")
	fleets, err := Fleets()
	if err != nil {
		return nil, nil, err
	}
	var enrolments []Enrolment
	for oi, o := range orgs {
		eo, err := st.Ent.Organisation.Create().SetTenantID(res.Tenant.ID).SetName(o.name).SetDescription(o.description).Save(tctx)
		if err != nil {
			return nil, nil, fmt.Errorf("create organisation: %w", err)
		}
		for gi, g := range o.groups {
			eg, err := st.Ent.Group.Create().SetTenantID(res.Tenant.ID).SetOrganisationID(eo.ID).SetName(g).Save(tctx)
			if err != nil {
				return nil, nil, fmt.Errorf("create group: %w", err)
			}
			_, secret, err := keys.CreateKey(tctx, enrolment.KeyInput{OrganisationID: eo.ID, GroupID: eg.ID, Description: "Demo agents for " + g})
			if err != nil {
				return nil, nil, err
			}
			enrolments = append(enrolments, Enrolment{Key: secret, Machines: fleets[oi][gi]})
		}
	}
	return &Credentials{Email: Email, Password: password, TenantID: res.Tenant.ID, Created: true}, enrolments, nil
}

// Populate enrols the simulated machines through the real API (served by
// handler on a private loopback listener), has each send its snapshot of
// today, and backfills the tenant's history of the last Days days from
// each machine's daily snapshots (analysed in process and written in bulk
// by health.Service.Backfill; only today's snapshot goes through ingest).
// It returns what the backfill wrote.
func Populate(ctx context.Context, handler http.Handler, hs *health.Service, tenantID uuid.UUID, enrolments []Enrolment) (health.BackfillStats, error) {
	var stats health.BackfillStats
	if len(enrolments) == 0 {
		return stats, nil
	}
	end := time.Now().UTC()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return stats, fmt.Errorf("listen for the demo simulation: %w", err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Close() }()
	url := "http://" + ln.Addr().String()
	var past []health.PastDevice
	for _, e := range enrolments {
		today := make([]simulate.Machine, len(e.Machines))
		for i, m := range e.Machines {
			today[i] = m.At(0)
		}
		run, err := simulate.Run(ctx, simulate.Options{
			ServerURL: url, Key: e.Key, Machines: today, Rounds: 1, Concurrency: 4,
		})
		if err != nil {
			return stats, fmt.Errorf("simulate demo agents: %w", err)
		}
		for i, m := range e.Machines {
			id, err := uuid.Parse(run.DeviceIDs[i])
			if err != nil {
				return stats, fmt.Errorf("simulate demo agents: device id of %s: %w", m.Hostname, err)
			}
			past = append(past, health.PastDevice{DeviceID: id, Snapshots: History(m, end)})
		}
	}
	stats, err = hs.Backfill(ctx, tenantID, past)
	if err != nil {
		return stats, fmt.Errorf("backfill demo history: %w", err)
	}
	return stats, nil
}

// History yields machine m's daily snapshots of the Days days before end,
// oldest first, each taken as m was on its day.
func History(m simulate.Machine, end time.Time) iter.Seq[*agentv1.Snapshot] {
	return func(yield func(*agentv1.Snapshot) bool) {
		for d := Days; d >= 1; d-- {
			if !yield(m.At(d).Snapshot(end.Add(-time.Duration(d)*24*time.Hour), 1000+d)) {
				return
			}
		}
	}
}

func randomPassword() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
