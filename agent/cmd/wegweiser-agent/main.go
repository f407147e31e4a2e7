// Command wegweiser-agent is the Wegweiser endpoint agent: it enrols a
// device, collects snapshots of its health, keeps them in an offline spool
// and sends them to the Wegweiser server.
//
//	wegweiser-agent enroll --server URL --key KEY
//	wegweiser-agent run
//	wegweiser-agent once
//	wegweiser-agent collect
//	wegweiser-agent install [--dry-run]
//	wegweiser-agent uninstall [--dry-run] [--purge]
//	wegweiser-agent version [--check]
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wegweiser/wegweiser/agent/internal/collector"
	"github.com/wegweiser/wegweiser/agent/internal/install"
	"github.com/wegweiser/wegweiser/agent/internal/runner"
	"github.com/wegweiser/wegweiser/agent/internal/update"
	"github.com/wegweiser/wegweiser/agent/internal/uplink"
	"github.com/wegweiser/wegweiser/agent/internal/version"
	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Exit codes.
const (
	exitOK         = 0
	exitFailure    = 1
	exitUsage      = 2
	exitEnrolAgain = 3
)

const usage = `wegweiser-agent — the Wegweiser endpoint agent

Usage:
  wegweiser-agent enroll --server URL --key KEY   register this device, store its token
  wegweiser-agent run                            collect, spool and send on the server's schedule
  wegweiser-agent once                           collect and send one snapshot (and the spool)
  wegweiser-agent collect                        print a snapshot as JSON; sends nothing
  wegweiser-agent install [--dry-run]            start the agent with the machine
  wegweiser-agent uninstall [--dry-run] [--purge]
  wegweiser-agent version [--check]               --check: also load the state (the self-check of an update)

Every command takes --state-dir (env WEGWEISER_AGENT_STATE_DIR); default:
  Linux   /var/lib/wegweiser-agent
  macOS   /Library/Application Support/Wegweiser
  Windows %ProgramData%\Wegweiser
Run "wegweiser-agent COMMAND -h" for a command's flags.
`

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "enroll", "enrol":
		err = cmdEnroll(rest, stdout, stderr)
	case "run":
		err = cmdRun(rest, stderr)
	case "once":
		err = cmdOnce(rest, stdout, stderr)
	case "collect":
		err = cmdCollect(rest, stdout, stderr)
	case "install":
		err = cmdInstall(rest, stdout, stderr, false)
	case "uninstall":
		err = cmdInstall(rest, stdout, stderr, true)
	case "version", "--version", "-v":
		err = cmdVersion(rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, update.ErrRestart):
		// The binary was replaced and could not re-execute itself: the
		// service manager restarts it.
		fmt.Fprintln(stderr, "wegweiser-agent:", err)
		return update.RestartExitCode
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "wegweiser-agent:", err)
		return exitUsage
	case uplink.IsCredentialError(err):
		fmt.Fprintln(stderr, "wegweiser-agent:", err)
		fmt.Fprintln(stderr, "The server no longer accepts this device: enrol again with `wegweiser-agent enroll --server URL --key KEY --force`.")
		return exitEnrolAgain
	default:
		fmt.Fprintln(stderr, "wegweiser-agent:", err)
		return exitFailure
	}
}

var errUsage = errors.New("usage")

// common holds flags every command shares.
type common struct {
	stateDir string
	logLevel string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.stateDir, "state-dir", uplink.DefaultStateDir(), "state folder (env "+uplink.StateDirEnv+")")
	fs.StringVar(&c.logLevel, "log-level", envOr("WEGWEISER_AGENT_LOG_LEVEL", "info"), "debug, info, warn or error (env WEGWEISER_AGENT_LOG_LEVEL)")
}

func (c *common) logger(w io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.logLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lvl}))
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt64(name string, def int64) int64 {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return def
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}

