package uplink

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"
)

// ErrEnrolAgain wraps errors that mean the device's credentials are no
// longer accepted (unauthenticated, permission_denied). Retrying cannot
// help; the device has to be enrolled again.
var ErrEnrolAgain = errors.New("the server rejected this device's credentials; enrol again with `wegweiser-agent enroll`")

// RetryAfterError is returned when the server asked for a pause longer
// than the policy is willing to wait inside one call. The caller should
// try again after Wait.
type RetryAfterError struct {
	// Wait is the server's Retry-After.
	Wait time.Duration
	// Err is the server's error.
	Err error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("server asked to retry after %s: %v", e.Wait, e.Err)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryPolicy is exponential backoff with full jitter: before retry n the
// policy waits a uniformly random time in [0, min(Max, Base·2ⁿ)]. When the
// server sends Retry-After, the wait is that long plus up to Base of
// jitter, never less.
type RetryPolicy struct {
	// Attempts is the number of tries in all, at least 1.
	Attempts int
	// Base is the first backoff ceiling.
	Base time.Duration
	// Max caps the backoff ceiling.
	Max time.Duration
	// MaxRetryAfter is the longest Retry-After waited for inside one call;
	// longer hints end the call with a *RetryAfterError.
	MaxRetryAfter time.Duration
	// Sleep waits; tests replace it. Nil means a timer that stops with ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// Float returns a number in [0,1); tests replace it. Nil means math/rand.
	Float func() float64
}

// DefaultRetryPolicy suits one-shot calls: a handful of tries within about
// a minute.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{Attempts: 5, Base: time.Second, Max: 30 * time.Second, MaxRetryAfter: 5 * time.Minute}
}

// Backoff is the full-jitter wait before retry n (0 for the first retry).
func (p RetryPolicy) Backoff(n int) time.Duration {
	ceiling := p.Base
	for i := 0; i < n && ceiling < p.Max; i++ {
		ceiling *= 2
	}
	if p.Max > 0 && ceiling > p.Max {
		ceiling = p.Max
	}
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(p.float() * float64(ceiling))
}

// Delay is the wait before retry n after err: Retry-After plus jitter when
// the server sent one, else Backoff(n).
func (p RetryPolicy) Delay(n int, err error) time.Duration {
	if ra, ok := RetryAfter(err); ok {
		return ra + time.Duration(p.float()*float64(p.Base))
	}
	return p.Backoff(n)
}

func (p RetryPolicy) float() float64 {
	if p.Float != nil {
		return p.Float()
	}
	return rand.Float64()
}

func (p RetryPolicy) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	return SleepContext(ctx, d)
}

// SleepContext waits d or until ctx ends.
func SleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Do calls fn until it succeeds, fails with an error that is not worth
// retrying, or runs out of attempts. Credential errors come back wrapped
// in ErrEnrolAgain.
func (p RetryPolicy) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	attempts := max(p.Attempts, 1)
	var err error
	for n := 0; n < attempts; n++ {
		if n > 0 {
			if ra, ok := RetryAfter(err); ok && p.MaxRetryAfter > 0 && ra > p.MaxRetryAfter {
				return &RetryAfterError{Wait: ra, Err: err}
			}
			if serr := p.sleep(ctx, p.Delay(n-1, err)); serr != nil {
				return errors.Join(err, serr)
			}
		}
		err = fn(ctx)
		if err == nil {
			return nil
		}
		if IsCredentialError(err) {
			return fmt.Errorf("%w: %w", ErrEnrolAgain, err)
		}
		if !IsRetryable(err) || ctx.Err() != nil {
			return err
		}
	}
	if ra, ok := RetryAfter(err); ok {
		return &RetryAfterError{Wait: ra, Err: err}
	}
	return err
}

// IsRetryable reports whether a call that failed with err may succeed
// later unchanged: the server is overloaded or unreachable, or the call
// timed out.
func IsRetryable(err error) bool {
	switch connect.CodeOf(err) {
	case connect.CodeUnavailable, connect.CodeResourceExhausted, connect.CodeDeadlineExceeded, connect.CodeAborted:
		return true
	}
	return false
}

// IsCredentialError reports whether err means the device token (or the
// enrolment key) was refused.
func IsCredentialError(err error) bool {
	if errors.Is(err, ErrEnrolAgain) {
		return true
	}
	switch connect.CodeOf(err) {
	case connect.CodeUnauthenticated, connect.CodePermissionDenied:
		return true
	}
	return false
}

// IsRejected reports whether the server refused a request as malformed,
// so that sending the same bytes again can never succeed.
func IsRejected(err error) bool {
	switch connect.CodeOf(err) {
	case connect.CodeInvalidArgument, connect.CodeOutOfRange, connect.CodeFailedPrecondition, connect.CodeAlreadyExists:
		return true
	}
	return false
}

// RetryAfter extracts the server's Retry-After hint (delay in seconds, or
// an HTTP date) from a Connect error's metadata.
func RetryAfter(err error) (time.Duration, bool) {
	var rae *RetryAfterError
	if errors.As(err, &rae) {
		return rae.Wait, true
	}
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return 0, false
	}
	return parseRetryAfter(ce.Meta().Get("Retry-After"), time.Now())
}

func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
