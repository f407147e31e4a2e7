// Package testenv gives tests real databases: every test that asks runs once
// on the embedded SQLite store and once on PostgreSQL, each in a throwaway
// database of its own. PostgreSQL comes from WEGWEISER_TEST_DATABASE_URL
// (set by scripts/services.sh through `make test`); when it is unset the
// PostgreSQL runs are skipped, unless WEGWEISER_TEST_REQUIRE_POSTGRES=1, in
// which case they fail.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver for the admin connection

	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/mail"
	"github.com/wegweiser/wegweiser/backend/internal/server"
	"github.com/wegweiser/wegweiser/backend/internal/store"
)

// Dialects are the stores every store-backed test runs on.
var Dialects = []string{dialect.SQLite, dialect.Postgres}

// EachStore runs fn as a subtest on a fresh, migrated database of each
// dialect. Every store-backed test has databases of its own, so the test
// and both of its subtests run in parallel with other tests (up to go
// test's -parallel); a test that changes process-wide state (environment
// variables, globals) must not use EachStore.
func EachStore(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	t.Helper()
	t.Parallel()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh, migrated store of dialect d, closed and dropped when
// the test ends.
func Open(t testing.TB, d string) *store.Store {
	t.Helper()
	st := OpenEmpty(t, d)
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := jobs.Migrate(context.Background(), st); err != nil {
		t.Fatalf("migrate River: %v", err)
	}
	return st
}

// OpenEmpty returns a fresh store of dialect d without migrations.
func OpenEmpty(t testing.TB, d string) *store.Store {
	t.Helper()
	ctx := context.Background()
	var url string
	switch d {
	case dialect.SQLite:
	case dialect.Postgres:
		url = PostgresDatabase(t)
	default:
		t.Fatalf("unknown dialect %q", d)
	}
	st, err := store.Open(ctx, url, t.TempDir())
	if err != nil {
		t.Fatalf("open %s store: %v", d, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// PostgresDatabase creates a throwaway database on the test server and
// returns its URL; it is dropped when the test ends.
func PostgresDatabase(t testing.TB) string {
	t.Helper()
	base := os.Getenv("WEGWEISER_TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("WEGWEISER_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal("WEGWEISER_TEST_DATABASE_URL is not set but PostgreSQL is required; run through `make test`")
		}
		t.Skip("PostgreSQL not configured (set WEGWEISER_TEST_DATABASE_URL, or run `make test`)")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open PostgreSQL: %v", err)
	}
	defer func() { _ = admin.Close() }()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "wwtest_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer func() { _ = admin.Close() }()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	url, err := store.WithDatabase(base, name)
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// Logger returns a logger that writes to the test log only when -v is set.
func Logger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// Server is a running Wegweiser API over a test store.
type Server struct {
	App *server.App
	URL string
	// Mail holds every mail the server sent.
	Mail *mail.Recorder
}

// StartServer assembles the application over st and serves it on a local
// test listener (HTTP/1.1 and HTTP/2 cleartext).
func StartServer(t *testing.T, st *store.Store) *Server {
	t.Helper()
	return StartServerWith(t, st, nil)
}

// StartServerWith is StartServer with the configuration changed by
// configure (if not nil) before the application is assembled.
func StartServerWith(t *testing.T, st *store.Store, configure func(*config.Config)) *Server {
	t.Helper()
	rec := &mail.Recorder{}
	cfg := config.Config{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0", Workers: true, JobPollInterval: 50 * time.Millisecond, ShutdownTimeout: 10 * time.Second, AllowPrivateWebhooks: true,
		PublicSignup: true, Mail: rec,
		GenerateKeys: true} // one process with its own data directory
	// Redis, where the run has one, carries the sign-in throttles as in
	// production, under keys of this server only (every test server's
	// clients share the address 127.0.0.1).
	cfg.RedisURL = os.Getenv("WEGWEISER_TEST_REDIS_URL")
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	cfg.RedisPrefix = "wwtest:" + hex.EncodeToString(b) + ":"
	if configure != nil {
		configure(&cfg)
	}
	app, err := server.NewApp(cfg, st, Logger(t))
	if err != nil {
		t.Fatalf("assemble app: %v", err)
	}
	t.Cleanup(app.Close)
	if err := app.StartWorkers(context.Background()); err != nil {
		t.Fatalf("start workers: %v", err)
	}
	// Registered after the store's close, so it runs before it.
	t.Cleanup(func() {
		if err := app.StopWorkers(); err != nil {
			t.Logf("stop workers: %v", err)
		}
	})
	ts := httptest.NewUnstartedServer(app.Handler())
	ts.EnableHTTP2 = false
	ts.Start()
	t.Cleanup(ts.Close)
	return &Server{App: app, URL: ts.URL, Mail: rec}
}

// WaitMail waits for the n-th mail (counting from 1) to address and
// returns it (mails are sent in the background).
func (s *Server) WaitMail(t *testing.T, address string, n int) mail.Message {
	t.Helper()
	var got []mail.Message
	Eventually(t, "mail to "+address, func() bool {
		got = s.Mail.To(address)
		return len(got) >= n
	})
	return got[n-1]
}

// LinkToken returns the token parameter of the first link in a mail body.
func LinkToken(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, "token=")
	if i < 0 {
		t.Fatalf("no token link in mail: %s", body)
	}
	tok := body[i+len("token="):]
	if j := strings.IndexAny(tok, " \n\r&"); j >= 0 {
		tok = tok[:j]
	}
	if u, err := url.QueryUnescape(tok); err == nil {
		tok = u
	}
	return tok
}

// String describes the server for test logs.
func (s *Server) String() string { return fmt.Sprintf("wegweiser at %s", s.URL) }

// Eventually polls cond until it holds or 60 seconds pass (background jobs
// finish asynchronously); it fails the test with msg on timeout. The limit
// only bounds a broken test; nothing asserts how fast jobs are.
func Eventually(t *testing.T, msg string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
