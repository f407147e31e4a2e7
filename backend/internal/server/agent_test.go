package server_test

// The agent protocol is tested on the wire: raw JSON bodies (retries of the
// same bytes, wrong and foreign ids in the body) through testenv.Call.

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/devicesection"
	"github.com/wegweiser/wegweiser/ent/snapshot"
)

const (
	submit    = "wegweiser.agent.v1.AgentService/SubmitSnapshot"
	heartbeat = "wegweiser.agent.v1.AgentService/Heartbeat"
	enroll    = "wegweiser.agent.v1.AgentService/Enroll"
)

func sysCtx() context.Context {
	return bypass.Allow(context.Background(), "test: set up and inspect rows directly")
}

// analysisJobs counts analyze_device jobs for a device.
func analysisJobs(t *testing.T, st *store.Store, deviceID string) int {
	t.Helper()
	var n int
	args := "args::text"
	if st.Dialect != "postgres" {
		args = "json(args)"
	}
	q := `SELECT COUNT(*) FROM river_job WHERE kind = 'analyze_device' AND ` + args + ` LIKE '%` + deviceID + `%'`
	if err := st.DB.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("count jobs: %v", err)
	}
	return n
}

func snapshotRows(t *testing.T, st *store.Store, deviceID string) int {
	t.Helper()
	n, err := st.Ent.Snapshot.Query().Where(snapshot.DeviceID(uuid.MustParse(deviceID))).Count(sysCtx())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSnapshotSentThreeTimes is docs/security.md reliability test 1: the same
// snapshot sent three times, two of them concurrently, is stored once,
// acknowledged identically each time, and causes one analysis job.
func TestSnapshotSentThreeTimes(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "dup")
		agent := ten.Enrol(t, "dup-host")
		body := testenv.SnapshotJSON(testenv.SampleSnapshot("dup-host", 300, 40))
		var wg sync.WaitGroup
		acks := make([]*testenv.Response, 3)
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				acks[i] = testenv.Call(t, srv.URL, submit, agent.Token, body)
			}()
		}
		wg.Wait()
		acks[2] = testenv.Call(t, srv.URL, submit, agent.Token, body)
		dups := 0
		for i, a := range acks {
			a.Must(t)
			if a.Str("snapshotId") != acks[0].Str("snapshotId") || a.Str("receivedTime") != acks[0].Str("receivedTime") {
				t.Fatalf("ack %d differs: %s vs %s", i, a.Raw, acks[0].Raw)
			}
			if a.Body["duplicate"] == true {
				dups++
			}
		}
		if dups != 2 {
			t.Fatalf("%d acknowledgements said duplicate, want 2", dups)
		}
		if n := snapshotRows(t, st, agent.DeviceID); n != 1 {
			t.Fatalf("%d snapshots stored, want 1", n)
		}
		if n := analysisJobs(t, st, agent.DeviceID); n != 1 {
			t.Fatalf("%d analysis jobs, want 1", n)
		}
		sw, err := st.Ent.InstalledSoftware.Query().Count(sysCtx())
		if err != nil {
			t.Fatal(err)
		}
		if sw < 300 {
			t.Fatalf("%d software rows, want at least 300", sw)
		}
	})
}

// TestFailureBeforeJobInsertRollsBack is docs/security.md reliability test 2:
// when the job cannot be enqueued after the snapshot row was written, the
// whole transaction rolls back and the agent is told to retry; the retry
// then succeeds.
func TestFailureBeforeJobInsertRollsBack(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "rollback")
		agent := ten.Enrol(t, "rb-host")
		if _, err := st.DB.Exec(`ALTER TABLE river_job RENAME TO river_job_away`); err != nil {
			t.Fatal(err)
		}
		body := testenv.SnapshotJSON(testenv.SampleSnapshot("rb-host", 50, 5))
		res := testenv.Call(t, srv.URL, submit, agent.Token, body)
		if res.Code != "unavailable" {
			t.Fatalf("submit with a broken queue: %s (%s), want unavailable", res.Code, res.Raw)
		}
		if n := snapshotRows(t, st, agent.DeviceID); n != 0 {
			t.Fatalf("%d snapshots kept after the failure", n)
		}
		secs, _ := st.Ent.DeviceSection.Query().Where(devicesection.DeviceID(uuid.MustParse(agent.DeviceID))).Count(sysCtx())
		d, _ := st.Ent.Device.Query().Where(device.ID(uuid.MustParse(agent.DeviceID))).Only(sysCtx())
		if secs != 0 || d.LastSnapshotAt != nil || d.Hostname != "rb-host" || d.OsName != "" {
			t.Fatalf("half-written: %d sections, last snapshot %v, os %q", secs, d.LastSnapshotAt, d.OsName)
		}
		if _, err := st.DB.Exec(`ALTER TABLE river_job_away RENAME TO river_job`); err != nil {
			t.Fatal(err)
		}
		retry := testenv.Call(t, srv.URL, submit, agent.Token, body)
		retry.Must(t)
		if retry.Body["duplicate"] == true {
			t.Fatal("retry after a rolled-back attempt was called a duplicate")
		}
		if snapshotRows(t, st, agent.DeviceID) != 1 || analysisJobs(t, st, agent.DeviceID) != 1 {
			t.Fatal("retry did not store the snapshot and its job")
		}
	})
}

