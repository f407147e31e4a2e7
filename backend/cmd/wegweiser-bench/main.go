// Command wegweiser-bench measures Wegweiser against bare baselines taken in
// the same run, on the same machine and data (see docs/performance.md): every
// figure is reported with its baseline and the ratio. It needs PostgreSQL:
//
//	WEGWEISER_TEST_DATABASE_URL=postgres://... go run ./backend/cmd/wegweiser-bench -out bench/results
//
// `make bench` runs it. It creates and drops its own database.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/server"
	"github.com/wegweiser/wegweiser/backend/internal/store"
)

// Result is one measured goal.
type Result struct {
	ID       string  `json:"id"`
	What     string  `json:"what"`
	Baseline string  `json:"baseline"`
	Unit     string  `json:"unit"`
	Measured float64 `json:"measured"`
	Bare     float64 `json:"bare"`
	Ratio    float64 `json:"ratio"`
	Goal     string  `json:"goal"`
	Met      bool    `json:"met"`
	Notes    string  `json:"notes,omitempty"`
}

// Report is what one run writes.
type Report struct {
	Time    time.Time `json:"time"`
	Go      string    `json:"go"`
	CPUs    int       `json:"cpus"`
	Results []Result  `json:"results"`
}

func main() {
	out := flag.String("out", "bench/results", "directory for the JSON results")
	snapshots := flag.Int("snapshots", 2000, "snapshots per P1 run")
	clients := flag.Int("clients", 8, "concurrent clients for P1")
	devices := flag.Int("devices", 100_000, "devices of the simulated tenant for P7-P9 and P11")
	p7Budget := flag.Duration("p7-budget", 2*time.Minute, "how long P7 may re-score (0: all devices)")
	only := flag.String("only", "", "comma-separated goals to run, e.g. P1,P6 (default all)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	base := os.Getenv("WEGWEISER_TEST_DATABASE_URL")
	if base == "" {
		log.Fatal("WEGWEISER_TEST_DATABASE_URL is not set; run `make bench`")
	}
	ctx := context.Background()
	url, drop := scratchDatabase(base)
	defer drop()

	st, err := store.Open(ctx, url, "")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	if _, err := st.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	if err := jobs.Migrate(ctx, st); err != nil {
		log.Fatal(err)
	}
	dataDir, _ := os.MkdirTemp("", "wegweiser-bench")
	defer func() { _ = os.RemoveAll(dataDir) }()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Workers off: the goals drive analysis and jobs themselves. The
	// assistant's model is stubbed in process (P11).
	app, err := server.NewApp(config.Config{
		DataDir: dataDir, ListenAddr: "127.0.0.1:0", ShutdownTimeout: 10 * time.Second, GenerateKeys: true,
		AIResolver: ai.Static{P: stubModel{}},
	}, st, quiet)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: app.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Close() }()
	serverURL := "http://" + ln.Addr().String()

	b := &bench{ctx: ctx, st: st, app: app, url: serverURL, db: url, p7Budget: *p7Budget}
	rep := Report{Time: time.Now().UTC(), Go: runtime.Version(), CPUs: runtime.NumCPU()}
	var pop *population
	withPop := func(f func(*population) (Result, error)) func() (Result, error) {
		return func() (Result, error) {
			if pop == nil {
				start := time.Now()
				var err error
				if pop, err = b.populate(*devices, 200); err != nil {
					return Result{}, err
				}
				fmt.Printf("populated %d devices in %s\n", *devices, time.Since(start).Round(time.Second))
			}
			return f(pop)
		}
	}
	goals := []struct {
		id  string
		run func() (Result, error)
	}{
		{"P1", func() (Result, error) { return b.p1(*snapshots, *clients) }},
		{"P2", b.p2},
		{"P3", b.p3},
		{"P6", b.p6},
		{"P7", withPop(b.p7)},
		{"P8", withPop(b.p8)},
		{"P9", withPop(b.p9)},
		{"P11", withPop(b.p11)},
	}
	for _, g := range goals {
		if *only != "" && !strings.Contains(","+*only+",", ","+g.id+",") {
			continue
		}
		r, err := g.run()
		if err != nil {
			log.Fatalf("%s: %v", g.id, err)
		}
		rep.Results = append(rep.Results, r)
		fmt.Printf("%-4s %-58s measured %10.1f %-12s bare %10.1f  ratio %5.2f  goal %-26s %s\n",
			r.ID, r.What, r.Measured, r.Unit, r.Bare, r.Ratio, r.Goal, map[bool]string{true: "met", false: "NOT MET"}[r.Met])
	}
	if err := os.MkdirAll(*out, 0o755); err != nil { //nolint:gosec // G301: results are public and committed to the repository
		log.Fatal(err)
	}
	data, _ := json.MarshalIndent(rep, "", "  ")
	path := filepath.Join(*out, "ingest.json")
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil { //nolint:gosec // G306: results are public and committed to the repository
		log.Fatal(err)
	}
	fmt.Println("wrote", path)
}

func scratchDatabase(base string) (string, func()) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		log.Fatal(err)
	}
	raw := make([]byte, 4)
	_, _ = rand.Read(raw)
	name := "wwbench_" + hex.EncodeToString(raw)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		log.Fatal(err)
	}
	url, err := store.WithDatabase(base, name)
	if err != nil {
		log.Fatal(err)
	}
	return url, func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		_ = admin.Close()
	}
}
