package demo

import (
	"fmt"
	"slices"

	"github.com/wegweiser/wegweiser/backend/internal/simulate"
)

// The demo's stories, told by its history (day numbers are days before
// the demo started; see README "The demo"):
//
//   - Acme Dental, ACME-WS-003: Defender's real-time protection was off for
//     a week (days 68–62), turned back on, and has been off again since day
//     19 — a failure that starts, gets fixed and comes back.
//   - Acme Dental, ACME-NB-006: the Mac's firewall was off twice for a few
//     days and turned back on each time.
//   - Birch & Co, BIRCH-FS-010: the file server's data volume D: fills
//     slowly, from 36 % free 90 days ago past the warning (20 %) about six
//     weeks ago to below the failure threshold (10 %) about two weeks ago.
//   - Harbour Logistics: a storage driver pushed to its Windows machines
//     five days ago causes blue screens and disk errors on every one of
//     them — a regression of the organisation against its 14-day baseline.
//   - Everyone: operating-system updates are released every 28 days and
//     pile up until each machine installs them a few days later; machines
//     missing critical updates stopped installing them a cycle or two ago.
//
// Every other problem of a machine began some time in the past (see
// simulate.Backstory), and about half the machines had a spell of trouble
// that was fixed.

// Host names the stories are about.
const (
	avHost       = "ACME-WS-003"
	firewallHost = "ACME-NB-006"
	fileServer   = "BIRCH-FS-010"
	fileServerOf = "BIRCH-SRV-010" // the simulated server that becomes the file server
	// RegressionOrganisation is the organisation whose Windows machines got
	// the bad driver.
	RegressionOrganisation = "Harbour Logistics"
	// FileServer is the host name of the file server whose data volume
	// fills up.
	FileServer = fileServer
	// badDriverDay is when the bad driver arrived.
	badDriverDay = 5
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
	for _, h := range []string{avHost, firewallHost, fileServer} {
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
	}
	if org == RegressionOrganisation && m.Profile.Platform == "windows" {
		st.Episodes = append(st.Episodes,
			simulate.Episode{Problem: simulate.SystemCrashes, From: badDriverDay, Until: simulate.Open},
			simulate.Episode{Problem: simulate.DiskErrors, From: badDriverDay, Until: simulate.Open})
	}
}
