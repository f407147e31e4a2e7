package collector

import (
	"bytes"
	"strings"
	"testing"
	"time"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// bySourceAddress indexes failed-logon groups by "source address".
func bySourceAddress(groups []*agentv1.EventLogGroup) map[string]*agentv1.EventLogGroup {
	out := map[string]*agentv1.EventLogGroup{}
	for _, g := range groups {
		out[g.Source+" "+g.SourceAddress] = g
	}
	return out
}

// TestJournalFailedLogons: sshd failures logged at info and PAM failures at
// notice are read, grouped per source address, once per attempt (sshd's
// own PAM line and "Invalid user" are not counted again); out-of-memory
// kills get a group of their own.
func TestJournalFailedLogons(t *testing.T) {
	groups, err := parseJournal(bytes.NewReader(fixture(t, "linux/journalctl-auth.json")))
	if err != nil {
		t.Fatal(err)
	}
	got := bySourceAddress(groups)
	brute := got["sshd 203.0.113.5"]
	if brute == nil || brute.Count != 2 || brute.Level != "warning" || !strings.HasPrefix(brute.SampleMessage, "Failed publickey for deploy") {
		t.Errorf("sshd from 203.0.113.5 = %v, want 2 failures (password, publickey)", brute)
	}
	if g := got["sshd-session 203.0.113.5"]; g == nil || g.Count != 1 {
		t.Errorf("sshd-session from 203.0.113.5 = %v", g)
	}
	if g := got["sshd 198.51.100.7"]; g == nil || g.Count != 1 {
		t.Errorf("invalid user from 198.51.100.7 = %v, want 1 (the Failed password line)", g)
	}
	if g := got["sudo "]; g == nil || g.Count != 1 || g.Level != "warning" {
		t.Errorf("sudo failure = %v", g)
	}
	if g := got[oomKillerSource+" "]; g == nil || g.Count != 1 || g.Level != "error" || !strings.Contains(g.SampleMessage, "Killed process 4242") {
		t.Errorf("OOM kill = %v", g)
	}
	for _, g := range groups {
		if g.Source == "kernel" && g.Level == "error" && (g.Count != 1 || !strings.Contains(g.SampleMessage, "nvme")) {
			t.Errorf("other kernel errors = %v, want the nvme error only", g)
		}
	}
	if g := got["sshd "]; g == nil || g.Level != "error" || g.Count != 1 {
		t.Errorf("sshd error (max attempts) = %v", g)
	}
	for _, g := range groups {
		if strings.Contains(g.SampleMessage, "Accepted") {
			t.Errorf("an accepted logon was collected: %v", g)
		}
	}

	// The auth-only read adds failures below warning and nothing else, so
	// the two reads of one collection count each entry once.
	g := newEventGroups()
	if err := addJournal(bytes.NewReader(fixture(t, "linux/journalctl-auth.json")), g, true); err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, e := range g.list(0) {
		if e.Level != "warning" || e.Source == oomKillerSource {
			t.Errorf("auth-only read kept %v", e)
		}
		n += e.Count
	}
	if n != 5 {
		t.Errorf("auth-only read: %d failures, want 5", n)
	}
}

// TestAuthLogFile: /var/log/auth.log and /var/log/secure lines in both time
// formats; lines before since are skipped.
func TestAuthLogFile(t *testing.T) {
	now := time.Date(2024, 6, 20, 12, 0, 0, 0, time.UTC)
	since := time.Date(2024, 6, 20, 9, 0, 0, 0, time.UTC)
	groups := parseAuthLog(fixture(t, "linux/auth.log"), since, now)
	got := bySourceAddress(groups)
	if g := got["sshd 192.0.2.10"]; g == nil || g.Count != 2 || g.Log != "auth" ||
		!g.FirstTime.AsTime().Equal(time.Date(2024, 6, 20, 9, 0, 1, 0, time.UTC)) {
		t.Errorf("sshd from 192.0.2.10 = %v, want 2 since 09:00 (the 08:59 line is older)", g)
	}
	if g := got["sshd 2001:db8::5"]; g == nil || g.Count != 1 {
		t.Errorf("RFC 3339 line = %v", g)
	}
	if g := got["su "]; g == nil || g.Count != 1 {
		t.Errorf("su failure = %v", g)
	}
	if len(groups) != 3 {
		t.Errorf("%d groups, want 3: %v", len(groups), groups)
	}
	// A December line read in January belongs to the previous year.
	jan := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	old := parseAuthLog([]byte("Dec 31 23:59:00 h sshd[1]: Failed password for root from 192.0.2.1 port 1 ssh2\n"), time.Time{}, jan)
	if len(old) != 1 || old[0].LastTime.AsTime().Year() != 2024 {
		t.Errorf("year rollover: %v", old)
	}
}

// TestWindowsFailedLogons: Security 4625 events, grouped per IpAddress
// ("-", a local logon, has none).
func TestWindowsFailedLogons(t *testing.T) {
	g := newEventGroups()
	crashes, err := parseWevtutil(bytes.NewReader(fixture(t, "windows/wevtutil-security.xml")), g)
	if err != nil || len(crashes) != 0 {
		t.Fatalf("crashes %v, err %v", crashes, err)
	}
	got := bySourceAddress(g.list(0))
	remote := got["Microsoft-Windows-Security-Auditing 203.0.113.45"]
	if remote == nil || remote.Count != 3 || remote.EventId != 4625 || remote.Log != "Security" || remote.Level != "warning" ||
		!strings.Contains(remote.SampleMessage, "account administrator, logon type 3") {
		t.Errorf("4625 from 203.0.113.45 = %v", remote)
	}
	if remote != nil && (!remote.FirstTime.AsTime().Equal(time.Date(2024, 6, 20, 9, 0, 1, 100_000_000, time.UTC)) ||
		!remote.LastTime.AsTime().Equal(time.Date(2024, 6, 20, 9, 0, 3, 300_000_000, time.UTC))) {
		t.Errorf("time span %v – %v", remote.FirstTime.AsTime(), remote.LastTime.AsTime())
	}
	if local := got["Microsoft-Windows-Security-Auditing "]; local == nil || local.Count != 1 || !strings.Contains(local.SampleMessage, "workstation SRV-FILE01") {
		t.Errorf("local 4625 = %v", local)
	}
}

// TestMacFailedLogons: the auth-only read of the unified log keeps sshd
// failures per address and authd / opendirectoryd failures; the main read
// leaves them to it.
func TestMacFailedLogons(t *testing.T) {
	g := newEventGroups()
	if err := addMacLog(bytes.NewReader(fixture(t, "darwin/log-show-auth.ndjson")), g, 0, true); err != nil {
		t.Fatal(err)
	}
	got := bySourceAddress(g.list(0))
	if s := got["sshd 198.51.100.23"]; s == nil || s.Count != 1 || s.Log != "unified" {
		t.Errorf("sshd = %v", s)
	}
	if s := got["sshd-session 198.51.100.23"]; s == nil || s.Count != 1 {
		t.Errorf("sshd-session = %v", s)
	}
	if a := got["authd "]; a == nil || a.Count != 1 || a.Level != "warning" {
		t.Errorf("authd = %v", a)
	}
	if o := got["opendirectoryd "]; o == nil || o.Count != 1 {
		t.Errorf("opendirectoryd = %v", o)
	}
	if n := len(g.list(0)); n != 4 {
		t.Errorf("%d groups, want 4", n)
	}
	main, err := parseMacLog(bytes.NewReader(fixture(t, "darwin/log-show-auth.ndjson")), 0)
	if err != nil || len(main) != 0 {
		t.Errorf("main read kept %v (%v); failed logons belong to the auth-only read", main, err)
	}
}

// TestWindowsResourceExhaustion: Resource-Exhaustion-Detector 2004 (a
// warning in the System log) is collected as an event group the server's
// out-of-memory check recognises by provider and id.
func TestWindowsResourceExhaustion(t *testing.T) {
	xml := `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Resource-Exhaustion-Detector' Guid='{9988748e-c2e8-4054-85f6-0c3e1cad2470}'/><EventID>2004</EventID><Level>3</Level><TimeCreated SystemTime='2024-06-20T11:00:00.0000000Z'/><Channel>System</Channel></System>` +
		`<UserData><MemoryExhaustionInfo xmlns='http://www.microsoft.com/Windows/Resource/Exhaustion/Detector/Events'><SystemInfo><SystemCommitLimit>17179869184</SystemCommitLimit><SystemCommitCharge>17012345678</SystemCommitCharge></SystemInfo></MemoryExhaustionInfo></UserData>` +
		`<RenderingInfo Culture='en-US'><Message>Windows successfully diagnosed a low virtual memory condition. The following programs consumed the most virtual memory: java.exe (4242) consumed 12884901888 bytes.</Message></RenderingInfo></Event>`
	g := newEventGroups()
	if _, err := parseWevtutil(strings.NewReader(xml), g); err != nil {
		t.Fatal(err)
	}
	list := g.list(0)
	if len(list) != 1 || list[0].EventId != 2004 || list[0].Level != "warning" || list[0].Source != "Microsoft-Windows-Resource-Exhaustion-Detector" ||
		!strings.Contains(list[0].SampleMessage, "java.exe") {
		t.Errorf("2004 = %v", list)
	}
}
