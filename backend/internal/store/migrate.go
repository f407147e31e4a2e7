package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
)

//go:embed migrations
var migrationFS embed.FS

// migrationsTable records which migration files have been applied.
const migrationsTable = "wegweiser_schema_migrations"

// MigrationDir returns the embedded migration files of a dialect as an atlas
// directory, with its checksum file verified.
func MigrationDir(dialectName string) (migrate.Dir, error) {
	sub := "migrations/" + dirName(dialectName)
	entries, err := fs.ReadDir(migrationFS, sub)
	if err != nil {
		return nil, fmt.Errorf("read migrations for %s: %w", dialectName, err)
	}
	// A private directory per call: migrate.OpenMemDir shares one directory
	// per name across the process, and servers (and parallel tests) that
	// migrate at the same time would write into the same map.
	dir := &migrate.MemDir{}
	for _, e := range entries {
		data, err := fs.ReadFile(migrationFS, path.Join(sub, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		if err := dir.WriteFile(e.Name(), data); err != nil {
			return nil, fmt.Errorf("load migration %s: %w", e.Name(), err)
		}
	}
	if err := migrate.Validate(dir); err != nil {
		return nil, fmt.Errorf("migrations for %s do not match atlas.sum: %w", dialectName, err)
	}
	return dir, nil
}

func dirName(dialectName string) string {
	if dialectName == dialect.Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Migrate applies every migration file not applied yet, each in its own
// transaction, in file-name order. On PostgreSQL an advisory lock keeps two
// servers from migrating at once. It returns the versions it applied.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	dir, err := MigrationDir(s.Dialect)
	if err != nil {
		return nil, err
	}
	files, err := dir.Files()
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name() < files[j].Name() })

	if _, err := s.DB.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+migrationsTable+` (version TEXT PRIMARY KEY, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create %s: %w", migrationsTable, err)
	}
	var applied []string
	for _, f := range files {
		version := strings.TrimSuffix(f.Name(), ".sql")
		done, err := s.applyOne(ctx, version, f)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, version)
		}
	}
	return applied, nil
}

func (s *Store) applyOne(ctx context.Context, version string, f migrate.File) (bool, error) {
	stmts, err := f.Stmts()
	if err != nil {
		return false, fmt.Errorf("parse migration %s: %w", version, err)
	}
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("begin migration %s: %w", version, err)
	}
	defer func() { _ = tx.Rollback() }()
	if s.Dialect == dialect.Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7415)`); err != nil {
			return false, fmt.Errorf("lock for migration: %w", err)
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+migrationsTable+` WHERE version = `+s.placeholder(1), version).Scan(&n); err != nil {
		return false, fmt.Errorf("check migration %s: %w", version, err)
	}
	if n > 0 {
		return false, nil
	}
	for _, stmt := range stmts {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, fmt.Errorf("migration %s: %q: %w", version, stmt, err)
		}
	}
	//nolint:gosec // G202: a constant table name and placeholders; the values are bound
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+migrationsTable+` (version, applied_at) VALUES (`+s.placeholder(1)+`, `+s.placeholder(2)+`)`, version, time.Now().UTC()); err != nil {
		return false, fmt.Errorf("record migration %s: %w", version, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit migration %s: %w", version, err)
	}
	return true, nil
}

func (s *Store) placeholder(n int) string {
	if s.Dialect == dialect.Postgres {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}
