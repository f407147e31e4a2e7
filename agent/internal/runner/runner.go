// Package runner ties collection to the uplink: collect a snapshot, put it
// in the spool, drain the spool oldest first, and send heartbeats, on the
// schedule the server's AgentConfig sets.
package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"connectrpc.com/connect"
	"github.com/wegweiser/wegweiser/agent/internal/collector"
	"github.com/wegweiser/wegweiser/agent/internal/update"
	"github.com/wegweiser/wegweiser/agent/internal/uplink"
	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Defaults used until the server says otherwise.
const (
	DefaultInterval          = 15 * time.Minute
	DefaultJitter            = time.Minute
	DefaultHeartbeatInterval = 5 * time.Minute
	// maxEventWindow bounds how far back event logs are read after a long
	// pause.
	maxEventWindow = 7 * 24 * time.Hour
	cursorFile     = "cursor.json"
)

// Options configure an Agent.
type Options struct {
	// StateDir holds state.json, config.json, cursor.json and spool/.
	StateDir string
	// SpoolMaxBytes caps the spool; 0 means 50 MB.
	SpoolMaxBytes int64
	// Collectors, when set, overrides the server's selection.
	Collectors []string
	// PerfSamples and PerfInterval shape the performance sampling.
	PerfSamples  int
	PerfInterval time.Duration
	// Log receives progress; nil discards.
	Log *slog.Logger
	// HTTPClient overrides the client built from the state (tests).
	HTTPClient connect.HTTPClient
	// Retry overrides the per-call retry policy.
	Retry *uplink.RetryPolicy
	// Pace overrides the pause between snapshots while draining.
	Pace func() time.Duration
	// Collect overrides collection (tests).
	Collect func(ctx context.Context, env *collector.Env, names []string) *agentv1.Snapshot
	// MinInterval is the shortest check-in or heartbeat interval accepted
	// from the server; 0 means 30 s.
	MinInterval time.Duration
	// Updater applies the updates heartbeats offer and confirms or rolls
	// back a pending one (Run only); nil leaves the binary alone.
	Updater *update.Updater
}

// Agent is an enrolled agent.
type Agent struct {
	opts      Options
	log       *slog.Logger
	state     *uplink.State
	up        *uplink.Uplink
	collector collector.Runner
	config    *agentv1.AgentConfig
	// offer is the update the last heartbeat offered.
	offer *agentv1.AgentUpdate
}

// New loads the enrolment from the state folder and opens the spool.
func New(opts Options) (*Agent, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	st, err := uplink.LoadState(opts.StateDir)
	if err != nil {
		return nil, err
	}
	sp, err := uplink.OpenSpool(uplink.SpoolDir(opts.StateDir), opts.SpoolMaxBytes, opts.Log)
	if err != nil {
		return nil, fmt.Errorf("open spool: %w", err)
	}
	hc := opts.HTTPClient
	if hc == nil {
		c, err := uplink.HTTPClient(st.CAFile)
		if err != nil {
			return nil, err
		}
		hc = c
	}
	retry := uplink.RetryPolicy{Attempts: 3, Base: time.Second, Max: 10 * time.Second, MaxRetryAfter: time.Minute}
	if opts.Retry != nil {
		retry = *opts.Retry
	}
	pace := opts.Pace
	if pace == nil {
		pace = func() time.Duration { return time.Duration(rand.Int64N(int64(500 * time.Millisecond))) }
	}
	a := &Agent{
		opts:  opts,
		log:   opts.Log,
		state: st,
		up: &uplink.Uplink{
			Client: uplink.NewClient(hc, st.Server, st.DeviceToken),
			Spool:  sp,
			Retry:  retry,
			Pace:   pace,
			Log:    opts.Log,
		},
		collector: collector.Runner{Log: opts.Log},
	}
	a.applyConfig(uplink.LoadConfig(opts.StateDir), false)
	return a, nil
}

// Uplink exposes the agent's uplink (spool and client).
func (a *Agent) Uplink() *uplink.Uplink { return a.up }

// Config is the configuration in force.
func (a *Agent) Config() *agentv1.AgentConfig { return a.config }

// applyConfig takes a configuration from the server, filling gaps with
// defaults and clamping nonsense, and remembers it on disk.
func (a *Agent) applyConfig(c *agentv1.AgentConfig, save bool) {
	if c == nil {
		if a.config == nil {
			a.config = normalise(nil, a.minInterval())
		}
		return
	}
	n := normalise(c, a.minInterval())
	if a.config != nil && proto.Equal(a.config, n) {
		return
	}
	a.config = n
	a.log.Info("configuration", "interval", n.GetCheckInInterval().AsDuration(), "jitter", n.GetJitter().AsDuration(),
		"heartbeat", n.GetHeartbeatInterval().AsDuration(), "collectors", n.GetCollectors())
	if save {
		if err := uplink.SaveConfig(a.opts.StateDir, c); err != nil {
			a.log.Warn("cannot save configuration", "err", err)
		}
	}
}

func (a *Agent) minInterval() time.Duration {
	if a.opts.MinInterval > 0 {
		return a.opts.MinInterval
	}
	return 30 * time.Second
}

func normalise(c *agentv1.AgentConfig, minInterval time.Duration) *agentv1.AgentConfig {
	interval, jitter, hb := DefaultInterval, DefaultJitter, DefaultHeartbeatInterval
	var names []string
	if c != nil {
		if d := c.GetCheckInInterval().AsDuration(); c.GetCheckInInterval() != nil && d > 0 {
			interval = d
		}
		if c.GetJitter() != nil {
			jitter = max(c.GetJitter().AsDuration(), 0)
		}
		if d := c.GetHeartbeatInterval().AsDuration(); c.GetHeartbeatInterval() != nil && d > 0 {
			hb = d
		}
		names = c.GetCollectors()
	}
	interval = max(interval, minInterval)
	hb = max(hb, minInterval)
	jitter = min(jitter, interval)
	return &agentv1.AgentConfig{
		CheckInInterval:   durationpb.New(interval),
		Jitter:            durationpb.New(jitter),
		HeartbeatInterval: durationpb.New(hb),
		Collectors:        names,
	}
}

