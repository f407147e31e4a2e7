package main

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1/agentv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/enrolment"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/ingest"
	"github.com/wegweiser/wegweiser/backend/internal/server"
	"github.com/wegweiser/wegweiser/backend/internal/simulate"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
)

type bench struct {
	ctx context.Context
	st  *store.Store
	app *server.App
	url string
	db  string
	n   int
	// p7Budget bounds how long P7 re-scores (0: every device).
	p7Budget time.Duration
}

// fleet makes a tenant with one organisation, an enrolment key and n
// enrolled simulated agents; it returns their clients and machines.
func (b *bench) fleet(n int) ([]agentv1connect.AgentServiceClient, []simulate.Machine, []*ent.Device, error) {
	b.n++
	res, err := b.app.Identity.SignUp(b.ctx, identity.SignUpInput{
		TenantName: "Bench", Email: fmt.Sprintf("bench%d-%s@example.com", b.n, uuid.NewString()[:8]), Password: "benchmark-password",
	})
	if err != nil {
		return nil, nil, nil, err
	}
	tctx := bypass.AsTenant(b.ctx, res.Tenant.ID, "bench: fill the bench tenant")
	org, err := b.st.Ent.Organisation.Create().SetTenantID(res.Tenant.ID).SetName("Bench org").Save(tctx)
	if err != nil {
		return nil, nil, nil, err
	}
	_, secret, err := b.app.Enrolment.CreateKey(tctx, enrolment.KeyInput{OrganisationID: org.ID})
	if err != nil {
		return nil, nil, nil, err
	}
	machines := simulate.Fleet(uint64(b.n), fmt.Sprintf("B%d", b.n), n)
	clients := make([]agentv1connect.AgentServiceClient, n)
	devices := make([]*ent.Device, n)
	plain := agentv1connect.NewAgentServiceClient(httpClient, b.url)
	for i, m := range machines {
		e, err := plain.Enroll(b.ctx, &agentv1.EnrollRequest{EnrolmentKey: secret, Hostname: m.Hostname, Platform: m.Profile.Platform})
		if err != nil {
			return nil, nil, nil, err
		}
		// Uncompressed: the load generator shares the machine's two cores
		// with the server, and the bare baseline compresses nothing either.
		clients[i] = agentv1connect.NewAgentServiceClient(httpClient, b.url, connect.WithInterceptors(simulate.Bearer(e.DeviceToken)))
		devices[i], err = b.st.Ent.Device.Get(tctx, uuid.MustParse(e.DeviceId))
		if err != nil {
			return nil, nil, nil, err
		}
	}
	return clients, machines, devices, nil
}

var httpClient = &http2Client

