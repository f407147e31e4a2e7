// Package update lets the agent replace itself with a newer build the
// server offers in a heartbeat's answer.
//
// An offer is applied in steps, each of which can refuse it:
//
//  1. the offer must be newer than the running version, not refused
//     before, and the back-off after a failed attempt must be over;
//  2. the binary is downloaded next to the running one (size-capped, with
//     a timeout) and must match the offered size and SHA-256, and the
//     Ed25519 signature of its checksum line ("<sha256>  <file name>", as
//     in SHA256SUMS) must verify against the key pinned at enrolment;
//  3. the new binary must pass its self-check (`version --check`: it loads
//     the state and reports the offered version);
//  4. a marker (update.json) is written, the running binary is kept as
//     <binary>.previous and the new one renamed over it, and the agent
//     restarts into it (ErrRestart).
//
// The new version clears the marker at its first successful heartbeat.
// Each start with the marker still set counts; after MaxStarts starts
// without a heartbeat the previous binary is restored, that version is
// never tried again, and the agent restarts into the old version.
package update

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"golang.org/x/mod/semver"

	"github.com/wegweiser/wegweiser/agent/internal/uplink"
	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// Defaults of an Updater.
const (
	// DefaultMaxSize caps a download.
	DefaultMaxSize = 256 << 20
	// DefaultTimeout bounds one download.
	DefaultTimeout = 10 * time.Minute
	// DefaultBackoff is the wait after the first failed attempt; it doubles
	// with each further failure up to MaxBackoff.
	DefaultBackoff = time.Hour
	// MaxBackoff caps the wait between attempts.
	MaxBackoff = 24 * time.Hour
	// MaxStarts is how often a new version may start without reaching its
	// first successful heartbeat before it is rolled back.
	MaxStarts = 3
	// PreviousSuffix names the kept previous binary.
	PreviousSuffix = ".previous"
	// RecordFile is the update record (and marker) in the state folder.
	RecordFile = "update.json"
	// selfCheckTimeout bounds the new binary's self-check.
	selfCheckTimeout = time.Minute
)

// ErrRestart is returned when the binary was replaced (by an update or a
// rollback): the agent must restart to run it.
var ErrRestart = errors.New("the agent binary was replaced; restart to run it")

// Updater applies update offers to one binary and state folder.
type Updater struct {
	// StateDir holds update.json.
	StateDir string
	// Exe is the running binary, the one replaced.
	Exe string
	// Current is the running version.
	Current string
	// PublicKey verifies the offers' signatures (pinned at enrolment);
	// without one nothing is applied.
	PublicKey ed25519.PublicKey
	// Disabled declines every offer (--no-self-update); a pending update
	// is still confirmed or rolled back.
	Disabled bool
	// HTTPClient downloads; nil means http.DefaultClient.
	HTTPClient *http.Client
	// MaxSize caps a download; 0 means DefaultMaxSize.
	MaxSize int64
	// Timeout bounds a download; 0 means DefaultTimeout.
	Timeout time.Duration
	// Backoff is the first wait after a failure; 0 means DefaultBackoff.
	Backoff time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives what happened; nil discards.
	Log *slog.Logger

	confirmed bool
	warnedKey bool
}

// Record is update.json: the pending update (the marker) and what was
// refused.
type Record struct {
	// Pending is set from just before a swap until the new version's first
	// successful heartbeat (or its rollback).
	Pending *Pending `json:"pending,omitempty"`
	// Refused maps versions never to try again to the reason.
	Refused map[string]string `json:"refused,omitempty"`
	// Failures counts failed attempts in a row.
	Failures int `json:"failures,omitempty"`
	// RetryAfter is when the next attempt may start after a failure.
	RetryAfter time.Time `json:"retry_after,omitzero"`
	// Last says what the last attempt did, for people reading the file.
	Last string `json:"last,omitempty"`
}

// Pending is an update swapped in but not yet confirmed.
type Pending struct {
	// Version is the new version.
	Version string `json:"version"`
	// From is the version it replaced (kept as <binary>.previous).
	From string `json:"from"`
	// Starts counts starts of the new version so far.
	Starts int `json:"starts"`
	// SwappedTime is when the binary was replaced.
	SwappedTime time.Time `json:"swapped_time"`
}

func (u *Updater) log() *slog.Logger {
	if u.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return u.Log
}

func (u *Updater) now() time.Time {
	if u.Now != nil {
		return u.Now()
	}
	return time.Now()
}

func (u *Updater) recordPath() string { return filepath.Join(u.StateDir, RecordFile) }

