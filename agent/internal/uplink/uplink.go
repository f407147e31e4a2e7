package uplink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"connectrpc.com/connect"
	"github.com/wegweiser/wegweiser/agent/internal/version"
	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1/agentv1connect"
)

// Uplink sends spooled snapshots and heartbeats through the generated
// client.
type Uplink struct {
	// Client is the authenticated AgentService client.
	Client agentv1connect.AgentServiceClient
	// Spool holds snapshots until they are acknowledged.
	Spool *Spool
	// Retry governs each call.
	Retry RetryPolicy
	// CallTimeout bounds one attempt; 0 means one minute.
	CallTimeout time.Duration
	// Pace is the random pause between two snapshots while replaying the
	// spool, so that agents coming back at once spread out. Nil means
	// up to 2 s.
	Pace func() time.Duration
	// Log receives progress; nil discards.
	Log *slog.Logger
}

// DrainResult says what one Drain did.
type DrainResult struct {
	// Sent counts snapshots acknowledged and removed from the spool.
	Sent int
	// Duplicates counts acknowledgements for snapshots the server already had.
	Duplicates int
	// Quarantined counts unreadable spool files moved aside.
	Quarantined int
	// Rejected counts snapshots the server refused as malformed.
	Rejected int
	// Remaining counts snapshots still spooled.
	Remaining int
}

func (u *Uplink) log() *slog.Logger {
	if u.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return u.Log
}

func (u *Uplink) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	d := u.CallTimeout
	if d <= 0 {
		d = time.Minute
	}
	return context.WithTimeout(ctx, d)
}

func (u *Uplink) pace(ctx context.Context) error {
	var d time.Duration
	if u.Pace != nil {
		d = u.Pace()
	} else {
		d = RetryPolicy{Base: 2 * time.Second, Max: 2 * time.Second}.Backoff(0)
	}
	if u.Retry.Sleep != nil {
		return u.Retry.Sleep(ctx, d)
	}
	return SleepContext(ctx, d)
}

// Drain submits every spooled snapshot, oldest first, and removes each
// one only after the server acknowledged its snapshot id. A retry resends
// the same bytes, so the same snapshot id. It stops at the first
// snapshot that still fails after the retry policy; that one and those
// behind it stay spooled for the next Drain.
func (u *Uplink) Drain(ctx context.Context) (DrainResult, error) {
	var res DrainResult
	entries, err := u.Spool.Entries()
	if err != nil {
		return res, err
	}
	for i, e := range entries {
		if i > 0 && res.Sent+res.Rejected > 0 {
			if err := u.pace(ctx); err != nil {
				res.Remaining = len(entries) - i
				return res, err
			}
		}
		snap, err := u.Spool.Load(e)
		if errors.Is(err, ErrCorrupt) {
			res.Quarantined++
			continue
		}
		if err != nil {
			u.log().Warn("cannot read spool entry", "file", e.Name, "err", err)
			continue
		}
		ack, err := u.Submit(ctx, snap)
		switch {
		case err == nil:
			if rerr := u.Spool.Remove(e); rerr != nil {
				res.Remaining = len(entries) - i
				return res, rerr
			}
			res.Sent++
			if ack.GetDuplicate() {
				res.Duplicates++
			}
			u.log().Debug("snapshot acknowledged", "snapshot_id", e.SnapshotID, "duplicate", ack.GetDuplicate())
		case IsRejected(err):
			u.log().Error("server rejected a snapshot; moved to spool/rejected", "snapshot_id", e.SnapshotID, "err", err)
			if rerr := u.Spool.Reject(e); rerr != nil {
				res.Remaining = len(entries) - i
				return res, errors.Join(err, rerr)
			}
			res.Rejected++
		default:
			res.Remaining = len(entries) - i
			return res, err
		}
	}
	return res, nil
}

// Submit sends one snapshot with retries and checks that the
// acknowledgement names it.
func (u *Uplink) Submit(ctx context.Context, snap *agentv1.Snapshot) (*agentv1.SubmitSnapshotResponse, error) {
	var ack *agentv1.SubmitSnapshotResponse
	err := u.Retry.Do(ctx, func(ctx context.Context) error {
		cctx, cancel := u.callCtx(ctx)
		defer cancel()
		resp, err := u.Client.SubmitSnapshot(cctx, &agentv1.SubmitSnapshotRequest{Snapshot: snap})
		if err != nil {
			if cctx.Err() != nil && ctx.Err() == nil && connect.CodeOf(err) != connect.CodeDeadlineExceeded {
				err = connect.NewError(connect.CodeDeadlineExceeded, err)
			}
			u.log().Debug("submit failed", "snapshot_id", snap.GetSnapshotId(), "code", connect.CodeOf(err).String(), "err", err)
			return err
		}
		ack = resp
		return nil
	})
	if err != nil {
		return nil, err
	}
	if got := ack.GetSnapshotId(); got != snap.GetSnapshotId() {
		return nil, connect.NewError(connect.CodeInternal,
			fmt.Errorf("server acknowledged snapshot %q instead of %q", got, snap.GetSnapshotId()))
	}
	return ack, nil
}

// Heartbeat reports liveness, the spool's state and the platform (for
// update offers), and returns the server's answer: configuration and
// perhaps an update.
func (u *Uplink) Heartbeat(ctx context.Context) (*agentv1.HeartbeatResponse, error) {
	n, _, err := u.Spool.Stats()
	if err != nil {
		return nil, err
	}
	req := &agentv1.HeartbeatRequest{
		AgentVersion:     version.Version,
		SpooledSnapshots: int32(min(n, 1<<31-1)),
		DroppedSnapshots: u.Spool.Dropped(),
		Os:               runtime.GOOS,
		Arch:             runtime.GOARCH,
	}
	var out *agentv1.HeartbeatResponse
	err = u.Retry.Do(ctx, func(ctx context.Context) error {
		cctx, cancel := u.callCtx(ctx)
		defer cancel()
		resp, err := u.Client.Heartbeat(cctx, req)
		if err != nil {
			return err
		}
		out = resp
		return nil
	})
	return out, err
}

// GetConfig fetches the configuration.
func (u *Uplink) GetConfig(ctx context.Context) (*agentv1.AgentConfig, error) {
	var cfg *agentv1.AgentConfig
	err := u.Retry.Do(ctx, func(ctx context.Context) error {
		cctx, cancel := u.callCtx(ctx)
		defer cancel()
		resp, err := u.Client.GetConfig(cctx, &agentv1.GetConfigRequest{})
		if err != nil {
			return err
		}
		cfg = resp.GetConfig()
		return nil
	})
	return cfg, err
}
