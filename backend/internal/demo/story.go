package demo

import (
	"fmt"
	"slices"

	"github.com/wegweiser/wegweiser/backend/internal/simulate"
)

// The demo's stories, told by its history (day numbers are days before
// the demo started; see README "The demo"):
//
//   - Acme Dental, ACME-SRV-007: Defender's real-time protection on the
//     practice server was turned off for a week (days 68–62, for an imaging
//     software install), turned back on, and has been off again since day
//     19 — a failure that starts, gets fixed and comes back.
//   - Acme Dental, ACME-NB-006: the Mac's firewall was off twice for a few
//     days and turned back on each time.
//   - Birch & Co, BIRCH-FS-010: the file server's data volume D: fills
//     slowly, from 36 % free 90 days ago past the warning (20 %) about six
//     weeks ago to below the failure threshold (10 %) about two weeks ago.
//   - Harbour Logistics: a bad Office update pushed to its Windows
//     workstations five days ago makes Outlook crash many times a day, and
//     every crash leaves a dump that fills C: (below 5 % free today) — a
//     regression of the organisation against its 14-day baseline. Before
//     that, its two worst machines were mended: HARB-WS-014's failing disk
//     was replaced 31 days ago, and HARB-SRV-008's full root volume was
//     cleaned up 40 days ago.
//   - Everyone: operating-system updates are released every 28 days and
//     pile up until each machine installs them a few days later; machines
//     missing critical updates stopped installing them a cycle or two ago.
//
// Every other problem of a machine began some time in the past (see
// simulate.Backstory), and about half the machines had a spell of trouble
// that was fixed.

// Host names the stories are about.
const (
	avHost       = "ACME-SRV-007"
	firewallHost = "ACME-NB-006"
	fileServer   = "BIRCH-FS-010"
	fileServerOf = "BIRCH-SRV-010" // the simulated server that becomes the file server
	// RegressionOrganisation is the organisation whose Windows machines got
	// the bad driver.
	RegressionOrganisation = "Harbour Logistics"
	// FileServer is the host name of the file server whose data volume
	// fills up.
	FileServer = fileServer
	// badUpdateDay is when the bad update arrived.
	badUpdateDay = 5
)

// Fleets returns each organisation's simulated machines by group (in the
// order of orgs and their groups), each with its story. Servers go into an
// organisation's "Servers" group where it has one, the others round the
// remaining groups.
func Fleets() ([][][]simulate.Machine, error) {
	seed := uint64(2026)
	found := map[string]bool{}
	out := make([][][]simulate.Machine, len(orgs))
	for oi, o := range orgs {
		fleet := simulate.Fleet(seed, o.prefix, o.devices)
		seed++
		servers := slices.Index(o.groups, "Servers")
		var others []int
		for gi := range o.groups {
			if gi != servers {
				others = append(others, gi)
			}
		}
		out[oi] = make([][]simulate.Machine, len(o.groups))
		next := 0
		for _, m := range fleet {
			m.Story = simulate.Backstory(m, Days)
			tell(&m, o.name)
			found[m.Hostname] = true
			gi := servers
			if !m.Profile.Server || servers < 0 {
				gi = others[next%len(others)]
				next++
			}
			out[oi][gi] = append(out[oi][gi], m)
		}
	}
	for _, h := range []string{avHost, firewallHost, fileServer, "HARB-WS-014", "HARB-SRV-008"} {
		if !found[h] {
			return nil, fmt.Errorf("demo fleet: the simulated fleet has no %s for its story (did the simulator's fleet change?)", h)
		}
	}
	return out, nil
}

// tell gives m its part in the demo's stories.
func tell(m *simulate.Machine, org string) {
	st := m.Story
	switch m.Hostname {
	case avHost:
		st.Episodes = append(st.Episodes,
			simulate.Episode{Problem: simulate.AntivirusOff, From: 68, Until: 61},
			simulate.Episode{Problem: simulate.AntivirusOff, From: 19, Until: simulate.Open})
	case firewallHost:
		st.Episodes = append(st.Episodes,
			simulate.Episode{Problem: simulate.FirewallOff, From: 58, Until: 54},
			simulate.Episode{Problem: simulate.FirewallOff, From: 33, Until: 30})
	case fileServerOf:
		m.Hostname = fileServer
		st.DataVolume = []simulate.Level{{DaysAgo: Days, Percent: 36}, {DaysAgo: 42, Percent: 20}, {DaysAgo: 16, Percent: 10}, {DaysAgo: 0, Percent: 6.5}}
	case "HARB-WS-014":
		mended(m, simulate.SmartFailing, 75, 31)
	case "HARB-SRV-008":
		mended(m, simulate.DiskNearlyFull, 70, 40)
	}
	if org == RegressionOrganisation && m.Profile.Platform == "windows" && !m.Profile.Server {
		st.Episodes = append(st.Episodes, simulate.Episode{Problem: simulate.AppCrashes, From: badUpdateDay, Until: simulate.Open})
		st.SystemFill = &simulate.Level{DaysAgo: badUpdateDay, Percent: 3 + float64(m.Index%3)*0.6}
	}
}

// mended turns a problem m has today into a spell of the past, fixed
// `until` days ago.
func mended(m *simulate.Machine, p simulate.Problem, from, until int) {
	m.Problems = slices.DeleteFunc(slices.Clone(m.Problems), func(x simulate.Problem) bool { return x == p })
	m.Story.Episodes = append(m.Story.Episodes, simulate.Episode{Problem: p, From: from, Until: until})
}