func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func cmdEnroll(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("enroll", stderr)
	var c common
	c.register(fs)
	server := fs.String("server", os.Getenv("WEGWEISER_AGENT_SERVER"), "server URL, e.g. https://wegweiser.example.com (env WEGWEISER_AGENT_SERVER)")
	key := fs.String("key", "", "enrolment key (or env WEGWEISER_AGENT_ENROLMENT_KEY, which keeps it out of the process list)")
	caFile := fs.String("ca-file", os.Getenv("WEGWEISER_AGENT_CA_FILE"), "PEM file of extra CA certificates to trust for the server (env WEGWEISER_AGENT_CA_FILE)")
	force := fs.Bool("force", false, "enrol again even if this state folder already holds an enrolment")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *key == "" {
		*key = os.Getenv("WEGWEISER_AGENT_ENROLMENT_KEY")
	}
	if *server == "" || *key == "" {
		return fmt.Errorf("%w: enroll needs --server and --key", errUsage)
	}
	if err := uplink.ValidateServer(*server); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if st, err := uplink.LoadState(c.stateDir); err == nil && !*force {
		return fmt.Errorf("already enrolled as device %s with %s; use --force to enrol again", st.DeviceID, st.Server)
	}
	if *caFile != "" {
		abs, err := filepath.Abs(*caFile)
		if err != nil {
			return err
		}
		*caFile = abs
	}
	hc, err := uplink.HTTPClient(*caFile)
	if err != nil {
		return err
	}
	ctx, cancel := signalContext()
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelT()
	req := &agentv1.EnrollRequest{
		EnrolmentKey: *key,
		Platform:     version.Platform(),
		AgentVersion: version.Version,
	}
	req.Hostname, req.SerialNumber = collector.Identity(ctx)
	var resp *agentv1.EnrollResponse
	err = uplink.DefaultRetryPolicy().Do(ctx, func(ctx context.Context) error {
		var err error
		resp, err = uplink.Enroll(ctx, hc, *server, req)
		return err
	})
	if err != nil {
		if uplink.IsCredentialError(err) {
			return fmt.Errorf("the server refused the enrolment key (expired, used up or revoked?): %w", err)
		}
		return fmt.Errorf("enrol: %w", err)
	}
	if resp.GetDeviceToken() == "" {
		return errors.New("enrol: the server returned no device token")
	}
	st := &uplink.State{
		Server:       uplink.NormaliseServer(*server),
		DeviceID:     resp.GetDeviceId(),
		DeviceToken:  resp.GetDeviceToken(),
		CAFile:       *caFile,
		EnrolledTime: time.Now().UTC(),
		UpdateKey:    resp.GetUpdateSigningKey(),
	}
	if err := uplink.SaveState(c.stateDir, st); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	if err := uplink.SaveConfig(c.stateDir, resp.GetConfig()); err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	fmt.Fprintf(stdout, "enrolled as device %s; state saved in %s\n", st.DeviceID, filepath.Join(c.stateDir, "state.json"))
	return nil
}

// agentFlags are the flags of run and once.
type agentFlags struct {
	common
	spoolMax     int64
	collectors   string
	perfSamples  int
	perfInterval time.Duration
	noSelfUpdate bool
}

func (f *agentFlags) register(fs *flag.FlagSet) {
	f.common.register(fs)
	fs.Int64Var(&f.spoolMax, "spool-max-bytes", envInt64("WEGWEISER_AGENT_SPOOL_MAX_BYTES", uplink.DefaultSpoolMaxBytes), "size cap of the offline spool; the oldest snapshots are dropped beyond it (env WEGWEISER_AGENT_SPOOL_MAX_BYTES)")
	fs.StringVar(&f.collectors, "collectors", os.Getenv("WEGWEISER_AGENT_COLLECTORS"), "comma-separated collectors to run, overriding the server (env WEGWEISER_AGENT_COLLECTORS); all: "+strings.Join(collector.Names(), ","))
	fs.IntVar(&f.perfSamples, "perf-samples", 2, "CPU and memory samples per collection")
	fs.DurationVar(&f.perfInterval, "perf-interval", time.Second, "time between performance samples")
	fs.BoolVar(&f.noSelfUpdate, "no-self-update", envBool("WEGWEISER_AGENT_NO_SELF_UPDATE"), "run: never replace this binary with an update the server offers (env WEGWEISER_AGENT_NO_SELF_UPDATE=true)")
}

func envBool(name string) bool {
	v, _ := strconv.ParseBool(os.Getenv(name))
	return v
}