// p1 compares end-to-end snapshot ingest through the API with a bare pgx
// insert of the same snapshots (as JSON, with a dedupe key), both from the
// same number of concurrent clients.
func (b *bench) p1(total, clients int) (Result, error) {
	agents, machines, _, err := b.fleet(clients * 4)
	if err != nil {
		return Result{}, err
	}
	now := time.Now().UTC()
	snaps := make([]*agentv1.Snapshot, total)
	for i := range snaps {
		snaps[i] = machines[i%len(machines)].Snapshot(now.Add(time.Duration(i)*time.Second), i/len(machines))
	}
	var bytes int
	for _, s := range snaps {
		bytes += proto.Size(s)
	}

	// Bare: pgx pool, INSERT … ON CONFLICT DO NOTHING of the JSON document.
	pool, err := pgxpool.New(b.ctx, b.db)
	if err != nil {
		return Result{}, err
	}
	defer pool.Close()
	if _, err := pool.Exec(b.ctx, `CREATE TABLE bare_snapshots (device_id uuid NOT NULL, snapshot_id uuid NOT NULL, body jsonb NOT NULL, PRIMARY KEY (device_id, snapshot_id))`); err != nil {
		return Result{}, err
	}
	docs := make([][]byte, total)
	for i, s := range snaps {
		docs[i], _ = protojson.Marshal(s)
	}
	devIDs := make([]uuid.UUID, len(machines))
	for i := range devIDs {
		devIDs[i] = uuid.New()
	}
	bare, err := parallel(total, clients, func(i int) error {
		_, err := pool.Exec(b.ctx, `INSERT INTO bare_snapshots (device_id, snapshot_id, body) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			devIDs[i%len(devIDs)], snaps[i].SnapshotId, docs[i])
		return err
	})
	if err != nil {
		return Result{}, err
	}
	// Measured: the real AgentService, gzip, one transaction per snapshot.
	measured, err := parallel(total, clients, func(i int) error {
		_, err := agents[i%len(agents)].SubmitSnapshot(b.ctx, &agentv1.SubmitSnapshotRequest{Snapshot: snaps[i]})
		return err
	})
	if err != nil {
		return Result{}, err
	}
	ratio := measured / bare
	return Result{
		ID: "P1", What: "snapshot ingest through AgentService (PostgreSQL)", Baseline: "bare pgx INSERT of the same snapshots as JSON with a dedupe key",
		Unit: "snapshots/s", Measured: measured, Bare: bare, Ratio: ratio,
		Goal: "≥ 0.5 × bare and ≥ 400/s", Met: ratio >= 0.5 && measured >= 400,
		Notes: fmt.Sprintf("%d snapshots of %d devices, mean %d bytes (protobuf, uncompressed), %d clients, client and server on the same 2 cores", total, len(machines), bytes/total, clients),
	}, nil
}

// parallel runs fn(0..n-1) on c workers and returns operations per second.
func parallel(n, c int, fn func(i int) error) (float64, error) {
	var next int64 = -1
	var wg sync.WaitGroup
	var firstErr atomic.Value
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// p2 compares writing normalised software rows the way ingest does with
// pgx COPY of the same rows, at the same batch size (one device's software
// per transaction).
func (b *bench) p2() (Result, error) {
	const devices, perDevice = 100, 200
	_, _, devs, err := b.fleet(devices)
	if err != nil {
		return Result{}, err
	}
	items := make([]*agentv1.InstalledSoftware, perDevice)
	for i := range items {
		items[i] = &agentv1.InstalledSoftware{Name: fmt.Sprintf("Program %03d", i), Version: "1.2.3", Publisher: "Vendor Ltd", InstallDate: "2024-05-01", Source: "registry"}
	}
	pool, err := pgxpool.New(b.ctx, b.db)
	if err != nil {
		return Result{}, err
	}
	defer pool.Close()
	if _, err := pool.Exec(b.ctx, `CREATE TABLE bare_software (LIKE installed_softwares INCLUDING ALL)`); err != nil {
		return Result{}, err
	}
	rows := make([][]any, perDevice)
	start := time.Now()
	for _, d := range devs {
		for i, it := range items {
			rows[i] = []any{uuid.Must(uuid.NewV7()), d.TenantID, d.ID, d.OrganisationID, it.Name, it.Version, it.Publisher, it.InstallDate, it.Source}
		}
		err := pgx.BeginFunc(b.ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(b.ctx, `DELETE FROM bare_software WHERE device_id = $1`, d.ID); err != nil {
				return err
			}
			_, err := tx.CopyFrom(b.ctx, pgx.Identifier{"bare_software"},
				[]string{"id", "tenant_id", "device_id", "organisation_id", "name", "version", "publisher", "install_date", "source"},
				pgx.CopyFromRows(rows))
			return err
		})
		if err != nil {
			return Result{}, err
		}
	}
	bare := float64(devices*perDevice) / time.Since(start).Seconds()
	start = time.Now()
	for _, d := range devs {
		tctx := bypass.AsTenant(b.ctx, d.TenantID, "bench: read a device's health")
		if err := b.st.Tx(tctx, func(tx *store.Tx) error { return ingest.WriteSoftware(tctx, tx, d, items) }); err != nil {
			return Result{}, err
		}
	}
	measured := float64(devices*perDevice) / time.Since(start).Seconds()
	ratio := measured / bare
	return Result{
		ID: "P2", What: "normalised software rows (replace per device, one tx each)", Baseline: "pgx COPY of the same rows, same batch (200 rows per tx)",
		Unit: "rows/s", Measured: measured, Bare: bare, Ratio: ratio, Goal: "≥ 0.7 × COPY", Met: ratio >= 0.7,
		Notes: fmt.Sprintf("%d devices × %d rows", devices, perDevice),
	}, nil
}

// p3 compares the WAL written by an unchanged snapshot (same content, new
// snapshot id) with a changed one.
func (b *bench) p3() (Result, error) {
	const n = 50
	agents, machines, _, err := b.fleet(n)
	if err != nil {
		return Result{}, err
	}
	now := time.Now().UTC()
	first := make([]*agentv1.Snapshot, n)
	for i := range first {
		first[i] = machines[i].Snapshot(now, 0)
		if _, err := agents[i].SubmitSnapshot(b.ctx, &agentv1.SubmitSnapshotRequest{Snapshot: first[i]}); err != nil {
			return Result{}, err
		}
	}
	db, err := sql.Open("pgx", b.db)
	if err != nil {
		return Result{}, err
	}
	defer func() { _ = db.Close() }()
	wal := func(send func(i int) *agentv1.Snapshot) (float64, error) {
		var startLSN string
		if err := db.QueryRow(`SELECT pg_current_wal_insert_lsn()::text`).Scan(&startLSN); err != nil {
			return 0, err
		}
		for i := 0; i < n; i++ {
			if _, err := agents[i].SubmitSnapshot(b.ctx, &agentv1.SubmitSnapshotRequest{Snapshot: send(i)}); err != nil {
				return 0, err
			}
		}
		var bytes float64
		err := db.QueryRow(`SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn)`, startLSN).Scan(&bytes)
		return bytes / n, err
	}
	changed, err := wal(func(i int) *agentv1.Snapshot {
		// A different machine's content: every section changes.
		s := machines[(i+1)%n].Snapshot(now.Add(time.Minute), 7)
		s.Os.Hostname = machines[i].Hostname
		return s
	})
	if err != nil {
		return Result{}, err
	}
	// Send the same content twice more: the first re-establishes it, the
	// second is measured as "unchanged".
	same := func(i int) *agentv1.Snapshot {
		s := proto.Clone(first[i]).(*agentv1.Snapshot)
		s.SnapshotId = uuid.NewString()
		return s
	}
	if _, err := wal(same); err != nil {
		return Result{}, err
	}
	unchanged, err := wal(same)
	if err != nil {
		return Result{}, err
	}
	ratio := unchanged / changed
	return Result{
		ID: "P3", What: "WAL bytes of an unchanged snapshot", Baseline: "WAL bytes of a changed snapshot",
		Unit: "WAL bytes/snapshot", Measured: unchanged, Bare: changed, Ratio: ratio, Goal: "≤ 0.10 × changed", Met: ratio <= 0.10,
		Notes: "unchanged = same content under a new snapshot id (performance samples identical too)",
	}, nil
}
