package bypass_test

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/callsites.txt")

const (
	modPath    = "github.com/wegweiser/wegweiser"
	bypassPath = modPath + "/backend/internal/bypass"
	viewerPath = modPath + "/ent/viewer"
)

// privacyPaths are the packages whose DecisionContext skips the privacy
// rules.
var privacyPaths = []string{modPath + "/ent/privacy", "entgo.io/ent/privacy"}

// scan parses one Go file and returns its bypass call sites ("path<TAB>
// function<TAB>helper<TAB>reason") and its violations: direct uses of
// privacy.DecisionContext or viewer.System, and helper calls whose reason is
// not a string literal.
func scan(fset *token.FileSet, path string, src any) (sites, violations []string, err error) {
	f, err := parser.ParseFile(fset, path, src, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", path, err)
	}
	imports := map[string]string{} // local name -> path
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		if im.Name != nil {
			name = im.Name.Name
		}
		imports[name] = p
	}
	pkgOf := func(e ast.Expr) (string, string, bool) {
		sel, ok := e.(*ast.SelectorExpr)
		if !ok {
			return "", "", false
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok || id.Obj != nil { // a local variable, not a package
			return "", "", false
		}
		p, ok := imports[id.Name]
		return p, sel.Sel.Name, ok
	}
	calls := map[*ast.SelectorExpr]bool{}
	for _, d := range f.Decls {
		fn := "(package level)"
		if fd, ok := d.(*ast.FuncDecl); ok {
			fn = fd.Name.Name
			if fd.Recv != nil && len(fd.Recv.List) == 1 {
				t := fd.Recv.List[0].Type
				if st, ok := t.(*ast.StarExpr); ok {
					t = st.X
				}
				if id, ok := t.(*ast.Ident); ok {
					fn = id.Name + "." + fn
				}
			}
		}
		ast.Inspect(d, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				p, name, ok := pkgOf(n.Fun)
				if !ok || p != bypassPath {
					return true
				}
				calls[n.Fun.(*ast.SelectorExpr)] = true
				pos := fset.Position(n.Pos())
				if name == "Reason" {
					return true
				}
				lit, ok := n.Args[len(n.Args)-1].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					violations = append(violations, fmt.Sprintf("%s: bypass.%s with a reason that is not a string literal", pos, name))
					return true
				}
				reason, _ := strconv.Unquote(lit.Value)
				if strings.TrimSpace(reason) == "" {
					violations = append(violations, fmt.Sprintf("%s: bypass.%s without a reason", pos, name))
				}
				sites = append(sites, fmt.Sprintf("%s\t%s\t%s\t%s", path, fn, name, reason))
			case *ast.SelectorExpr:
				p, name, ok := pkgOf(n)
				if !ok {
					return true
				}
				pos := fset.Position(n.Pos())
				switch {
				case slices.Contains(privacyPaths, p) && name == "DecisionContext":
					violations = append(violations, fmt.Sprintf("%s: privacy.DecisionContext: use bypass.Allow with a reason", pos))
				case p == viewerPath && name == "System":
					violations = append(violations, fmt.Sprintf("%s: viewer.System: use bypass.AsTenant with a reason", pos))
				case p == bypassPath && name != "Reason" && !calls[n]:
					// Visited before its call? Calls are visited first
					// (CallExpr encloses its Fun), so this is a use as a
					// value, whose reason cannot be read.
					violations = append(violations, fmt.Sprintf("%s: bypass.%s used as a value", pos, name))
				}
			}
			return true
		})
	}
	return sites, violations, nil
}

// TestCallSites lists every bypass call under backend/ (outside tests) with
// its reason and compares the list with testdata/callsites.txt; a new or
// changed bypass must be added there (go test ./backend/internal/bypass
// -update), so it shows up in review. Direct uses of privacy.DecisionContext
// or viewer.System anywhere under backend/ (tests included) fail.
func TestCallSites(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var sites, violations []string
	err = filepath.WalkDir(filepath.Join(root, "backend"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "node_modules" || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "backend/internal/bypass/") {
			return nil
		}
		s, v, err := scan(fset, rel, readFile(t, path))
		if err != nil {
			return err
		}
		if !strings.HasSuffix(rel, "_test.go") {
			sites = append(sites, s...)
		}
		violations = append(violations, v...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range violations {
		t.Error(v)
	}
	if len(sites) < 20 {
		t.Fatalf("found only %d bypass call sites", len(sites))
	}
	slices.Sort(sites)
	got := strings.Join(sites, "\n") + "\n"
	const golden = "testdata/callsites.txt"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := string(readFile(t, golden))
	if got != want {
		wl := strings.Split(strings.TrimSuffix(want, "\n"), "\n")
		gl := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
		for _, l := range gl {
			if !slices.Contains(wl, l) {
				t.Errorf("new bypass not in %s: %s", golden, l)
			}
		}
		for _, l := range wl {
			if !slices.Contains(gl, l) {
				t.Errorf("bypass in %s no longer in the code: %s", golden, l)
			}
		}
		t.Errorf("the bypass call sites changed; review them and run go test ./backend/internal/bypass -update")
	}
}

// TestScanFindsDirectUses makes sure the scan catches what it must: direct
// uses of the privacy decision and of the system viewer, and reasons that
// are not literals.
func TestScanFindsDirectUses(t *testing.T) {
	src := `package x

import (
	"context"

	entprivacy "entgo.io/ent/privacy"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/ent/privacy"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

func direct(ctx context.Context, why string) {
	_ = privacy.DecisionContext(ctx, privacy.Allow)
	_ = entprivacy.DecisionContext(ctx, entprivacy.Allow)
	_ = viewer.NewContext(ctx, viewer.System(uuid.Nil))
	f := viewer.System
	_ = bypass.Allow(ctx, why)
	g := bypass.AsTenant
	_ = bypass.Allow(ctx, "sweep: list every tenant")
}
`
	sites, violations, err := scan(token.NewFileSet(), "x.go", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(violations) != 6 {
		t.Errorf("violations = %d, want 6:\n%s", len(violations), strings.Join(violations, "\n"))
	}
	if want := "x.go\tdirect\tAllow\tsweep: list every tenant"; len(sites) != 1 || sites[0] != want {
		t.Errorf("sites = %q, want [%q]", sites, want)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