// collectorNames is the local override, else the server's list.
func (a *Agent) collectorNames() []string {
	if len(a.opts.Collectors) > 0 {
		return a.opts.Collectors
	}
	return a.config.GetCollectors()
}

type cursorState struct {
	EventsSince time.Time `json:"events_since"`
}

func (a *Agent) cursorPath() string { return filepath.Join(a.opts.StateDir, cursorFile) }

// CollectAndSpool collects one snapshot and puts it in the spool. Event
// logs are read from the end of the previous collection's window.
func (a *Agent) CollectAndSpool(ctx context.Context) (*agentv1.Snapshot, error) {
	var cur cursorState
	if b, err := os.ReadFile(a.cursorPath()); err == nil {
		_ = json.Unmarshal(b, &cur)
	}
	now := time.Now()
	since := cur.EventsSince
	if since.IsZero() || now.Sub(since) > maxEventWindow || since.After(now) {
		since = now.Add(-24 * time.Hour)
		if !cur.EventsSince.IsZero() && now.Sub(cur.EventsSince) > maxEventWindow {
			since = now.Add(-maxEventWindow)
		}
	}
	env := &collector.Env{Since: since, PerfSamples: a.opts.PerfSamples, PerfInterval: a.opts.PerfInterval, Log: a.log}
	collect := a.opts.Collect
	if collect == nil {
		collect = a.collector.Collect
	}
	snap := collect(ctx, env, a.collectorNames())
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	dropped, err := a.up.Spool.Put(snap)
	if err != nil {
		return snap, fmt.Errorf("spool snapshot: %w", err)
	}
	if dropped > 0 {
		a.log.Warn("spool full: dropped oldest snapshots", "dropped", dropped, "dropped_total", a.up.Spool.Dropped())
	}
	if b, err := json.Marshal(cursorState{EventsSince: snap.GetCollectedTime().AsTime()}); err == nil {
		_ = uplink.WriteFileAtomic(a.cursorPath(), b, 0o600)
	}
	a.log.Info("snapshot collected", "snapshot_id", snap.GetSnapshotId(), "bytes", proto.Size(snap), "collector_errors", len(snap.GetErrors()))
	return snap, nil
}

// Drain sends everything spooled, oldest first.
func (a *Agent) Drain(ctx context.Context) (uplink.DrainResult, error) {
	res, err := a.up.Drain(ctx)
	if res.Sent+res.Rejected+res.Quarantined > 0 || err != nil {
		a.log.Info("spool drained", "sent", res.Sent, "duplicates", res.Duplicates, "rejected", res.Rejected,
			"quarantined", res.Quarantined, "remaining", res.Remaining, "err", err)
	}
	return res, err
}

// Cycle is one collection: collect, spool, drain.
func (a *Agent) Cycle(ctx context.Context) (*agentv1.Snapshot, error) {
	snap, err := a.CollectAndSpool(ctx)
	if err != nil {
		return snap, err
	}
	_, err = a.Drain(ctx)
	return snap, err
}

// Heartbeat reports liveness and spool state, applies the returned
// configuration, confirms a pending update (the new version reached the
// server) and remembers an update offer for Run.
func (a *Agent) Heartbeat(ctx context.Context) error {
	resp, err := a.up.Heartbeat(ctx)
	if err != nil {
		return err
	}
	a.applyConfig(resp.GetConfig(), true)
	a.offer = resp.GetUpdate()
	if a.opts.Updater != nil {
		a.opts.Updater.Confirm()
	}
	return nil
}

// applyUpdate hands the last offer to the updater; it returns
// update.ErrRestart when the new binary is in place.
func (a *Agent) applyUpdate(ctx context.Context) error {
	offer := a.offer
	a.offer = nil
	if offer == nil || a.opts.Updater == nil {
		return nil
	}
	err := a.opts.Updater.Apply(ctx, offer)
	if err != nil && !errors.Is(err, update.ErrRestart) {
		a.log.Warn("update not applied", "version", offer.GetVersion(), "err", err)
		return nil
	}
	return err
}

// RefreshConfig asks the server for the configuration.
func (a *Agent) RefreshConfig(ctx context.Context) error {
	cfg, err := a.up.GetConfig(ctx)
	if err != nil {
		return err
	}
	a.applyConfig(cfg, true)
	return nil
}

// Once fetches the configuration (falling back to the last known one),
// collects and spools one snapshot, drains the spool and sends a
// heartbeat. It fails when the new snapshot was not acknowledged; it then
// stays spooled.
func (a *Agent) Once(ctx context.Context) (*agentv1.Snapshot, error) {
	if err := a.RefreshConfig(ctx); err != nil {
		if uplink.IsCredentialError(err) {
			return nil, err
		}
		a.log.Warn("cannot fetch configuration; using the last known", "err", err)
	}
	snap, err := a.CollectAndSpool(ctx)
	if err != nil {
		return snap, err
	}
	if _, err := a.Drain(ctx); err != nil {
		return snap, fmt.Errorf("snapshot %s stays spooled: %w", snap.GetSnapshotId(), err)
	}
	if err := a.Heartbeat(ctx); err != nil && uplink.IsCredentialError(err) {
		return snap, err
	}
	return snap, nil
}
