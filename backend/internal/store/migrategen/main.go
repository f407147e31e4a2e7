// Command migrategen writes a new versioned migration for each dialect from
// the difference between the committed migrations and the ent schema. It
// needs a PostgreSQL server to replay and diff against:
//
//	go run ./backend/internal/store/migrategen -name add_widgets -postgres postgres://127.0.0.1:5432/postgres
//
// After merging branches that each added a migration, keep both files and
// recompute the checksums with -rehash.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
)

func main() {
	name := flag.String("name", "", "migration name, e.g. add_widgets")
	pg := flag.String("postgres", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL server to create a scratch database on")
	out := flag.String("dir", "backend/internal/store/migrations", "migrations directory")
	rehash := flag.Bool("rehash", false, "only recompute atlas.sum of each dialect (after merging migrations from two branches)")
	flag.Parse()
	if *rehash {
		for _, d := range []string{"postgres", "sqlite"} {
			if err := rehashDir(filepath.Join(*out, d)); err != nil {
				log.Fatalf("%s: %v", d, err)
			}
		}
		return
	}
	if *name == "" {
		log.Fatal("-name is required")
	}
	ctx := context.Background()
	if err := genPostgres(ctx, *pg, filepath.Join(*out, "postgres"), *name); err != nil {
		log.Fatalf("postgres: %v", err)
	}
	if err := genSQLite(ctx, filepath.Join(*out, "sqlite"), *name); err != nil {
		log.Fatalf("sqlite: %v", err)
	}
}

// rehashDir writes the atlas.sum of a migrations directory anew.
func rehashDir(dirPath string) error {
	dir, err := migrate.NewLocalDir(dirPath)
	if err != nil {
		return err
	}
	sum, err := dir.Checksum()
	if err != nil {
		return err
	}
	return migrate.WriteSumFile(dir, sum)
}

func diff(ctx context.Context, drv *entsql.Driver, d, dirPath, name string) error {
	dir, err := migrate.NewLocalDir(dirPath)
	if err != nil {
		return err
	}
	client := ent.NewClient(ent.Driver(drv))
	return client.Schema.NamedDiff(ctx, name,
		schema.WithDir(dir),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(d),
		schema.WithFormatter(migrate.DefaultFormatter),
	)
}

func genPostgres(ctx context.Context, server, dirPath, name string) error {
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return err
	}
	defer func() { _ = admin.Close() }()
	scratch := fmt.Sprintf("wegweiser_migrategen_%d", time.Now().UnixNano())
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+scratch); err != nil {
		return err
	}
	defer func() { _, _ = admin.ExecContext(context.Background(), "DROP DATABASE "+scratch+" WITH (FORCE)") }()
	u, err := store.WithDatabase(server, scratch)
	if err != nil {
		return err
	}
	db, err := sql.Open("pgx", u)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	return diff(ctx, entsql.OpenDB(dialect.Postgres, db), dialect.Postgres, dirPath, name)
}

func genSQLite(ctx context.Context, dirPath, name string) error {
	tmp, err := os.MkdirTemp("", "migrategen")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	db, err := sql.Open("sqlite", store.SQLiteDSN(filepath.Join(tmp, "dev.db")))
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	return diff(ctx, entsql.OpenDB(dialect.SQLite, db), dialect.SQLite, dirPath, name)
}
