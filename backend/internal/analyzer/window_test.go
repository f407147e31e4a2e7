package analyzer

import (
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// TestWindowReplacesSnapshotEvents: with a window, the event checks judge
// its groups and crashes, not the snapshot's sections, and the other
// sections are read as before.
func TestWindowReplacesSnapshotEvents(t *testing.T) {
	in := corpusInput(t, "windows-workstation-healthy")
	base := mustAnalyze(t, in, Policy{})
	if f := finding(t, base, "logs.disk_hardware_events"); f.Status != Pass {
		t.Fatalf("fixture has disk errors: %s", f.Title)
	}
	at := timestamppb.New(in.Now.Add(-30 * time.Hour))
	in.Window = &EventWindow{
		Events:  []*agentv1.EventLogGroup{{Log: "System", Source: "disk", EventId: 7, Level: "error", Count: 2, FirstTime: at, LastTime: at}},
		Crashes: []*agentv1.Crash{{Application: "kernel", Time: at}},
	}
	r := mustAnalyze(t, in, Policy{})
	if f := finding(t, r, "logs.disk_hardware_events"); f.Status != Warn {
		t.Errorf("disk error in the window: %s %q", f.Status, f.Title)
	}
	if f := finding(t, r, "logs.system_crashes"); f.Status != Warn {
		t.Errorf("kernel crash in the window: %s %q", f.Status, f.Title)
	}
	if r.Score >= base.Score {
		t.Errorf("score %d with a disk error in the window, %d without", r.Score, base.Score)
	}
	// The snapshot itself is not changed, and sections other than events
	// are still read from it.
	if len(in.Snapshot.GetEventLogs()) == len(in.Window.Events) && len(in.Snapshot.GetCrashes()) == 1 {
		t.Error("the window was written into the snapshot")
	}
	if a, b := finding(t, r, "storage.volume_free_space").Status, finding(t, base, "storage.volume_free_space").Status; a != b {
		t.Errorf("free space %s with a window, %s without", a, b)
	}
	// An empty window means no events, even when the snapshot has some.
	in.Snapshot.EventLogs = append(in.Snapshot.EventLogs, in.Window.Events...)
	in.Window = &EventWindow{}
	if f := finding(t, mustAnalyze(t, in, Policy{}), "logs.disk_hardware_events"); f.Status != Pass {
		t.Errorf("empty window: %s", f.Status)
	}
}

// TestBruteForcePerSource: failed logons count per source address; two
// sources that together cross the rule's 8 in 120 s but each stay below it
// are not a brute force, and short groups of one source in adjacent
// collections add up.
func TestBruteForcePerSource(t *testing.T) {
	in := corpusInput(t, "linux-fresh-healthy")
	ts := func(d time.Duration) *timestamppb.Timestamp { return timestamppb.New(in.Now.Add(-time.Hour + d)) }
	group := func(addr string, n int64, from, to time.Duration) *agentv1.EventLogGroup {
		return &agentv1.EventLogGroup{Log: "journal", Source: "sshd", Level: "warning", Count: n, SourceAddress: addr,
			FirstTime: ts(from), LastTime: ts(to), SampleMessage: "Failed password for root from " + addr + " port 4242 ssh2"}
	}
	burst := func(events ...*agentv1.EventLogGroup) Finding {
		in.Window = &EventWindow{Events: events}
		return finding(t, mustAnalyze(t, in, Policy{}), "logs.failed_logon_burst")
	}
	if f := burst(group("192.0.2.1", 5, 0, 30*time.Second), group("192.0.2.2", 5, 10*time.Second, 40*time.Second)); f.Status == Fail {
		t.Errorf("two sources with 5 failures each: %s %q", f.Status, f.Title)
	}
	// One source, two collections 40 s apart: 5 + 5 within 2 minutes.
	f := burst(group("192.0.2.1", 5, 0, 30*time.Second), group("192.0.2.1", 5, 70*time.Second, 100*time.Second))
	if f.Status != Fail {
		t.Errorf("one source with 10 failures in 100 s: %s %q", f.Status, f.Title)
	}
	if got := evidence(f, "source address"); got != "192.0.2.1" {
		t.Errorf("source address evidence %q", got)
	}
	// The same 10 spread over an hour are no burst.
	if f := burst(group("192.0.2.1", 5, 0, 30*time.Second), group("192.0.2.1", 5, 50*time.Minute, 51*time.Minute)); f.Status == Fail {
		t.Errorf("10 failures an hour apart: %s %q", f.Status, f.Title)
	}
}

// TestOOMKills: kernel OOM killer and Windows resource exhaustion events
// count; other kernel messages do not.
func TestOOMKills(t *testing.T) {
	in := corpusInput(t, "linux-fresh-healthy")
	at := timestamppb.New(in.Now.Add(-2 * time.Hour))
	in.Window = &EventWindow{Events: []*agentv1.EventLogGroup{
		{Log: "journal", Source: "kernel", Level: "error", Count: 3, FirstTime: at, LastTime: at,
			SampleMessage: "Out of memory: Killed process 4242 (java) total-vm:8123456kB, anon-rss:6012345kB"},
		{Log: "journal", Source: "kernel", Level: "error", Count: 9, FirstTime: at, LastTime: at, SampleMessage: "usb 1-1: device descriptor read/64, error -71"},
	}}
	f := finding(t, mustAnalyze(t, in, Policy{}), "performance.oom_kills")
	if f.Status != Fail || evidence(f, "out-of-memory kills") != "3" {
		t.Errorf("3 OOM kills: %s %q %v", f.Status, f.Title, f.Evidence)
	}
	if evidence(f, "memory use (mean of the last interval)") == "" {
		t.Error("no memory use next to the OOM kills")
	}
	win := corpusInput(t, "windows-workstation-healthy")
	win.Window = &EventWindow{Events: []*agentv1.EventLogGroup{{Log: "System", Source: "Microsoft-Windows-Resource-Exhaustion-Detector",
		EventId: 2004, Level: "warning", Count: 1, FirstTime: at, LastTime: at}}}
	if f := finding(t, mustAnalyze(t, win, Policy{}), "performance.oom_kills"); f.Status != Warn {
		t.Errorf("Windows 2004: %s %q", f.Status, f.Title)
	}
}

func evidence(f Finding, label string) string {
	for _, e := range f.Evidence {
		if e.Label == label {
			return e.Value
		}
	}
	return ""
}

// TestWindowSurvivesAFailedCollection: a disk error stored in the window
// still counts when the latest collection of the event log failed.
func TestWindowSurvivesAFailedCollection(t *testing.T) {
	in := corpusInput(t, "windows-collectors-failed")
	at := timestamppb.New(in.Snapshot.GetCollectedTime().AsTime().Add(-3 * time.Hour))
	if f := finding(t, mustAnalyze(t, in, Policy{}), "logs.disk_hardware_events"); f.Status != Unknown {
		t.Fatalf("fixture: %s", f.Status)
	}
	in.Window = &EventWindow{Events: []*agentv1.EventLogGroup{{Log: "System", Source: "disk", EventId: 7, Level: "error", Count: 1, FirstTime: at, LastTime: at}}}
	if f := finding(t, mustAnalyze(t, in, Policy{}), "logs.disk_hardware_events"); f.Status != Fail {
		t.Errorf("stored disk error after a failed collection: %s %q", f.Status, f.Title)
	}
}
