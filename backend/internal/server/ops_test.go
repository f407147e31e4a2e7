package server_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/google/uuid"
	"github.com/redis/rueidis"
	"github.com/riverqueue/river"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/server"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/backend/internal/testenv/redistest"
)

const testKey = "AIUkH4Tnz7uvfL5Fque69E98QlfnU4wekF2dOsCPK9Y="

// TestKeysRequiredOnPostgres: a PostgreSQL-backed app refuses to start
// without both keys (naming the missing variables and how to make a key)
// unless they are set or -generate-keys is passed; the embedded SQLite store
// starts without any configuration.
func TestKeysRequiredOnPostgres(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		newApp := func(edit func(*config.Config)) error {
			cfg := config.Config{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0"}
			if edit != nil {
				edit(&cfg)
			}
			app, err := server.NewApp(cfg, st, testenv.Logger(t))
			if err == nil {
				app.Close()
			}
			return err
		}
		err := newApp(nil)
		if st.Dialect != dialect.Postgres {
			if err != nil {
				t.Fatalf("SQLite without keys: %v", err)
			}
			return
		}
		if !errors.Is(err, config.ErrKeysRequired) {
			t.Fatalf("PostgreSQL without keys started (err %v)", err)
		}
		for _, want := range []string{"WEGWEISER_JWT_KEY", "WEGWEISER_SECRET_KEY", "openssl rand -base64 32", "wegweiser keys", "-generate-keys", "WEGWEISER_GENERATE_KEYS=true"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error does not mention %q: %v", want, err)
			}
		}
		err = newApp(func(c *config.Config) { c.JWTKey = testKey })
		if !errors.Is(err, config.ErrKeysRequired) || strings.Contains(err.Error(), "WEGWEISER_JWT_KEY") || !strings.Contains(err.Error(), "WEGWEISER_SECRET_KEY") {
			t.Fatalf("with only the JWT key: %v; want an error naming only WEGWEISER_SECRET_KEY", err)
		}
		if err := newApp(func(c *config.Config) { c.JWTKey, c.SecretKey = testKey, testKey }); err != nil {
			t.Fatalf("with both keys: %v", err)
		}
		if err := newApp(func(c *config.Config) { c.GenerateKeys = true }); err != nil {
			t.Fatalf("with -generate-keys: %v", err)
		}
	})
}

// TestRedisOptional: the server starts while its Redis is down, sign-ins
// work and are throttled in the process without a call to Redis, and once
// Redis is up the throttle counts there again.
func TestRedisOptional(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		rds := redistest.New(t) // not started
		prefix := "wwops:" + uuid.NewString()[:8] + ":"
		srv := testenv.StartServerWith(t, st, func(c *config.Config) { c.RedisURL = rds.URL(); c.RedisPrefix = prefix })
		if len(srv.App.Throttles) == 0 {
			t.Fatal("no Redis-backed throttle")
		}
		throttle := srv.App.Throttles[0] // failed logins per account
		ctx := context.Background()
		email := "ops-" + uuid.NewString()[:8] + "@example.com"
		anon := srv.Clients("")
		must(anon.Auth.SignUp(ctx, &v1.SignUpRequest{TenantName: "Ops", Email: email, Password: testenv.Password}))(t)
		good := &v1.LoginRequest{Email: email, Password: testenv.Password}
		must(anon.Auth.Login(ctx, good))(t)

		victim := "nobody-" + uuid.NewString()[:8] + "@example.com"
		var last error
		for i := 0; i < identity.MaxLoginFailures+2; i++ {
			_, last = anon.Auth.Login(ctx, &v1.LoginRequest{Email: victim, Password: "not the password"})
		}
		if testenv.Code(last) != "resource_exhausted" {
			t.Fatalf("after %d failures while Redis is down: %v, want resource_exhausted", identity.MaxLoginFailures+2, last)
		}
		must(anon.Auth.Login(ctx, good))(t)
		stats := throttle.Stats()
		if stats.Calls != 0 {
			t.Fatalf("%d calls sent to Redis while it was down", stats.Calls)
		}
		if stats.Fallbacks < int64(identity.MaxLoginFailures) {
			t.Fatalf("only %d operations counted in the process", stats.Fallbacks)
		}

		rds.Start(t)
		check, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{rds.Addr}, DisableCache: true})
		if err != nil {
			t.Fatal(err)
		}
		defer check.Close()
		// Successful logins ask the throttle (without counting a failure)
		// until one of them reaches Redis again.
		testenv.Eventually(t, "throttle asks Redis again", func() bool {
			must(anon.Auth.Login(ctx, good))(t)
			return throttle.Stats().Calls > 0
		})
		// A failure is now counted in Redis (keys are hashes of the account;
		// this server's prefix holds only what was counted there).
		probe := "probe-" + uuid.NewString()[:8] + "@example.com"
		if _, err := anon.Auth.Login(ctx, &v1.LoginRequest{Email: probe, Password: "not the password"}); testenv.Code(err) != "unauthenticated" {
			t.Fatalf("probe login: %v, want unauthenticated", err)
		}
		keys, err := check.Do(ctx, check.B().Keys().Pattern(prefix+"login-failures:*").Build()).AsStrSlice()
		if err != nil || len(keys) != 1 {
			t.Fatalf("failure counters in Redis after it came back: %v, %v; want one", keys, err)
		}
		must(anon.Auth.Login(ctx, good))(t)
	})
}

