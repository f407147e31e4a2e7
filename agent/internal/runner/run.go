package runner

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime/debug"
	"time"

	"github.com/wegweiser/wegweiser/agent/internal/update"
	"github.com/wegweiser/wegweiser/agent/internal/uplink"
)

// Run collects, spools, drains and sends heartbeats until ctx ends (a
// signal), which is not an error. It returns an error wrapping
// uplink.ErrEnrolAgain when the server no longer accepts the device.
//
// Schedule: the first collection comes after a random part of the
// jitter (agents restarted together spread out), then every check-in
// interval plus up to the jitter. A drain that fails with a retryable
// error is tried again after an exponential backoff with full jitter
// (at most one interval), or after the server's Retry-After; a successful
// heartbeat while snapshots wait brings the next drain forward.
//
// With an Updater, Run first lets it count this start of a freshly
// updated version (or roll it back after failed starts), sends the first
// heartbeat at once while an update awaits confirmation, and applies the
// updates heartbeats offer. It returns update.ErrRestart when the binary
// was replaced and the process must restart into it.
func (a *Agent) Run(ctx context.Context) error {
	unlock, err := lockStateDir(a.opts.StateDir)
	if err != nil {
		return err
	}
	defer unlock()

	pending := false
	if u := a.opts.Updater; u != nil {
		pending, err = u.Startup()
		if errors.Is(err, update.ErrRestart) {
			return err
		}
		if err != nil {
			a.log.Warn("cannot check the update record", "err", err)
		}
	}

	// A soft memory limit keeps the heap small between collections.
	debug.SetMemoryLimit(48 << 20)

	if err := a.RefreshConfig(ctx); err != nil {
		if uplink.IsCredentialError(err) {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		a.log.Warn("cannot fetch configuration; using the last known", "err", err)
	}
	now := time.Now()
	nextCollect := now.Add(a.jitter())
	nextHeartbeat := now.Add(a.config.GetHeartbeatInterval().AsDuration())
	if pending {
		// Tell the server at once that the new version runs.
		nextHeartbeat = now
	}
	var drainAt time.Time
	if n, _, _ := a.up.Spool.Stats(); n > 0 {
		drainAt = now.Add(a.jitter())
	}
	failures := 0

	drain := func() error {
		_, err := a.Drain(ctx)
		switch {
		case err == nil:
			failures, drainAt = 0, time.Time{}
		case uplink.IsCredentialError(err):
			return err
		case ctx.Err() != nil:
			return nil
		default:
			failures++
			wait := a.backoff(failures, err)
			drainAt = time.Now().Add(wait)
			a.log.Warn("cannot reach the server; snapshots stay spooled", "retry_in", wait.Round(time.Second), "err", err)
		}
		return nil
	}

	for {
		wake := nextCollect
		if nextHeartbeat.Before(wake) {
			wake = nextHeartbeat
		}
		if !drainAt.IsZero() && drainAt.Before(wake) {
			wake = drainAt
		}
		if err := uplink.SleepContext(ctx, time.Until(wake)); err != nil {
			a.log.Info("stopping")
			return nil
		}
		now := time.Now()
		if !now.Before(nextCollect) {
			if _, err := a.CollectAndSpool(ctx); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				a.log.Error("collection failed", "err", err)
			} else if err := drain(); err != nil {
				return err
			}
			nextCollect = time.Now().Add(a.config.GetCheckInInterval().AsDuration() + a.jitter())
			debug.FreeOSMemory()
		} else if !drainAt.IsZero() && !now.Before(drainAt) {
			if err := drain(); err != nil {
				return err
			}
		}
		if !time.Now().Before(nextHeartbeat) {
			before := a.config.GetCheckInInterval().AsDuration()
			err := a.Heartbeat(ctx)
			switch {
			case err == nil:
				if failures > 0 && !drainAt.IsZero() {
					// The server is back: drain soon, spread out.
					if soon := time.Now().Add(min(a.jitter(), 30*time.Second)); soon.Before(drainAt) {
						drainAt = soon
					}
				}
				if after := a.config.GetCheckInInterval().AsDuration(); after < before {
					if next := time.Now().Add(after + a.jitter()); next.Before(nextCollect) {
						nextCollect = next
					}
				}
				if err := a.applyUpdate(ctx); err != nil {
					return err
				}
			case uplink.IsCredentialError(err):
				return err
			case ctx.Err() != nil:
				return nil
			default:
				a.log.Warn("heartbeat failed", "err", err)
			}
			nextHeartbeat = time.Now().Add(a.config.GetHeartbeatInterval().AsDuration())
		}
	}
}

// jitter is a random delay up to the configured jitter.
func (a *Agent) jitter() time.Duration {
	j := a.config.GetJitter().AsDuration()
	if j <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(j)))
}

// backoff is the wait before the next drain after consecutive failures:
// the server's Retry-After (plus jitter) if it sent one, else full jitter
// over an exponential ceiling from 30 s up to one check-in interval.
func (a *Agent) backoff(failures int, err error) time.Duration {
	interval := a.config.GetCheckInInterval().AsDuration()
	p := uplink.RetryPolicy{Base: min(30*time.Second, interval), Max: interval}
	var rae *uplink.RetryAfterError
	if errors.As(err, &rae) {
		return rae.Wait + p.Backoff(0)
	}
	return p.Delay(failures-1, err)
}
