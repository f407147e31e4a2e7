package simulate

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

var end = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

// on returns machine m's snapshot of the day daysAgo before end.
func on(m Machine, daysAgo int) *agentv1.Snapshot {
	return m.At(daysAgo).Snapshot(end.Add(-time.Duration(daysAgo)*24*time.Hour), 1000+daysAgo)
}

func windowsWorkstation(t *testing.T) Machine {
	t.Helper()
	for _, m := range Fleet(7, "T", 40) {
		if m.Profile.Platform == "windows" && !m.Profile.Server && len(m.Problems) == 0 {
			return m
		}
	}
	t.Fatal("no healthy Windows workstation in the fleet")
	return Machine{}
}

// TestStoriesAreDeterministic: the same seed and story give the same
// snapshots, byte for byte (but for the snapshot id).
func TestStoriesAreDeterministic(t *testing.T) {
	encode := func() [][]byte {
		var out [][]byte
		for _, m := range Fleet(11, "D", 12) {
			m.Story = Backstory(m, 90)
			for _, d := range []int{90, 45, 3, 0} {
				s := on(m, d)
				s.SnapshotId = ""
				b, err := proto.MarshalOptions{Deterministic: true}.Marshal(s)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, b)
			}
		}
		return out
	}
	a, b := encode(), encode()
	for i := range a {
		if string(a[i]) != string(b[i]) {
			t.Fatalf("snapshot %d differs between two runs of the same seed", i)
		}
	}
}

// TestEpisodesComeAndGo: a problem is there only within its spells, and
// the machine's other facts do not change when it comes or goes.
func TestEpisodesComeAndGo(t *testing.T) {
	m := windowsWorkstation(t)
	m.Story = &Story{PatchDelay: 2, Episodes: []Episode{
		{Problem: AntivirusOff, From: 60, Until: 53},
		{Problem: AntivirusOff, From: 10, Until: Open},
		{Problem: PendingReboot, From: 40, Until: 35},
	}}
	for d, want := range map[int]bool{61: false, 60: true, 54: true, 53: false, 20: false, 10: true, 0: true} {
		if got := !on(m, d).GetSecurity().GetAntivirus()[0].GetEnabled(); got != want {
			t.Errorf("day %d: real-time protection off %t, want %t", d, got, want)
		}
	}
	off, onDay := on(m, 58), on(m, 45)
	if len(off.GetSoftware()) != len(onDay.GetSoftware()) || off.GetHardware().GetBiosDate() != onDay.GetHardware().GetBiosDate() ||
		off.GetStorage().GetDisks()[0].GetSerialNumber() != onDay.GetStorage().GetDisks()[0].GetSerialNumber() {
		t.Error("software, BIOS or disk changed with the antivirus spell")
	}
	if !on(m, 38).GetPendingReboot().GetPending() || on(m, 30).GetPendingReboot().GetPending() {
		t.Error("pending reboot not limited to its spell")
	}
}

// TestPatchCycle: updates pile up from their release until the machine
// installs them; a machine that stopped patching keeps piling them up.
func TestPatchCycle(t *testing.T) {
	m := windowsWorkstation(t)
	m.Story = &Story{PatchDelay: 3}
	security := func(s *agentv1.Snapshot) int {
		n := 0
		for _, u := range s.GetPatches().GetMissing() {
			if u.GetClassification() == "security" {
				n++
			}
		}
		return n
	}
	if n := security(on(m, PatchRelease+1)); n != 0 {
		t.Errorf("the day before the release: %d security updates missing, want 0", n)
	}
	if n := security(on(m, PatchRelease)); n == 0 {
		t.Error("on the release day: no security update missing")
	}
	installed := on(m, PatchRelease-3)
	if n := security(installed); n != 0 {
		t.Errorf("on the install day: %d security updates missing, want 0", n)
	}
	if age := installed.GetCollectedTime().AsTime().Sub(installed.GetPatches().GetLastInstallTime().AsTime()); age <= 0 || age > 24*time.Hour {
		t.Errorf("on the install day the last install was %s ago", age)
	}
	lag := m
	lag.Problems = []Problem{MissingCritical}
	lag.Story = &Story{PatchDelay: 3, Since: map[Problem]int{MissingCritical: 60}}
	today := on(lag, 0)
	if n := security(today); n != 2*security(on(m, PatchRelease)) {
		t.Errorf("stopped patching 60 days ago: %d security updates missing today, want two releases' worth", n)
	}
	if age := today.GetCollectedTime().AsTime().Sub(today.GetPatches().GetLastInstallTime().AsTime()); age < 60*24*time.Hour {
		t.Errorf("stopped patching 60 days ago, but last installed %s ago", age)
	}
}

// TestDataVolumeFills: the data volume's free share follows its levels.
func TestDataVolumeFills(t *testing.T) {
	m := windowsWorkstation(t)
	m.Story = &Story{PatchDelay: 1, DataVolume: []Level{{DaysAgo: 90, Percent: 40}, {DaysAgo: 30, Percent: 20}, {DaysAgo: 0, Percent: 5}}}
	free := func(d int) float64 {
		for _, v := range on(m, d).GetStorage().GetVolumes() {
			if strings.HasPrefix(v.GetMountPoint(), "D:") {
				return float64(v.GetFreeBytes()) * 100 / float64(v.GetSizeBytes())
			}
		}
		t.Fatalf("day %d: no data volume", d)
		return 0
	}
	for d, want := range map[int]float64{90: 40, 60: 30, 30: 20, 15: 12.5, 0: 5} {
		if got := free(d); got < want-0.01 || got > want+0.01 {
			t.Errorf("day %d: %.2f %% free, want %.2f", d, got, want)
		}
	}
}