func (f *agentFlags) options(log *slog.Logger) runner.Options {
	return runner.Options{
		StateDir:      f.stateDir,
		SpoolMaxBytes: f.spoolMax,
		Collectors:    splitList(f.collectors),
		PerfSamples:   f.perfSamples,
		PerfInterval:  f.perfInterval,
		Log:           log,
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func cmdRun(args []string, stderr io.Writer) error {
	fs := newFlagSet("run", stderr)
	var f agentFlags
	f.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	log := f.logger(stderr)
	ctx, cancel := signalContext()
	defer cancel()
	ctx, serviceDone := serviceContext(ctx)
	defer serviceDone()
	// Installed before enrolment, the service waits for it.
	for warned := false; ; warned = true {
		_, err := uplink.LoadState(f.stateDir)
		if err == nil {
			break
		}
		if !errors.Is(err, uplink.ErrNotEnrolled) {
			return err
		}
		if !warned {
			log.Warn("waiting for enrolment", "state_dir", f.stateDir, "hint", err.Error())
		}
		if uplink.SleepContext(ctx, 30*time.Second) != nil {
			return nil
		}
	}
	for {
		opts := f.options(log)
		upd, err := f.updater(log)
		if err != nil {
			return err
		}
		opts.Updater = upd
		a, err := runner.New(opts)
		if err != nil {
			return err
		}
		log.Info("wegweiser-agent starting", "version", version.Version, "state_dir", f.stateDir, "self_update", !f.noSelfUpdate)
		err = a.Run(ctx)
		switch {
		case errors.Is(err, update.ErrRestart):
			log.Info("restarting into the installed binary", "binary", upd.Exe)
			rerr := update.Restart(upd.Exe)
			log.Warn("cannot restart in place; exiting for the service manager to restart", "exit_code", update.RestartExitCode, "err", rerr)
			return err
		case errors.Is(err, runner.ErrAlreadyRunning):
			log.Info(err.Error())
			return nil
		case uplink.IsCredentialError(err):
			// Exiting would have the service manager restart us every few
			// seconds with the same refused token. Wait instead for a new
			// enrolment (state.json changes), trying the server hourly.
			log.Error("the server refused this device's credentials; enrol again with `wegweiser-agent enroll --force`", "err", err)
			if !waitForNewState(ctx, f.stateDir, time.Hour) {
				return nil
			}
		default:
			return err
		}
	}
}

// updater is the self-updater of `run` for this binary and state folder;
// with --no-self-update it only confirms or rolls back a pending update.
func (f *agentFlags) updater(log *slog.Logger) (*update.Updater, error) {
	st, err := uplink.LoadState(f.stateDir)
	if err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	hc, err := uplink.HTTPClient(st.CAFile)
	if err != nil {
		return nil, err
	}
	return &update.Updater{
		StateDir:   f.stateDir,
		Exe:        exe,
		Current:    version.Version,
		PublicKey:  st.UpdatePublicKey(),
		Disabled:   f.noSelfUpdate,
		HTTPClient: hc,
		Log:        log,
	}, nil
}

// cmdVersion prints the version; with --check it is the self-check an
// update runs on a new binary before it replaces the old one: it loads
// the state and configuration (and the CA file) as `run` would, and
// prints the bare version.
func cmdVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", stderr)
	var c common
	c.register(fs)
	check := fs.Bool("check", false, "load the state and configuration and print only the version; exit 1 if they cannot be used")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !*check {
		fmt.Fprintf(stdout, "wegweiser-agent %s (%s/%s, %s)\n", version.Version, runtime.GOOS, runtime.GOARCH, runtime.Version())
		return nil
	}
	st, err := uplink.LoadState(c.stateDir)
	if err != nil {
		return fmt.Errorf("self-check: %w", err)
	}
	if _, err := uplink.HTTPClient(st.CAFile); err != nil {
		return fmt.Errorf("self-check: %w", err)
	}
	_ = uplink.LoadConfig(c.stateDir)
	fmt.Fprintln(stdout, version.Version)
	return nil
}

// waitForNewState waits until state.json changes or limit passes; false
// when ctx ended.
func waitForNewState(ctx context.Context, dir string, limit time.Duration) bool {
	stamp := func() time.Time {
		if info, err := os.Stat(filepath.Join(dir, "state.json")); err == nil {
			return info.ModTime()
		}
		return time.Time{}
	}
	before := stamp()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if uplink.SleepContext(ctx, 30*time.Second) != nil {
			return false
		}
		if !stamp().Equal(before) {
			return true
		}
	}
	return true
}

