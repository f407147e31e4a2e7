// Command wegweiser is the Wegweiser server: API, dashboard and workers in
// one binary.
//
//	wegweiser serve    run the server (migrates first)
//	wegweiser migrate  apply database migrations and exit
//	wegweiser demo     seed the demo tenant and print its login
//	wegweiser admin    create a tenant and its owner (password from stdin)
//	wegweiser keys     print fresh WEGWEISER_JWT_KEY and WEGWEISER_SECRET_KEY
//
// Configuration comes from flags or WEGWEISER_* environment variables; run
// `wegweiser serve -h` for the list.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/demo"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/server"
	"github.com/wegweiser/wegweiser/backend/internal/simulate"
	"github.com/wegweiser/wegweiser/backend/internal/store"
)

const usage = `usage: wegweiser <command> [flags]

commands:
  serve    run API, dashboard and workers (applies migrations first)
  worker   run only the job workers (analysis, roll-ups), for extra nodes
  migrate  apply database migrations and exit
  demo     create the demo tenant (or reset its password) and print the login
  admin    create a tenant and its owner; the password is read from stdin
  simulate enrol simulated agents with a key and send their snapshots
  keys     print fresh WEGWEISER_JWT_KEY and WEGWEISER_SECRET_KEY values

Run "wegweiser <command> -h" for the flags of a command.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(ctx, os.Args[2:])
	case "worker":
		err = worker(ctx, os.Args[2:])
	case "migrate":
		err = migrate(ctx, os.Args[2:])
	case "demo":
		err = seedDemo(ctx, os.Args[2:])
	case "admin":
		err = admin(ctx, os.Args[2:], os.Stdin)
	case "simulate":
		err = runSimulation(ctx, os.Args[2:])
	case "keys":
		err = printKeys(os.Stdout)
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wegweiser:", err)
		os.Exit(1)
	}
}

func parse(name string, args []string, extra func(*flag.FlagSet)) (config.Config, error) {
	var cfg config.Config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	cfg.Register(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// openStore opens and migrates the database.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	applied, err := st.Migrate(ctx)
	if err == nil {
		err = jobs.Migrate(ctx, st)
	}
	if err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	for _, v := range applied {
		log.Info("applied migration", "version", v)
	}
	return st, nil
}

func serve(ctx context.Context, args []string) error {
	var withDemo bool
	cfg, err := parse("serve", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&withDemo, "demo", os.Getenv("WEGWEISER_DEMO") == "true", "seed the demo tenant and print its login (env WEGWEISER_DEMO=true)")
	})
	if err != nil {
		return err
	}
	if err := cfg.CheckKeys(cfg.DatabaseURL != ""); err != nil {
		return err // before touching the database
	}
	log := newLogger(cfg.LogLevel)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	app, err := server.NewApp(cfg, st, log)
	if err != nil {
		return err
	}
	defer app.Close()
	var creds *demo.Credentials
	if withDemo {
		if creds, err = seedAndPopulate(ctx, app, log); err != nil {
			return err
		}
	}
	if err := app.StartWorkers(ctx); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	defer func() {
		if err := app.StopWorkers(); err != nil {
			log.Warn("stopping workers", "err", err)
		}
	}()
	store := "embedded SQLite in " + cfg.DataDir
	if cfg.DatabaseURL != "" {
		store = "PostgreSQL"
	}
	return app.Serve(ctx, func(addr string) {
		shown := cfg
		shown.ListenAddr = addr
		url := shown.ServerURL()
		log.Info("wegweiser listening", "addr", addr, "url", url, "store", store)
		if creds != nil {
			fmt.Fprintf(os.Stderr, "\n  Wegweiser is running at %s\n  Log in as %s with password %s\n  (a new password is set each time the demo starts)\n\n", url, creds.Email, creds.Password)
		}
	})
}

// seedAndPopulate creates the demo tenant (or resets its password) and, for
// a new one, has simulated agents enrol and report through the API.
func seedAndPopulate(ctx context.Context, app *server.App, log *slog.Logger) (*demo.Credentials, error) {
	creds, enrolments, err := demo.Seed(ctx, app.Store, app.Identity, app.Enrolment)
	if err != nil {
		return nil, err
	}
	if creds.Created {
		log.Info("populating the demo tenant with simulated agents", "groups", len(enrolments), "history_days", demo.Days)
		start := time.Now()
		stats, err := demo.Populate(ctx, app.Handler(), app.Health, creds.TenantID, enrolments)
		if err != nil {
			return nil, err
		}
		log.Info("demo tenant populated", "device_history_rows", stats.Devices, "rollup_history_rows", stats.RollUps, "elapsed", time.Since(start).Round(time.Millisecond))
	}
	return creds, nil
}

func worker(ctx context.Context, args []string) error {
	cfg, err := parse("worker", args, nil)
	if err != nil {
		return err
	}
	cfg.Workers = true
	if err := cfg.CheckKeys(cfg.DatabaseURL != ""); err != nil {
		return err // before touching the database
	}
	log := newLogger(cfg.LogLevel)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	app, err := server.NewApp(cfg, st, log)
	if err != nil {
		return err
	}
	defer app.Close()
	if err := app.StartWorkers(ctx); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	log.Info("workers running")
	<-ctx.Done()
	return app.StopWorkers()
}

func migrate(ctx context.Context, args []string) error {
	cfg, err := parse("migrate", args, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	fmt.Println("database is up to date")
	return nil
}

func seedDemo(ctx context.Context, args []string) error {
	cfg, err := parse("demo", args, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	app, err := server.NewApp(cfg, st, log)
	if err != nil {
		return err
	}
	creds, err := seedAndPopulate(ctx, app, log)
	if err != nil {
		return err
	}
	what := "password reset for the existing demo tenant"
	if creds.Created {
		what = "demo tenant created"
	}
	fmt.Printf("%s\nemail:    %s\npassword: %s\n", what, creds.Email, creds.Password)
	return nil
}

// printKeys writes fresh keys in the form of environment assignments, for
// every serve and worker process of a PostgreSQL installation to share.
func printKeys(w io.Writer) error {
	var out strings.Builder
	for _, name := range []string{"WEGWEISER_JWT_KEY", "WEGWEISER_SECRET_KEY"} {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return fmt.Errorf("generate key: %w", err)
		}
		fmt.Fprintf(&out, "%s=%s\n", name, base64.StdEncoding.EncodeToString(raw))
	}
	_, err := io.WriteString(w, out.String())
	return err
}

func runSimulation(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	server := fs.String("server", "http://localhost:8080", "Wegweiser server URL")
	key := fs.String("key", "", "enrolment key (create one on the Enrolment page)")
	agents := fs.Int("agents", 25, "number of simulated agents")
	rounds := fs.Int("rounds", 1, "snapshots per agent")
	seed := fs.Uint64("seed", 1, "seed of the simulated fleet (same seed, same machines)")
	prefix := fs.String("prefix", "SIM", "host-name prefix")
	concurrency := fs.Int("concurrency", 8, "agents working at once")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *key == "" {
		return errors.New("-key is required")
	}
	st, err := simulate.Run(ctx, simulate.Options{
		ServerURL: *server, Key: *key, Machines: simulate.Fleet(*seed, *prefix, *agents),
		Rounds: *rounds, Concurrency: *concurrency,
	})
	if st != nil {
		fmt.Printf("enrolled %d agents, sent %d snapshots (%d duplicates), %d failures in %s\n",
			st.Enrolled, st.Snapshots, st.Duplicates, st.Failures, st.Elapsed.Round(time.Millisecond))
	}
	return err
}

func admin(ctx context.Context, args []string, stdin io.Reader) error {
	if len(args) == 0 || args[0] != "create-tenant" {
		return errors.New("usage: wegweiser admin create-tenant -tenant-name NAME -email EMAIL < password-file")
	}
	var tenantName, email, displayName string
	cfg, err := parse("admin create-tenant", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&tenantName, "tenant-name", "", "name of the new tenant")
		fs.StringVar(&email, "email", "", "email of its owner")
		fs.StringVar(&displayName, "display-name", "", "name of the owner shown in the dashboard")
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "password (one line on stdin):")
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	log := newLogger(cfg.LogLevel)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	key, err := identity.LoadOrCreateKey(cfg.JWTKey, cfg.DataDir)
	if err != nil {
		return err
	}
	ids := identity.NewService(st, identity.NewSigner(key, "wegweiser"), nil, log)
	res, err := ids.SignUp(ctx, identity.SignUpInput{TenantName: tenantName, Email: email, Password: password, DisplayName: displayName})
	if err != nil {
		return err
	}
	fmt.Printf("tenant %s (%s) created; owner %s can log in now\n", res.Tenant.Name, res.Tenant.ID, res.User.Email)
	return nil
}