// gatedRollUps runs the real handlers, but once armed, the next roll-up of
// one entity stays running after it has written its result, until released.
type gatedRollUps struct {
	river.WorkerDefaults[jobs.RollUpArgs]
	*health.Service
	mu      sync.Mutex
	entity  uuid.UUID
	reached chan struct{}
	release chan struct{}
}

func (g *gatedRollUps) arm(entity uuid.UUID) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.entity, g.reached, g.release = entity, make(chan struct{}), make(chan struct{})
}

// Work implements river.Worker for roll-ups.
func (g *gatedRollUps) Work(ctx context.Context, job *river.Job[jobs.RollUpArgs]) error {
	entityID := job.Args.EntityID
	err := g.RollUp(ctx, job.Args.TenantID, job.Args.EntityKind, entityID)
	g.mu.Lock()
	gated := entityID == g.entity && g.reached != nil
	reached, release := g.reached, g.release
	if gated {
		g.reached = nil // only this run
	}
	g.mu.Unlock()
	if gated {
		close(reached)
		<-release
	}
	return err
}

// TestRollUpSeesChangeDuringRun (defect 11b): a device that turns critical
// while its group's roll-up is running (that roll-up read the devices
// before the change) is reflected in the group once the jobs settle, not
// dropped as a duplicate of the running roll-up.
func TestRollUpSeesChangeDuringRun(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServerWith(t, st, func(c *config.Config) { c.Workers = false })
		gate := &gatedRollUps{Service: srv.App.Health}
		jc, err := jobs.New(st, testenv.Logger(t), jobs.Options{Work: true, PollInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		app := srv.App
		regs := []jobs.Registration{app.Health.AnalyzeWorker(), jobs.Work[jobs.RollUpArgs](gate), app.Health.SweepWorker(), app.Alerts.Worker(), app.Retention.Worker(), app.Narratives.Worker(), app.Devices.BulkWorker()}
		if err := jc.Register(append(regs, app.Reports.Workers()...)...); err != nil {
			t.Fatal(err)
		}
		if err := jc.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = jc.Stop(context.Background()) })

		ten := testenv.NewTenant(t, srv, "race")
		own := srv.Clients(ten.Login(t, ten.Owner))
		dev := ten.Enrol(t, "turns-sick")
		group := ten.Groups[0]
		testenv.SettleJobs(t, srv)
		groupHealth := func() (bool, int32) {
			r, err := own.Health.GetHealth(context.Background(), &v1.GetHealthRequest{Entity: entity(v1.EntityKind_ENTITY_KIND_GROUP, group)})
			if err != nil || r.GetHealth() == nil {
				return false, 0
			}
			return r.GetHealth().GetScored(), r.GetHealth().GetScore()
		}
		if scored, score := groupHealth(); !scored || score <= 60 {
			t.Fatalf("group before the change: scored %v, score %v; want a healthy score", scored, score)
		}

		gate.arm(uuid.MustParse(group))
		if err := srv.App.Jobs.Enqueue(context.Background(), jobs.RollUpArgs{TenantID: uuid.MustParse(ten.ID), EntityKind: "group", EntityID: uuid.MustParse(group)}); err != nil {
			t.Fatal(err)
		}
		<-gate.reached // the roll-up has read the healthy devices and is still running
		submitSnapshot(t, srv, dev.Token, sick("turns-sick"))
		waitScored(t, own, dev.DeviceID, func(r *v1.GetHealthResponse) bool { return r.GetHealth().GetBand() == v1.Band_BAND_CRITICAL })
		close(gate.release)
		testenv.SettleJobs(t, srv)
		if _, score := groupHealth(); score > 60 {
			t.Fatalf("group scores %v after a device turned critical during its roll-up", score)
		}
	})
}
