// Package store opens Wegweiser's database (PostgreSQL, or the embedded
// SQLite default), applies its versioned migrations and runs transactions
// shared by ent and River (a job is enqueued in the transaction of the data
// it follows).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/wegweiser/wegweiser/ent"
	_ "github.com/wegweiser/wegweiser/ent/runtime" // registers schema hooks and privacy policies
)

// Store is an open database with its ent client.
type Store struct {
	// Dialect is dialect.Postgres or dialect.SQLite.
	Dialect string
	// DB is the database/sql handle ent uses.
	DB *sql.DB
	// Pool is the pgx pool behind DB on PostgreSQL; nil on SQLite.
	Pool *pgxpool.Pool
	// Ent is the ent client over DB.
	Ent *ent.Client
}

// Open connects to url. An empty url opens (creating if needed) the embedded
// SQLite database wegweiser.db under dataDir.
func Open(ctx context.Context, url, dataDir string) (*Store, error) {
	if url == "" {
		return openSQLite(dataDir)
	}
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return openPostgres(ctx, url)
	}
	return nil, fmt.Errorf("unsupported database URL %q: use postgres://… or leave it empty for the embedded SQLite store", redact(url))
}

func openPostgres(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL pool: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s: %w", redact(url), err)
	}
	db := stdlib.OpenDBFromPool(pool)
	drv := entsql.OpenDB(dialect.Postgres, db)
	return &Store{Dialect: dialect.Postgres, DB: db, Pool: pool, Ent: ent.NewClient(ent.Driver(drv))}, nil
}

// SQLiteDSN is the modernc.org/sqlite DSN for a database file: foreign keys
// on (ent needs them), WAL, a busy timeout, and write transactions that take
// the lock when they begin so that two writers never deadlock.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(15000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

func openSQLite(dataDir string) (*Store, error) {
	if dataDir == "" {
		dataDir = "data"
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	db, err := sql.Open("sqlite", SQLiteDSN(filepath.Join(dataDir, "wegweiser.db")))
	if err != nil {
		return nil, fmt.Errorf("open SQLite: %w", err)
	}
	db.SetMaxOpenConns(4)
	if err := db.Ping(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open SQLite in %s: %w", dataDir, err)
	}
	drv := entsql.OpenDB(dialect.SQLite, db)
	return &Store{Dialect: dialect.SQLite, DB: db, Ent: ent.NewClient(ent.Driver(drv))}, nil
}

// Close closes the ent client and the connections behind it.
func (s *Store) Close() error {
	err := s.Ent.Close()
	if s.Pool != nil {
		s.Pool.Close()
	}
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.DB.PingContext(ctx)
}

// Tx is one database transaction: an ent client bound to it, and the
// *sql.Tx itself for what ent does not do (River's InsertTx, bulk SQL).
type Tx struct {
	*ent.Client
	// SQL is the underlying transaction.
	SQL *sql.Tx
	// Dialect is the store's dialect.
	Dialect string
}

// Tx runs fn in one transaction: committed when fn returns nil, rolled back
// otherwise (and on panic).
func (s *Store) Tx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	stx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
	}()
	drv := inTx{entsql.NewDriver(s.Dialect, entsql.Conn{ExecQuerier: stx})}
	tx := &Tx{Client: ent.NewClient(ent.Driver(drv)), SQL: stx, Dialect: s.Dialect}
	if err := fn(tx); err != nil {
		if rerr := stx.Rollback(); rerr != nil {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// Lock serialises transactions that take the same key: on PostgreSQL with a
// transaction-scoped advisory lock; on SQLite every write transaction holds
// the database lock already (_txlock=immediate).
func (tx *Tx) Lock(ctx context.Context, key string) error {
	if tx.Dialect != dialect.Postgres {
		return nil
	}
	if _, err := tx.SQL.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key); err != nil {
		return fmt.Errorf("lock %s: %w", key, err)
	}
	return nil
}

// inTx is an ent driver bound to an open transaction: the nested
// transactions ent opens for some operations join it.
type inTx struct{ *entsql.Driver }

// Tx implements dialect.Driver.
func (d inTx) Tx(context.Context) (dialect.Tx, error) { return dialect.NopTx(d.Driver), nil }

// redact hides the password in a database URL.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 {
		return url
	}
	userinfo := url[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		return url[:scheme+3] + userinfo[:i] + ":***" + url[at:]
	}
	return url
}