func cmdOnce(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("once", stderr)
	var f agentFlags
	f.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	log := f.logger(stderr)
	opts := f.options(log)
	p := uplink.DefaultRetryPolicy()
	opts.Retry = &p
	a, err := runner.New(opts)
	if err != nil {
		return err
	}
	ctx, cancel := signalContext()
	defer cancel()
	snap, err := a.Once(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "snapshot %s sent\n", snap.GetSnapshotId())
	return nil
}

func cmdCollect(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("collect", stderr)
	var c common
	c.register(fs)
	collectors := fs.String("collectors", "", "comma-separated collectors to run (default all): "+strings.Join(collector.Names(), ","))
	since := fs.Duration("since", 24*time.Hour, "how far back to read event logs and crash reports")
	perfSamples := fs.Int("perf-samples", 2, "CPU and memory samples")
	perfInterval := fs.Duration("perf-interval", time.Second, "time between performance samples")
	size := fs.Bool("size", false, "print the snapshot's size (protobuf, raw and gzipped) to standard error")
	if err := parse(fs, args); err != nil {
		return err
	}
	ctx, cancel := signalContext()
	defer cancel()
	env := &collector.Env{
		Since:        time.Now().Add(-*since),
		PerfSamples:  *perfSamples,
		PerfInterval: *perfInterval,
		Log:          c.logger(stderr),
	}
	var r collector.Runner
	snap := r.Collect(ctx, env, splitList(*collectors))
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(snap)
	if err != nil {
		return err
	}
	if _, err := stdout.Write(append(b, '\n')); err != nil {
		return err
	}
	if *size {
		raw, _ := proto.Marshal(snap)
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		_, _ = zw.Write(raw)
		_ = zw.Close()
		fmt.Fprintf(stderr, "snapshot: %d bytes protobuf, %d bytes gzipped, %d bytes JSON\n", len(raw), gz.Len(), len(b))
	}
	return nil
}

func cmdInstall(args []string, stdout, stderr io.Writer, remove bool) error {
	name := "install"
	if remove {
		name = "uninstall"
	}
	fs := newFlagSet(name, stderr)
	var c common
	c.register(fs)
	dryRun := fs.Bool("dry-run", false, "print what would be written and run, change nothing")
	binary := fs.String("binary", install.DefaultBinary(runtime.GOOS), "where the agent binary is installed and run from")
	purge := fs.Bool("purge", false, "uninstall: also delete the state folder (enrolment and spool)")
	spoolMax := fs.Int64("spool-max-bytes", 0, "install: pass this spool cap to the service")
	noSelfUpdate := fs.Bool("no-self-update", false, "install: the service never replaces its binary with an update the server offers")
	if err := parse(fs, args); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	o := install.Options{
		GOOS:     runtime.GOOS,
		Systemd:  install.HasSystemd(),
		Binary:   *binary,
		Source:   self,
		StateDir: c.stateDir,
		Purge:    *purge,
	}
	if *spoolMax > 0 {
		o.ExtraArgs = append(o.ExtraArgs, "--spool-max-bytes", strconv.FormatInt(*spoolMax, 10))
	}
	if *noSelfUpdate {
		o.ExtraArgs = append(o.ExtraArgs, "--no-self-update")
	}
	var plan install.Plan
	if remove {
		plan, err = install.UninstallPlan(o)
	} else {
		plan, err = install.InstallPlan(o)
	}
	if err != nil {
		return err
	}
	if *dryRun {
		fmt.Fprint(stdout, plan.String())
		return nil
	}
	if !remove {
		if _, err := uplink.LoadState(c.stateDir); err != nil {
			fmt.Fprintf(stderr, "note: %v\n(the service waits until the device is enrolled)\n", err)
		}
	}
	return plan.Apply(stdout)
}
