package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	atlas "ariga.io/atlas/sql/schema"
	"entgo.io/ent/dialect/sql/schema"

	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
)

// TestMigrationsMatchSchema applies the committed migrations to an empty
// database and asks ent for the changes that would bring it to the current
// schema: there must be none. A schema change without a migration (make
// migration NAME=...) fails here, on both dialects.
func TestMigrationsMatchSchema(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		var pending []string
		err := st.Ent.Schema.Create(ctx,
			schema.WithDropColumn(true),
			schema.WithDropIndex(true),
			schema.WithDiffHook(func(next schema.Differ) schema.Differ {
				return schema.DiffFunc(func(current, desired *atlas.Schema) ([]atlas.Change, error) {
					changes, err := next.Diff(current, desired)
					if err != nil {
						return nil, err
					}
					for _, c := range changes {
						if d, ok := c.(*atlas.DropTable); ok && !isEntTable(d.T.Name) {
							continue // tables ent does not own (migrations bookkeeping, job queue)
						}
						pending = append(pending, describe(c))
					}
					return nil, nil // never apply anything
				})
			}),
		)
		if err != nil {
			t.Fatalf("diff: %v", err)
		}
		if len(pending) > 0 {
			t.Fatalf("the %s migrations in backend/internal/store/migrations differ from the ent schema; run `make migration NAME=<change>`:\n  %s",
				st.Dialect, strings.Join(pending, "\n  "))
		}
	})
}

func isEntTable(name string) bool {
	return !strings.HasPrefix(name, "wegweiser_schema_migrations") && !strings.HasPrefix(name, "river_")
}

func describe(c atlas.Change) string {
	switch c := c.(type) {
	case *atlas.AddTable:
		return "add table " + c.T.Name
	case *atlas.DropTable:
		return "drop table " + c.T.Name
	case *atlas.ModifyTable:
		var parts []string
		for _, cc := range c.Changes {
			parts = append(parts, fmt.Sprintf("%T", cc))
		}
		return "modify table " + c.T.Name + ": " + strings.Join(parts, ", ")
	default:
		return fmt.Sprintf("%T", c)
	}
}

// TestMigrateIsIdempotent runs the migrations twice: the second run applies
// nothing.
func TestMigrateIsIdempotent(t *testing.T) {
	for _, d := range testenv.Dialects {
		t.Run(d, func(t *testing.T) {
			st := testenv.OpenEmpty(t, d)
			ctx := context.Background()
			first, err := st.Migrate(ctx)
			if err != nil {
				t.Fatalf("first migrate: %v", err)
			}
			if len(first) == 0 {
				t.Fatal("first migrate applied nothing")
			}
			second, err := st.Migrate(ctx)
			if err != nil {
				t.Fatalf("second migrate: %v", err)
			}
			if len(second) != 0 {
				t.Fatalf("second migrate applied %v", second)
			}
		})
	}
}

// TestMigrationDirChecksums makes sure the embedded migrations carry a
// valid atlas.sum for both dialects, so an edited file is caught.
func TestMigrationDirChecksums(t *testing.T) {
	for _, d := range testenv.Dialects {
		if _, err := store.MigrationDir(d); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
}

// TestMigrationDirConcurrent loads the migrations from many goroutines at
// once, as parallel servers and tests do: each call must get a directory of
// its own (a shared one fails with a concurrent map write).
func TestMigrationDirConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dir, err := store.MigrationDir(testenv.Dialects[i%len(testenv.Dialects)])
			if err != nil {
				errs <- err
				return
			}
			if files, err := dir.Files(); err != nil || len(files) == 0 {
				errs <- fmt.Errorf("files: %d, %v", len(files), err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