// LoadRecord reads update.json from a state folder; a missing file is an
// empty record.
func LoadRecord(stateDir string) (*Record, error) {
	var r Record
	b, err := os.ReadFile(filepath.Join(stateDir, RecordFile))
	if errors.Is(err, fs.ErrNotExist) {
		return &r, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("read %s: %w", RecordFile, err)
	}
	return &r, nil
}

func (u *Updater) save(r *Record) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return uplink.WriteFileAtomic(u.recordPath(), append(b, '\n'), 0o600)
}

// Previous is where the replaced binary is kept.
func Previous(exe string) string { return exe + PreviousSuffix }

// newPath is where a download is written: next to the binary (so the
// swap is a rename on one file system), keeping the .exe extension
// Windows needs to run it.
func newPath(exe string) string {
	ext := filepath.Ext(exe)
	if ext != ".exe" {
		ext = ""
	}
	return strings.TrimSuffix(exe, ext) + ".new" + ext
}

// Startup runs once at the start of `run`, before anything else. With no
// pending update it only removes a stale download. When the pending
// version is the one running it counts the start; when the new version
// has started MaxStarts times without a successful heartbeat it restores
// the previous binary, refuses that version from now on and returns
// ErrRestart. pending says a new version awaits its first heartbeat.
func (u *Updater) Startup() (pending bool, err error) {
	_ = os.Remove(newPath(u.Exe))
	r, err := LoadRecord(u.StateDir)
	if err != nil {
		return false, err
	}
	p := r.Pending
	if p == nil {
		if r.Last != "" {
			u.log().Info("last self-update", "outcome", r.Last)
		}
		return false, nil
	}
	if !sameVersion(p.Version, u.Current) {
		// The old binary runs: the swap did not happen or someone put it
		// back. Nothing to confirm.
		u.log().Warn("an update was pending but this is not the new version; forgetting it", "pending", p.Version, "running", u.Current)
		r.Pending = nil
		r.Last = fmt.Sprintf("update to %s did not take; %s runs", p.Version, u.Current)
		return false, u.save(r)
	}
	if p.Starts >= MaxStarts {
		return false, u.rollback(r, fmt.Sprintf("started %d times without a successful heartbeat", p.Starts))
	}
	p.Starts++
	u.log().Info("new agent version started; waiting for its first heartbeat", "version", p.Version, "from", p.From, "start", p.Starts, "of", MaxStarts)
	return true, u.save(r)
}

// rollback restores the previous binary and refuses the pending version.
func (u *Updater) rollback(r *Record, why string) error {
	p := r.Pending
	prev := Previous(u.Exe)
	if _, err := os.Stat(prev); err != nil {
		r.Pending = nil
		r.Last = fmt.Sprintf("version %s %s, but there is no previous binary to restore", p.Version, why)
		u.log().Error("cannot roll back: no previous binary", "version", p.Version, "why", why, "err", err)
		return u.save(r)
	}
	if err := restore(u.Exe, prev); err != nil {
		u.log().Error("cannot roll back", "version", p.Version, "err", err)
		return fmt.Errorf("roll back %s: %w", p.Version, err)
	}
	u.refuse(r, p.Version, "rolled back to "+p.From+": "+why)
	r.Pending = nil
	u.log().Error("update rolled back: the new version failed to start", "version", p.Version, "restored", p.From, "why", why)
	if err := u.save(r); err != nil {
		return err
	}
	return ErrRestart
}

func (u *Updater) refuse(r *Record, version, why string) {
	if r.Refused == nil {
		r.Refused = map[string]string{}
	}
	r.Refused[version] = why
	r.Last = "refused " + version + ": " + why
}

// Confirm is called after every successful heartbeat: the first one of a
// pending version clears the marker (the update succeeded).
func (u *Updater) Confirm() {
	if u.confirmed {
		return
	}
	r, err := LoadRecord(u.StateDir)
	if err != nil {
		u.log().Warn("cannot read the update record", "err", err)
		return
	}
	u.confirmed = true
	if r.Pending == nil || !sameVersion(r.Pending.Version, u.Current) {
		return
	}
	u.log().Info("agent updated", "version", r.Pending.Version, "from", r.Pending.From)
	r.Last = fmt.Sprintf("updated from %s to %s", r.Pending.From, r.Pending.Version)
	r.Pending, r.Failures, r.RetryAfter = nil, 0, time.Time{}
	if err := u.save(r); err != nil {
		u.log().Warn("cannot write the update record", "err", err)
	}
}

