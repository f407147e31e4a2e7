package collector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// maxOutput caps what is read from one command.
const maxOutput = 32 << 20

// Env is what collectors share during one collection.
type Env struct {
	// Since is the start of the window for event logs and crashes; zero
	// means 24 hours before now.
	Since time.Time
	// PerfSamples is how many CPU and memory samples to take; 0 means 2.
	PerfSamples int
	// PerfInterval is the time between samples; 0 means one second.
	PerfInterval time.Duration
	// Root prefixes the files collectors read (/proc, /sys, /etc, …);
	// empty means "/". Tests point it at a fixture tree.
	Root string
	// Log receives debug output; nil discards.
	Log *slog.Logger
	// Run runs commands; nil means the real OS. Tests replace it.
	Run Commander

	enabled []string
	memoMu  sync.Mutex
	memo    map[string]*memoEntry
}

// Commander runs external commands.
type Commander interface {
	// Output runs name with args and returns its standard output. A
	// non-zero exit comes back as *CommandError together with the output.
	Output(ctx context.Context, name string, args ...string) ([]byte, error)
	// Stream runs name and hands its standard output to fn as it arrives.
	Stream(ctx context.Context, fn func(io.Reader) error, name string, args ...string) error
	// LookPath reports the path of an executable, or "" when absent.
	LookPath(name string) string
}

// CommandError is a command that ran and failed.
type CommandError struct {
	// Command is the program name.
	Command string
	// ExitCode is its exit status.
	ExitCode int
	// Stderr is the start of what it printed to standard error.
	Stderr string
}

func (e *CommandError) Error() string {
	msg := fmt.Sprintf("%s exited with %d", e.Command, e.ExitCode)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

// exitCode returns the exit status carried by err, or -1.
func exitCode(err error) int {
	var ce *CommandError
	if errors.As(err, &ce) {
		return ce.ExitCode
	}
	return -1
}

func (e *Env) log() *slog.Logger {
	if e == nil || e.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Log
}

func (e *Env) cmd() Commander {
	if e.Run == nil {
		return osCommander{}
	}
	return e.Run
}

// output runs a command.
func (e *Env) output(ctx context.Context, name string, args ...string) ([]byte, error) {
	return e.cmd().Output(ctx, name, args...)
}

// has reports whether an executable is on the PATH (or at an absolute path).
func (e *Env) has(name string) bool { return e.cmd().LookPath(name) != "" }

// path joins Root and an absolute path.
func (e *Env) path(p string) string {
	if e.Root == "" || e.Root == "/" {
		return p
	}
	return filepath.Join(e.Root, p)
}

// readFile reads a file below Root.
func (e *Env) readFile(p string) ([]byte, error) { return os.ReadFile(e.path(p)) }

// readString reads a small file below Root and trims it.
func (e *Env) readString(p string) string {
	b, err := e.readFile(p)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func (e *Env) since() time.Time {
	if e.Since.IsZero() {
		return time.Now().Add(-24 * time.Hour)
	}
	return e.Since
}

type memoEntry struct {
	done chan struct{}
	val  any
	err  error
}

// shared computes a value once per collection for every collector that
// asks for it (e.g. one PowerShell inventory for many collectors). It runs
// under its own timeout, not the first caller's, and each caller stops
// waiting when its own context ends.
func (e *Env) shared(ctx context.Context, key string, timeout time.Duration, fn func(ctx context.Context) (any, error)) (any, error) {
	e.memoMu.Lock()
	if e.memo == nil {
		e.memo = map[string]*memoEntry{}
	}
	m, ok := e.memo[key]
	if !ok {
		m = &memoEntry{done: make(chan struct{})}
		e.memo[key] = m
		go func() {
			defer close(m.done)
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
			defer cancel()
			defer func() {
				if p := recover(); p != nil {
					m.err = fmt.Errorf("panic: %v", p)
				}
			}()
			m.val, m.err = fn(cctx)
		}()
	}
	e.memoMu.Unlock()
	select {
	case <-m.done:
		return m.val, m.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// sharedOutput runs a command once per collection.
func (e *Env) sharedOutput(ctx context.Context, timeout time.Duration, name string, args ...string) ([]byte, error) {
	key := "cmd\x00" + name + "\x00" + strings.Join(args, "\x00")
	v, err := e.shared(ctx, key, timeout, func(ctx context.Context) (any, error) {
		return e.output(ctx, name, args...)
	})
	b, _ := v.([]byte)
	return b, err
}

// osCommander runs real commands with a C locale, no standard input, a
// capped output and a hidden window on Windows.
type osCommander struct{}

func (osCommander) LookPath(name string) string {
	p, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	return p
}

func command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C", "SYSTEMD_PAGER=", "PAGER=cat", "SYSTEMD_COLORS=0")
	cmd.WaitDelay = 2 * time.Second
	hideWindow(cmd)
	return cmd
}

func (osCommander) Output(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := command(ctx, name, args...)
	var stdout limitedBuffer
	stdout.max = maxOutput
	var stderr limitedBuffer
	stderr.max = 2048
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	return stdout.Bytes(), wrapExit(ctx, name, err, stderr.String())
}

func (osCommander) Stream(ctx context.Context, fn func(io.Reader) error, name string, args ...string) error {
	cmd := command(ctx, name, args...)
	var stderr limitedBuffer
	stderr.max = 2048
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	ferr := fn(io.LimitReader(out, maxOutput))
	_, _ = io.Copy(io.Discard, out) // let the command finish writing
	werr := cmd.Wait()
	if ferr != nil {
		return ferr
	}
	return wrapExit(ctx, name, werr, stderr.String())
}

func wrapExit(ctx context.Context, name string, err error, stderr string) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", name, ctx.Err())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return &CommandError{Command: name, ExitCode: ee.ExitCode(), Stderr: strings.TrimSpace(stderr)}
	}
	return err
}

// limitedBuffer keeps at most max bytes and discards the rest.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		if len(p) > room {
			b.Buffer.Write(p[:room])
		} else {
			b.Buffer.Write(p)
		}
	}
	return len(p), nil
}
