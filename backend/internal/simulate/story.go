package simulate

import (
	"fmt"
	"math/rand/v2"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// Open is the Until of an episode that is not over: the problem is still
// there today.
const Open = -1

// Episode is a spell of a problem: it began From days before the end of
// the story and was fixed Until days before it (Open: never fixed).
type Episode struct {
	Problem     Problem
	From, Until int
}

// active reports whether the episode covers the day daysAgo.
func (e Episode) active(daysAgo int) bool { return daysAgo <= e.From && daysAgo > e.Until }

// Level is a percentage on a day of a story.
type Level struct {
	DaysAgo int
	Percent float64
}

// Story is what happened to a machine over the days before the end of the
// story (the present): when its problems began, the spells of trouble it
// had besides, how a data volume filled, and when it installs the monthly
// updates. Machine.At turns it into the machine of one day.
type Story struct {
	// Since says how many days ago each of the machine's Problems began;
	// a problem not listed has been there throughout.
	Since map[Problem]int
	// Episodes are spells of problems: fixed, recurring or still open.
	Episodes []Episode
	// DataVolume, when set, gives the machine a data volume (D: on
	// Windows, /srv elsewhere) whose free share follows these levels,
	// linear between them (any order).
	DataVolume []Level
	// SystemFill, when set, fills the system volume: from its usual free
	// share SystemFill.DaysAgo days ago down to SystemFill.Percent today.
	SystemFill *Level
	// PatchDelay is how many days after each monthly release of updates
	// the machine installs them (at least 1). A machine that has
	// MissingCritical on the install day skips that cycle.
	PatchDelay int
}

// PatchCycle is the days between two releases of operating-system
// updates; releases fall on PatchRelease days ago and every PatchCycle
// days before that.
const (
	PatchCycle   = 28
	PatchRelease = 26
)

// day is a machine's state on one day of its story.
type day struct {
	ago   int
	story *Story
	// all is every problem the machine has on any day (the random facts of
	// a snapshot are drawn as if all were present, so that they stay the
	// same from day to day).
	all []Problem
	// onset is, for each problem present that day, how many days ago its
	// current spell began.
	onset map[Problem]int
}

// At returns the machine as it was daysAgo days before the end of its
// story (0: the present), to be snapshot at that time: the problems it had
// then and, from its Story (none: its problems held throughout), its
// update, disk and boot state of that day. Stable facts (serials,
// software, BIOS…) are the same on every day.
func (m Machine) At(daysAgo int) Machine {
	st := m.Story
	if st == nil {
		st = &Story{}
	}
	out := m
	out.Problems = nil
	d := &day{ago: daysAgo, story: st, onset: map[Problem]int{}}
	for _, p := range m.Problems {
		d.all = appendOnce(d.all, p)
		since, ok := st.Since[p]
		if !ok {
			since = 1 << 20
		}
		if daysAgo <= since {
			out.Problems = appendOnce(out.Problems, p)
			d.onset[p] = since
		}
	}
	for _, e := range st.Episodes {
		d.all = appendOnce(d.all, e.Problem)
		if e.active(daysAgo) {
			out.Problems = appendOnce(out.Problems, e.Problem)
			if o, ok := d.onset[e.Problem]; !ok || e.From < o {
				d.onset[e.Problem] = e.From
			}
		}
	}
	out.day = d
	return out
}

// facts returns the machine whose problems decide which random facts are
// drawn: all of them on any day of a story, else its own.
func (m Machine) facts() Machine {
	if m.day == nil {
		return m
	}
	f := m
	f.Problems = m.day.all
	return f
}

// level interpolates a percentage at daysAgo between levels.
func level(levels []Level, daysAgo int) float64 {
	var before, after *Level // before: the nearest older level, after: the nearest newer
	for i := range levels {
		l := &levels[i]
		if l.DaysAgo >= daysAgo && (before == nil || l.DaysAgo < before.DaysAgo) {
			before = l
		}
		if l.DaysAgo <= daysAgo && (after == nil || l.DaysAgo > after.DaysAgo) {
			after = l
		}
	}
	switch {
	case before == nil && after == nil:
		return 0
	case before == nil:
		return after.Percent
	case after == nil || before.DaysAgo == after.DaysAgo:
		return before.Percent
	}
	f := float64(before.DaysAgo-daysAgo) / float64(before.DaysAgo-after.DaysAgo)
	return before.Percent + f*(after.Percent-before.Percent)
}

// dayTime is the time on the snapshot's clock (now, taken daysAgo days
// before the end of the story) of an instant `ago` days before that end,
// minus an offset.
func dayTime(now time.Time, snapAgo, ago int, minus time.Duration) time.Time {
	return now.Add(time.Duration(snapAgo-ago)*24*time.Hour - minus)
}

// update is one operating-system update of a monthly release.
type update struct {
	title, id, class string
}

// releaseUpdates lists what release number k (0: the latest, PatchRelease
// days ago) brings on the machine's platform, named after its month.
func releaseUpdates(p Profile, k int, month time.Time) []update {
	ym := month.Format("2006-01")
	kb := 5046000 + 617*(8-k)
	switch p.Platform {
	case "windows":
		return []update{
			{fmt.Sprintf("%s Cumulative Update for %s (KB%d)", ym, p.OSName, kb), fmt.Sprintf("KB%d", kb), "security"},
			{fmt.Sprintf("%s Cumulative Update for .NET Framework 3.5 and 4.8.1 (KB%d)", ym, kb+411), fmt.Sprintf("KB%d", kb+411), "security"},
			{fmt.Sprintf("%s Update for Windows Malicious Software Removal Tool (KB890830)", ym), "KB890830", "update"},
		}
	case "macos":
		return []update{{fmt.Sprintf("Security Response %s (%s)", p.OSVersion, ym), "macOS-" + ym, "security"}}
	default:
		return []update{
			{"openssl: security update " + ym, "openssl", "security"},
			{"linux-image: security update " + ym, "linux-image", "security"},
			{"tzdata: update " + ym, "tzdata", "update"},
		}
	}
}

// optionalUpdate is a weekly non-security update (drivers, definitions of
// no security relevance) that piles up until the next install.
func optionalUpdate(p Profile, ago int) update {
	switch p.Platform {
	case "windows":
		return update{fmt.Sprintf("Intel - System - 10.1.%d.%d", 19000+ago, ago%7), fmt.Sprintf("drv-%d", ago), "driver"}
	case "macos":
		return update{fmt.Sprintf("Safari %d.%d", 18, 100-ago), fmt.Sprintf("safari-%d", ago), "optional"}
	default:
		return update{fmt.Sprintf("libc-bin: bug-fix update (%d)", ago), fmt.Sprintf("libc-bin-%d", ago), "optional"}
	}
}

// patches returns the machine's update state on its day: updates are
// released every PatchCycle days and installed PatchDelay days later,
// unless the machine had MissingCritical that day (the cycle is skipped
// and its updates pile up); weekly optional updates pile up until the next
// install.
func (m Machine) patches(now time.Time) (*agentv1.Patches, time.Time) {
	d := m.day
	delay := max(d.story.PatchDelay, 1)
	stalled := func(ago int) bool {
		if o, ok := d.onset[MissingCritical]; ok {
			return ago <= o // stalled since the current spell began
		}
		for _, e := range d.story.Episodes {
			if e.Problem == MissingCritical && e.active(ago) {
				return true
			}
		}
		return false
	}
	// The most recent install on or before the day: cycles are walked from
	// the latest release back.
	lastInstall := -1
	for k := 0; k < 20; k++ {
		inst := PatchRelease + k*PatchCycle - delay
		if inst < d.ago || stalled(inst) {
			continue
		}
		lastInstall = inst
		break
	}
	if lastInstall < 0 {
		lastInstall = PatchRelease + 20*PatchCycle
	}
	out := &agentv1.Patches{AutomaticUpdates: true, LastCheckTime: timestamppb.New(now.Add(-6 * time.Hour)),
		LastInstallTime: timestamppb.New(dayTime(now, d.ago, lastInstall, 6*time.Hour))}
	// Released on or before the day and after the last install.
	for k := 0; k < 20; k++ {
		rel := PatchRelease + k*PatchCycle
		if rel < d.ago {
			continue // not released yet on the day
		}
		if rel >= lastInstall {
			break // installed
		}
		at := dayTime(now, d.ago, rel, 12*time.Hour)
		for _, u := range releaseUpdates(m.Profile, k, at) {
			out.Missing = append(out.Missing, &agentv1.MissingUpdate{Title: u.title, Id: u.id, Classification: u.class, PublishedTime: timestamppb.New(at)})
		}
	}
	for ago := d.ago; ago < lastInstall; ago++ {
		if ago%7 == 3 {
			u := optionalUpdate(m.Profile, ago)
			out.Missing = append(out.Missing, &agentv1.MissingUpdate{Title: u.title, Id: u.id, Classification: u.class,
				PublishedTime: timestamppb.New(dayTime(now, d.ago, ago, 12*time.Hour))})
		}
	}
	return out, dayTime(now, d.ago, lastInstall, 6*time.Hour)
}

// applyDay changes a snapshot taken at now to the machine's state on its
// day of the story: updates and the reboot after them, the data volume,
// and the problems that only stories have.
func (m Machine) applyDay(s *agentv1.Snapshot, now time.Time) {
	d := m.day
	p := m.Profile
	ts := timestamppb.New
	patches, installed := m.patches(now)
	s.Patches = patches
	switch {
	case !m.Has(LongUptime) && (p.Server || s.GetOs().GetBootTime().AsTime().Before(installed)):
		// Machines restart after installing updates; servers only then.
		s.Os.BootTime = ts(installed.Add(20 * time.Minute))
	case m.Has(LongUptime):
		// Up since long before the story began: the same boot every day.
		s.Os.BootTime = ts(s.GetOs().GetBootTime().AsTime().Add(time.Duration(d.ago) * 24 * time.Hour))
	}
	if len(d.story.DataVolume) > 0 {
		size := int64(4) << 40
		free := level(d.story.DataVolume, d.ago)
		mount, fs := "/srv", "ext4"
		if p.Platform == "windows" {
			mount, fs = "D:", "NTFS"
		}
		s.Storage.Volumes = append(s.Storage.Volumes, &agentv1.Volume{MountPoint: mount, Label: "Data", FileSystem: fs, SizeBytes: size,
			FreeBytes: int64(float64(size) * free / 100), Encrypted: !m.Has(NoEncryption)})
	}
	if m.Has(AntivirusOff) {
		for _, av := range s.GetSecurity().GetAntivirus() {
			if p.Platform == "windows" {
				av.Enabled = false
			}
		}
	}
	if f := d.story.SystemFill; f != nil && d.ago <= f.DaysAgo && f.DaysAgo > 0 && len(s.GetStorage().GetVolumes()) > 0 {
		v := s.Storage.Volumes[0]
		usual := float64(v.GetFreeBytes()) * 100 / float64(v.GetSizeBytes())
		free := usual - (usual-f.Percent)*float64(f.DaysAgo-d.ago)/float64(f.DaysAgo)
		v.FreeBytes = int64(float64(v.GetSizeBytes()) * free / 100)
	}
}

// chronic problems have been there as long as anyone remembers.
var chronic = map[Problem]bool{NoEncryption: true, EndOfLifeOS: true, WeakBattery: true, LowHardeningScore: true, LongUptime: true}

// spells are the problems a machine may have had for a while and got
// fixed.
var spells = []Problem{PendingReboot, HighCPU, AppCrashes, FailedLogons, AntivirusStale, FirewallOff, DiskErrors}

// Backstory returns a past of the given number of days (at least 30) for
// machine m, drawn from its seed: its chronic problems (no encryption, an
// end-of-life OS, a weak battery or hardening, long uptime) were always
// there, the others began between 15 days and the start ago (missing
// updates at least 30 days ago, so that a monthly install was skipped);
// about half the machines had a spell of trouble that was fixed at least
// 15 days ago; workstations install the monthly updates one to three days
// after their release, servers four to seven (a weekend window).
func Backstory(m Machine, days int) *Story {
	days = max(days, 30)
	rng := rand.New(rand.NewPCG(m.seed, 3))
	st := &Story{Since: map[Problem]int{}, PatchDelay: 1 + rng.IntN(3)}
	if m.Profile.Server {
		st.PatchDelay = 4 + rng.IntN(4)
	}
	for _, p := range m.Problems {
		switch {
		case chronic[p]:
		case p == MissingCritical:
			st.Since[p] = 30 + rng.IntN(days-30)
		default:
			st.Since[p] = 15 + rng.IntN(days-15)
		}
	}
	if rng.IntN(2) == 0 {
		p := spells[rng.IntN(len(spells))]
		from := 20 + rng.IntN(days-20)
		until := max(from-2-rng.IntN(8), 15)
		if !m.Has(p) && from > until {
			st.Episodes = append(st.Episodes, Episode{Problem: p, From: from, Until: until})
		}
	}
	return st
}