// TestDeviceTokenNamesTheDevice is docs/security.md abuse test 4: device A's
// token with device B's id in the body is refused, and B is untouched.
func TestDeviceTokenNamesTheDevice(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "tok")
		other := testenv.NewTenant(t, srv, "other")
		a := ten.Enrol(t, "host-a")
		// The fixtures' own analyses and roll-ups finish first, so the
		// comparison sees only what the refused calls might have done.
		testenv.SettleJobs(t, srv)
		for _, victim := range []string{ten.Agent.DeviceID, other.Agent.DeviceID} {
			before := other.Dump(t)
			snap := testenv.SampleSnapshot("evil", 1, 0)
			body := `{"deviceId":"` + victim + `",` + strings.TrimPrefix(string(testenv.SnapshotJSON(snap)), "{")
			if c := testenv.Call(t, srv.URL, submit, a.Token, body).Code; c != "permission_denied" {
				t.Fatalf("snapshot for another device: %s, want permission_denied", c)
			}
			if c := testenv.Call(t, srv.URL, heartbeat, a.Token, `{"deviceId":"`+victim+`"}`).Code; c != "permission_denied" {
				t.Fatalf("heartbeat for another device: %s, want permission_denied", c)
			}
			if other.Dump(t) != before {
				t.Fatal("the other tenant changed")
			}
		}
		if n := snapshotRows(t, st, a.DeviceID); n != 0 {
			t.Fatalf("refused snapshots were stored: %d", n)
		}
		// The same body naming its own device is fine.
		own := `{"deviceId":"` + a.DeviceID + `",` + strings.TrimPrefix(string(testenv.SnapshotJSON(testenv.SampleSnapshot("host-a", 1, 0))), "{")
		testenv.Call(t, srv.URL, submit, a.Token, own).Must(t)
		// A user's token is no device token, nor is a device token a user's.
		if c := testenv.Call(t, srv.URL, heartbeat, ten.Login(t, ten.Owner), `{}`).Code; c != "unauthenticated" {
			t.Fatalf("user token on an agent call: %s", c)
		}
		if c := testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/ListDevices", a.Token, `{}`).Code; c != "unauthenticated" {
			t.Fatalf("device token on a user call: %s", c)
		}
	})
}

// TestBadSnapshots is the ingest part of docs/security.md abuse test 10: each
// bad upload gets a clear code and nothing is stored.
func TestBadSnapshots(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "badsnap")
		a := ten.Enrol(t, "bad-host")
		future := testenv.SampleSnapshot("bad-host", 1, 0)
		future.CollectedTime = timestamppb.New(time.Now().Add(72 * time.Hour))
		noID := testenv.SampleSnapshot("bad-host", 1, 0)
		noID.SnapshotId = "not-a-uuid"
		badLevel := testenv.SampleSnapshot("bad-host", 0, 1)
		badLevel.EventLogs[0].Level = "panic"
		huge := testenv.SampleSnapshot("bad-host", 0, 0)
		huge.Os.Name = strings.Repeat("x", 17<<20)
		cases := map[string]struct {
			body any
			code string
		}{
			"no snapshot":       {`{}`, "invalid_argument"},
			"malformed JSON":    {`{"snapshot":{`, "invalid_argument"},
			"bad snapshot id":   {testenv.SnapshotJSON(noID), "invalid_argument"},
			"clock in future":   {testenv.SnapshotJSON(future), "invalid_argument"},
			"unknown log level": {testenv.SnapshotJSON(badLevel), "invalid_argument"},
			"oversized body":    {testenv.SnapshotJSON(huge), "resource_exhausted"},
		}
		for name, c := range cases {
			if got := testenv.Call(t, srv.URL, submit, a.Token, c.body).Code; got != c.code {
				t.Errorf("%s: %s, want %s", name, got, c.code)
			}
		}
		// Malformed protobuf on the binary codec.
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/"+submit, bytes.NewReader([]byte{0x0a, 0xff, 0xff, 0xff, 0x01}))
		req.Header.Set("Content-Type", "application/proto")
		req.Header.Set("Authorization", "Bearer "+a.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("malformed protobuf: HTTP %d, want 400 (invalid_argument)", res.StatusCode)
		}
		if n := snapshotRows(t, st, a.DeviceID); n != 0 {
			t.Fatalf("bad uploads stored %d snapshots", n)
		}
	})
}

// TestUnchangedSectionsAreSkipped: a second snapshot with the same content
// reports every section unchanged and rewrites no section row.
func TestUnchangedSectionsAreSkipped(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "hash")
		a := ten.Enrol(t, "hash-host")
		first := testenv.SampleSnapshot("hash-host", 100, 10)
		testenv.Call(t, srv.URL, submit, a.Token, testenv.SnapshotJSON(first)).Must(t)
		secs := func() map[string]string {
			rows, err := st.Ent.DeviceSection.Query().Where(devicesection.DeviceID(uuid.MustParse(a.DeviceID))).All(sysCtx())
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, r := range rows {
				out[r.Name] = r.SnapshotID.String()
			}
			return out
		}
		before := secs()
		second := testenv.SampleSnapshot("hash-host", 100, 10)
		second.Os.BootTime = first.Os.BootTime
		second.EventLogs = first.EventLogs
		second.Performance.CpuPercent = []float64{50, 60, 70}
		ack := testenv.Call(t, srv.URL, submit, a.Token, testenv.SnapshotJSON(second))
		ack.Must(t)
		var unchanged []string
		for _, u := range ack.Body["unchangedSections"].([]any) {
			unchanged = append(unchanged, u.(string))
		}
		for _, want := range []string{"os", "hardware", "software", "storage", "event_logs", "security", "network"} {
			if !slices.Contains(unchanged, want) {
				t.Errorf("section %s not reported unchanged: %v", want, unchanged)
			}
		}
		if slices.Contains(unchanged, "performance") {
			t.Error("changed performance section reported unchanged")
		}
		after := secs()
		for name, snap := range before {
			if name == "performance" {
				if after[name] == snap {
					t.Error("changed performance section was not rewritten")
				}
				continue
			}
			if after[name] != snap {
				t.Errorf("unchanged section %s was rewritten", name)
			}
		}
	})
}
