package uplink_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/wegweiser/wegweiser/agent/internal/uplink"
	"github.com/wegweiser/wegweiser/agent/internal/uplink/uplinktest"
	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1/agentv1connect"
)

// sleeps records the waits a policy asked for instead of waiting.
type sleeps struct{ d []time.Duration }

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.d = append(s.d, d)
	return ctx.Err()
}

func policy(s *sleeps) uplink.RetryPolicy {
	return uplink.RetryPolicy{
		Attempts: 4, Base: 100 * time.Millisecond, Max: time.Second, MaxRetryAfter: time.Minute,
		Sleep: s.sleep,
	}
}

func newUplink(t *testing.T, srv *uplinktest.Server, s *sleeps, capacity int64) *uplink.Uplink {
	t.Helper()
	sp, err := uplink.OpenSpool(t.TempDir(), capacity, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &uplink.Uplink{
		Client: uplink.NewClient(srv.Client(), srv.URL(), srv.DeviceToken),
		Spool:  sp,
		Retry:  policy(s),
		Pace:   func() time.Duration { return 0 },
	}
}

// TestEnrollSendsKeyAsCredentialAndTokenOnEveryLaterCall: Enroll carries
// the enrolment key as its bearer credential (so the server checks it
// before reading the body) and in the body (for older servers); every later
// call carries the device token and never the key.
func TestEnrollSendsKeyAsCredentialAndTokenOnEveryLaterCall(t *testing.T) {
	srv := uplinktest.New(t)
	srv.Start()
	ctx := context.Background()

	resp, err := uplink.Enroll(ctx, srv.Client(), srv.URL(), &agentv1.EnrollRequest{EnrolmentKey: srv.EnrolmentKey, Hostname: "h"})
	if err != nil {
		t.Fatal(err)
	}
	c := uplink.NewClient(srv.Client(), srv.URL(), resp.GetDeviceToken())
	if _, err := c.GetConfig(ctx, &agentv1.GetConfigRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Heartbeat(ctx, &agentv1.HeartbeatRequest{}); err != nil {
		t.Fatal(err)
	}
	big := &agentv1.Snapshot{SnapshotId: "s1", Software: []*agentv1.InstalledSoftware{{Name: strings.Repeat("pkg ", 2000)}}}
	if _, err := c.SubmitSnapshot(ctx, &agentv1.SubmitSnapshotRequest{Snapshot: big}); err != nil {
		t.Fatal(err)
	}

	reqs := srv.Requests()
	if len(reqs) != 4 {
		t.Fatalf("saw %d requests, want 4", len(reqs))
	}
	for _, r := range reqs {
		auth := r.Header.Get("Authorization")
		if r.Procedure == agentv1connect.AgentServiceEnrollProcedure {
			if auth != "Bearer "+srv.EnrolmentKey {
				t.Errorf("Enroll sent Authorization %q, want the enrolment key", auth)
			}
			continue
		}
		for name, vals := range r.Header {
			for _, v := range vals {
				if strings.Contains(v, srv.EnrolmentKey) {
					t.Errorf("%s: header %s carries the enrolment key", r.Procedure, name)
				}
			}
		}
		if auth != "Bearer "+srv.DeviceToken {
			t.Errorf("%s: Authorization = %q, want the device token", r.Procedure, auth)
		}
	}
	if got := reqs[3].Header.Get("Content-Encoding"); got != "gzip" {
		t.Errorf("snapshot upload Content-Encoding = %q, want gzip", got)
	}
	if got := reqs[2].Header.Get("Content-Encoding"); got != "" {
		t.Errorf("a tiny heartbeat was compressed (%q)", got)
	}
}

func TestEnrollWithBadKeyIsCredentialError(t *testing.T) {
	srv := uplinktest.New(t)
	srv.Start()
	_, err := uplink.Enroll(context.Background(), srv.Client(), srv.URL(), &agentv1.EnrollRequest{EnrolmentKey: "wrong"})
	if !uplink.IsCredentialError(err) {
		t.Fatalf("err = %v, want a credential error", err)
	}
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	srv := uplinktest.New(t)
	srv.Start()
	srv.FailNext(uplinktest.ResourceExhausted(7))
	var s sleeps
	u := newUplink(t, srv, &s, 0)
	ack, err := u.Submit(context.Background(), &agentv1.Snapshot{SnapshotId: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	if ack.GetSnapshotId() != "s1" {
		t.Fatalf("ack = %v", ack)
	}
	if len(s.d) != 1 {
		t.Fatalf("waited %v, want one wait", s.d)
	}
	if s.d[0] < 7*time.Second || s.d[0] > 7*time.Second+100*time.Millisecond {
		t.Fatalf("waited %v after Retry-After: 7, want 7s plus at most 100ms of jitter", s.d[0])
	}
}

func TestRetryAfterLongerThanPolicyEndsTheCall(t *testing.T) {
	srv := uplinktest.New(t)
	srv.Start()
	srv.FailNext(uplinktest.ResourceExhausted(3600))
	var s sleeps
	u := newUplink(t, srv, &s, 0)
	_, err := u.Submit(context.Background(), &agentv1.Snapshot{SnapshotId: "s1"})
	var rae *uplink.RetryAfterError
	if !errors.As(err, &rae) || rae.Wait != time.Hour {
		t.Fatalf("err = %v, want RetryAfterError of 1h", err)
	}
	if len(s.d) != 0 || len(srv.Submissions()) != 1 {
		t.Fatalf("retried inside the call (waits %v, submissions %d)", s.d, len(srv.Submissions()))
	}
}

func TestRetryBacksOffWithFullJitterOnUnavailable(t *testing.T) {
	srv := uplinktest.New(t)
	srv.Start()
	unavail := connect.NewError(connect.CodeUnavailable, errors.New("down"))
	srv.FailNext(unavail, unavail, unavail)
	var s sleeps
	u := newUplink(t, srv, &s, 0)
	u.Retry.Float = func() float64 { return 0.999 }
	if _, err := u.Submit(context.Background(), &agentv1.Snapshot{SnapshotId: "s1"}); err != nil {
		t.Fatal(err)
	}
	// Ceilings 100ms, 200ms, 400ms; with the random draw near 1 the waits
	// sit just under them.
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}
	if len(s.d) != len(want) {
		t.Fatalf("waits = %v", s.d)
	}
	for i := range want {
		if s.d[i] > want[i] || s.d[i] < want[i]*99/100 {
			t.Errorf("wait %d = %v, want just under %v", i, s.d[i], want[i])
		}
	}
	if got := srv.Submissions(); !slices.Equal(got, []string{"s1", "s1", "s1", "s1"}) {
		t.Fatalf("submissions = %v: every retry must reuse the snapshot id", got)
	}
}

func TestBackoffStaysWithinCeilings(t *testing.T) {
	p := uplink.RetryPolicy{Base: time.Second, Max: 8 * time.Second, Float: func() float64 { return 0 }}
	if d := p.Backoff(5); d != 0 {
		t.Fatalf("full jitter with a draw of 0 waited %v", d)
	}
	p.Float = func() float64 { return 0.5 }
	for n, want := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second} {
		if d := p.Backoff(n); d != want {
			t.Errorf("Backoff(%d) = %v, want %v", n, d, want)
		}
	}
}

func TestCredentialErrorsStopAtOnce(t *testing.T) {
	srv := uplinktest.New(t)
	srv.Start()
	var s sleeps
	u := newUplink(t, srv, &s, 0)
	u.Client = uplink.NewClient(srv.Client(), srv.URL(), "stolen-or-revoked")
	_, err := u.Heartbeat(context.Background())
	if !errors.Is(err, uplink.ErrEnrolAgain) {
		t.Fatalf("err = %v, want ErrEnrolAgain", err)
	}
	if connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("code = %v, the server's code must survive the wrapping", connect.CodeOf(err))
	}
	if len(s.d) != 0 {
		t.Fatalf("retried a credential error: waits %v", s.d)
	}
}

func TestDrainRemovesOnlyAcknowledgedSnapshotsOldestFirst(t *testing.T) {
	srv := uplinktest.New(t)
	srv.Start()
	var s sleeps
	u := newUplink(t, srv, &s, 0)
	u.Retry.Attempts = 1
	for _, id := range []string{"a", "b", "c", "d"} {
		if _, err := u.Spool.Put(&agentv1.Snapshot{SnapshotId: id}); err != nil {
			t.Fatal(err)
		}
	}
	srv.FailNext(nil, nil, connect.NewError(connect.CodeUnavailable, errors.New("gone")))
	// FailNext(nil) means "no failure" for the first two calls.
	res, err := u.Drain(context.Background())
	if connect.CodeOf(err) != connect.CodeUnavailable {
		t.Fatalf("Drain err = %v", err)
	}
	if res.Sent != 2 || res.Remaining != 2 {
		t.Fatalf("result = %+v", res)
	}
	es, _ := u.Spool.Entries()
	if len(es) != 2 || es[0].SnapshotID != "c" || es[1].SnapshotID != "d" {
		t.Fatalf("spool = %+v, want c and d left", es)
	}
	if _, err := u.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := srv.StoredIDs(); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Fatalf("stored = %v", got)
	}
	if n, _, _ := u.Spool.Stats(); n != 0 {
		t.Fatalf("%d left in spool", n)
	}
}

