package simulate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1/agentv1connect"
)

// Options configure a simulation run.
type Options struct {
	// ServerURL is the Wegweiser server, e.g. http://127.0.0.1:8080.
	ServerURL string
	// Key is the enrolment key the agents enrol with.
	Key string
	// Machines are the simulated endpoints (see Fleet).
	Machines []Machine
	// Rounds is how many snapshots each agent sends (at least 1).
	Rounds int
	// Concurrency bounds agents working at once (default 8).
	Concurrency int
	// HTTPClient is used for every call (default http.DefaultClient).
	HTTPClient connect.HTTPClient
	// Now returns the collection time of a snapshot (default time.Now).
	Now func() time.Time
}

// Stats summarise a run.
type Stats struct {
	Enrolled, Snapshots, Duplicates, Failures int64
	Elapsed                                   time.Duration
	// DeviceIDs of the enrolled agents, by machine index.
	DeviceIDs []string
}

// Run enrols every machine through AgentService.Enroll and sends Rounds
// snapshots from each, compressed, as real agents do.
func Run(ctx context.Context, o Options) (*Stats, error) {
	if o.Rounds < 1 {
		o.Rounds = 1
	}
	if o.Concurrency < 1 {
		o.Concurrency = 8
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.Now == nil {
		o.Now = func() time.Time { return time.Now().UTC() }
	}
	enrolClient := agentv1connect.NewAgentServiceClient(o.HTTPClient, o.ServerURL)
	st := &Stats{DeviceIDs: make([]string, len(o.Machines))}
	start := time.Now()
	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for i, m := range o.Machines {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			id, err := runAgent(ctx, enrolClient, o, m, st)
			if err != nil {
				atomic.AddInt64(&st.Failures, 1)
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", m.Hostname, err))
				mu.Unlock()
				return
			}
			st.DeviceIDs[i] = id
		}()
	}
	wg.Wait()
	st.Elapsed = time.Since(start)
	return st, errors.Join(errs...)
}

// Bearer returns a client interceptor that sends a device token.
func Bearer(token string) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", "Bearer "+token)
			return next(ctx, req)
		}
	}
}

func runAgent(ctx context.Context, enrolClient agentv1connect.AgentServiceClient, o Options, m Machine, st *Stats) (string, error) {
	res, err := enrolClient.Enroll(ctx, &agentv1.EnrollRequest{
		EnrolmentKey: o.Key, Hostname: m.Hostname, Platform: m.Profile.Platform, AgentVersion: "0.1.0-sim", SerialNumber: m.Serial,
	})
	if err != nil {
		return "", fmt.Errorf("enroll: %w", err)
	}
	atomic.AddInt64(&st.Enrolled, 1)
	client := agentv1connect.NewAgentServiceClient(o.HTTPClient, o.ServerURL,
		connect.WithSendGzip(), connect.WithInterceptors(Bearer(res.DeviceToken)))
	for r := 0; r < o.Rounds; r++ {
		req := &agentv1.SubmitSnapshotRequest{Snapshot: m.Snapshot(o.Now(), r), DeviceId: res.DeviceId}
		ack, err := submitWithRetry(ctx, client, req)
		if err != nil {
			return res.DeviceId, fmt.Errorf("snapshot %d: %w", r, err)
		}
		atomic.AddInt64(&st.Snapshots, 1)
		if ack.Duplicate {
			atomic.AddInt64(&st.Duplicates, 1)
		}
	}
	return res.DeviceId, nil
}

// submitWithRetry retries what a real agent would retry: unavailable and
// resource_exhausted, a few times with growing pauses.
func submitWithRetry(ctx context.Context, client agentv1connect.AgentServiceClient, req *agentv1.SubmitSnapshotRequest) (*agentv1.SubmitSnapshotResponse, error) {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		var res *agentv1.SubmitSnapshotResponse
		res, err = client.SubmitSnapshot(ctx, req)
		if err == nil {
			return res, nil
		}
		code := connect.CodeOf(err)
		if code != connect.CodeUnavailable && code != connect.CodeResourceExhausted {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(50*(attempt+1)) * time.Millisecond):
		}
	}
	return nil, err
}