// Apply acts on an offer from a heartbeat: nil when there is none or it
// is declined (logged), ErrRestart when the new binary is in place, any
// other error when the attempt failed (it is tried again after a back-off
// unless the version is refused for good).
func (u *Updater) Apply(ctx context.Context, offer *agentv1.AgentUpdate) error {
	if offer == nil || offer.GetVersion() == "" || u.Disabled {
		return nil
	}
	if len(u.PublicKey) != ed25519.PublicKeySize {
		if !u.warnedKey {
			u.warnedKey = true
			u.log().Warn("the server offers an update but no signing key was pinned at enrolment; enrol again to receive updates", "version", offer.GetVersion())
		}
		return nil
	}
	if !newer(offer.GetVersion(), u.Current) {
		u.log().Debug("update offer is not newer; ignored", "offered", offer.GetVersion(), "running", u.Current)
		return nil
	}
	r, err := LoadRecord(u.StateDir)
	if err != nil {
		return err
	}
	if r.Pending != nil {
		return nil
	}
	if why, ok := r.Refused[offer.GetVersion()]; ok {
		u.log().Debug("update offer refused before; ignored", "version", offer.GetVersion(), "why", why)
		return nil
	}
	if now := u.now(); now.Before(r.RetryAfter) {
		u.log().Debug("update postponed after a failed attempt", "version", offer.GetVersion(), "retry_after", r.RetryAfter)
		return nil
	}
	u.log().Info("updating the agent", "version", offer.GetVersion(), "from", u.Current, "url", offer.GetUrl())
	next := newPath(u.Exe)
	err = u.fetch(ctx, offer, next)
	var refused *refusal
	if err == nil {
		err = u.selfCheck(ctx, next, offer.GetVersion())
		if err != nil {
			refused = &refusal{err}
		}
	}
	if err != nil {
		_ = os.Remove(next)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if refused != nil || errors.As(err, &refused) {
			u.refuse(r, offer.GetVersion(), err.Error())
			u.log().Error("update refused for good", "version", offer.GetVersion(), "err", err)
		} else {
			wait := u.backoff(r.Failures)
			r.Failures++
			r.RetryAfter = u.now().Add(wait)
			r.Last = fmt.Sprintf("update to %s failed: %v", offer.GetVersion(), err)
			u.log().Error("update failed; trying again later", "version", offer.GetVersion(), "retry_in", wait, "err", err)
		}
		return errors.Join(err, u.save(r))
	}
	r.Pending = &Pending{Version: offer.GetVersion(), From: u.Current, SwappedTime: u.now().UTC()}
	if err := u.save(r); err != nil {
		_ = os.Remove(next)
		return fmt.Errorf("write the update marker: %w", err)
	}
	if err := swap(u.Exe, next); err != nil {
		_ = os.Remove(next)
		r.Pending = nil
		r.Failures++
		r.RetryAfter = u.now().Add(u.backoff(r.Failures - 1))
		r.Last = fmt.Sprintf("update to %s failed: %v", offer.GetVersion(), err)
		u.log().Error("cannot put the new binary in place", "version", offer.GetVersion(), "err", err)
		return errors.Join(fmt.Errorf("swap: %w", err), u.save(r))
	}
	r.Failures, r.RetryAfter = 0, time.Time{}
	r.Last = fmt.Sprintf("installed %s over %s; restarting", offer.GetVersion(), u.Current)
	if err := u.save(r); err != nil {
		u.log().Warn("cannot write the update record", "err", err)
	}
	u.log().Info("new agent binary in place; restarting into it", "version", offer.GetVersion(), "previous", Previous(u.Exe))
	return ErrRestart
}

// refusal marks an error after which a version is never tried again.
type refusal struct{ err error }

func (e *refusal) Error() string { return e.err.Error() }
func (e *refusal) Unwrap() error { return e.err }

func (u *Updater) backoff(failures int) time.Duration {
	d := u.Backoff
	if d <= 0 {
		d = DefaultBackoff
	}
	for range failures {
		d *= 2
		if d >= MaxBackoff {
			return MaxBackoff
		}
	}
	return min(d, MaxBackoff)
}