func TestDrainSetsAsideRejectedAndCorruptEntries(t *testing.T) {
	srv := uplinktest.New(t)
	srv.Start()
	var s sleeps
	u := newUplink(t, srv, &s, 0)
	for _, id := range []string{"a", "b", "c"} {
		if _, err := u.Spool.Put(&agentv1.Snapshot{SnapshotId: id}); err != nil {
			t.Fatal(err)
		}
	}
	es, _ := u.Spool.Entries()
	if err := os.WriteFile(filepath.Join(u.Spool.Dir(), es[2].Name), []byte("\xff\xfe truncated"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv.FailNext(connect.NewError(connect.CodeInvalidArgument, errors.New("bad snapshot")))
	res, err := u.Drain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Rejected != 1 || res.Sent != 1 || res.Quarantined != 1 {
		t.Fatalf("result = %+v", res)
	}
	if got := srv.StoredIDs(); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("stored = %v", got)
	}
	if _, err := os.Stat(filepath.Join(u.Spool.Dir(), "rejected", es[0].Name)); err != nil {
		t.Fatalf("rejected snapshot not kept aside: %v", err)
	}
}

func TestHeartbeatReportsSpoolAndDropped(t *testing.T) {
	srv := uplinktest.New(t)
	srv.Start()
	var s sleeps
	u := newUplink(t, srv, &s, 300)
	for _, id := range []string{"a", "b", "c"} {
		if _, err := u.Spool.Put(&agentv1.Snapshot{SnapshotId: id, AgentVersion: strings.Repeat("v", 120)}); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := u.Heartbeat(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cfg := resp.GetConfig()
	if cfg.GetCheckInInterval().AsDuration() != time.Minute {
		t.Fatalf("config = %v", cfg)
	}
	hb := srv.Heartbeats()
	if len(hb) != 1 || hb[0].GetSpooledSnapshots() != 2 || hb[0].GetDroppedSnapshots() != 1 || hb[0].GetAgentVersion() == "" ||
		hb[0].GetOs() != runtime.GOOS || hb[0].GetArch() != runtime.GOARCH {
		t.Fatalf("heartbeat = %v", hb)
	}
}

func TestStateFileIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	st := &uplink.State{Server: "https://x", DeviceID: "d", DeviceToken: "secret"}
	if err := uplink.SaveState(dir, st); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("state.json mode = %v, want 0600", info.Mode().Perm())
	}
	got, err := uplink.LoadState(dir)
	if err != nil || got.DeviceToken != "secret" {
		t.Fatalf("LoadState = %v, %v", got, err)
	}
	if _, err := uplink.LoadState(t.TempDir()); !errors.Is(err, uplink.ErrNotEnrolled) {
		t.Fatalf("LoadState(empty) = %v", err)
	}
}