var (
	hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)
	safeName  = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._+~-]*$`)
)

// fetch downloads the offer to dst and checks size, SHA-256 and signature.
func (u *Updater) fetch(ctx context.Context, offer *agentv1.AgentUpdate, dst string) error {
	maxSize := u.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	want := strings.ToLower(offer.GetSha256())
	if !hexSHA256.MatchString(want) {
		return &refusal{fmt.Errorf("offer has no valid SHA-256 (%q)", offer.GetSha256())}
	}
	if offer.GetSize() <= 0 || offer.GetSize() > maxSize {
		return &refusal{fmt.Errorf("offered size %d is outside 1..%d bytes", offer.GetSize(), maxSize)}
	}
	loc, err := url.Parse(offer.GetUrl())
	if err != nil || (loc.Scheme != "https" && loc.Scheme != "http") || loc.Host == "" {
		return fmt.Errorf("offer has no usable download URL (%q)", offer.GetUrl())
	}
	name := path.Base(loc.Path)
	if !safeName.MatchString(name) {
		return fmt.Errorf("download URL names no file (%q)", offer.GetUrl())
	}
	// The signature is checked first: nothing unsigned is downloaded.
	if !VerifySignature(u.PublicKey, want, name, offer.GetSignature()) {
		return fmt.Errorf("signature of %q does not verify with the pinned key", name)
	}
	timeout := u.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
	if err != nil {
		return err
	}
	hc := u.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("download: %s", resp.Status)
	}
	if resp.ContentLength > offer.GetSize() {
		return fmt.Errorf("download is %d bytes, %d offered", resp.ContentLength, offer.GetSize())
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o700) //nolint:gosec // G302: a program the owner runs
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(resp.Body, offer.GetSize()+1))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	if n != offer.GetSize() {
		return fmt.Errorf("download: got %d bytes or more, %d offered", n, offer.GetSize())
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("checksum mismatch: downloaded %s, offered %s", got, want)
	}
	return os.Chmod(dst, 0o755) //nolint:gosec // G302: the agent binary, readable and runnable like any installed program
}

// SignedLine is the message an update's signature covers: its line in
// SHA256SUMS, "<sha256>  <file name>\n".
func SignedLine(sha256Hex, name string) []byte {
	return []byte(sha256Hex + "  " + name + "\n")
}

// VerifySignature checks a base64 Ed25519 signature of a checksum line
// (with or without its final newline).
func VerifySignature(key ed25519.PublicKey, sha256Hex, name, signature string) bool {
	if len(key) != ed25519.PublicKeySize {
		return false
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signature))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return false
	}
	line := SignedLine(sha256Hex, name)
	return ed25519.Verify(key, line, sig) || ed25519.Verify(key, line[:len(line)-1], sig)
}

// selfCheck runs `<bin> version --check --state-dir DIR`, which must exit
// 0 and print the offered version.
func (u *Updater) selfCheck(ctx context.Context, bin, want string) error {
	ctx, cancel := context.WithTimeout(ctx, selfCheckTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "version", "--check", "--state-dir", u.StateDir)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			err = fmt.Errorf("%w: %s", err, firstLine(ee.Stderr))
		}
		return fmt.Errorf("the new binary failed its self-check: %w", err)
	}
	if got := strings.TrimSpace(string(out)); !sameVersion(got, want) {
		return fmt.Errorf("the new binary reports version %q, %q offered", firstLine([]byte(got)), want)
	}
	return nil
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// swap keeps exe as its .previous and renames next over it. On Unix the
// old binary is hard-linked (or copied) aside, so exe always names a
// complete binary; on Windows the running binary cannot be replaced but
// can be renamed, so it is moved aside first and put back if the second
// rename fails.
func swap(exe, next string) error {
	prev := Previous(exe)
	if err := os.Remove(prev); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if runtime.GOOS == "windows" {
		if err := os.Rename(exe, prev); err != nil {
			return err
		}
		if err := os.Rename(next, exe); err != nil {
			return errors.Join(err, os.Rename(prev, exe))
		}
		return nil
	}
	if err := os.Link(exe, prev); err != nil {
		if err := copyFile(exe, prev); err != nil {
			return fmt.Errorf("keep the previous binary: %w", err)
		}
	}
	return os.Rename(next, exe)
}

// restore puts prev back as exe (the failed binary is removed).
func restore(exe, prev string) error {
	if runtime.GOOS == "windows" {
		failed := exe + ".failed"
		_ = os.Remove(failed)
		if err := os.Rename(exe, failed); err != nil {
			return err
		}
		return os.Rename(prev, exe)
	}
	return os.Rename(prev, exe)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755) //nolint:gosec // G302: a copy of the agent binary
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

// canonical is v with the "v" prefix semver wants, "" when v is no
// semantic version.
func canonical(v string) string {
	sv := "v" + strings.TrimPrefix(strings.TrimSpace(v), "v")
	if !semver.IsValid(sv) {
		return ""
	}
	return sv
}

// newer reports whether offered is a newer version than running. An
// offer that is no semantic version is never newer; a running version
// that is none (a development build) is older than any.
func newer(offered, running string) bool {
	o, r := canonical(offered), canonical(running)
	switch {
	case o == "":
		return false
	case r == "":
		return true
	}
	return semver.Compare(o, r) > 0
}

func sameVersion(a, b string) bool {
	return strings.TrimPrefix(strings.TrimSpace(a), "v") == strings.TrimPrefix(strings.TrimSpace(b), "v")
}
