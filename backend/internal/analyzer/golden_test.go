package analyzer

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current analyzer")

// goldenNow is the fixed analysis time of the corpus.
var goldenNow = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// corpusEntry is one fixture of testdata/corpus.json: the snapshot file
// testdata/<name>.snapshot.json and the input facts beside it.
type corpusEntry struct {
	Name       string    `json:"name"`
	Server     bool      `json:"server"`
	ReceivedAt time.Time `json:"received_at"`
}

func loadCorpus(t testing.TB) []corpusEntry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "corpus.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c []corpusEntry
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if len(c) < 8 {
		t.Fatalf("corpus has %d fixtures, want at least 8", len(c))
	}
	return c
}

func loadSnapshot(t testing.TB, name string) *agentv1.Snapshot {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := &agentv1.Snapshot{}
	if err := protojson.Unmarshal(b, s); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

func inputFor(t testing.TB, e corpusEntry) Input {
	return Input{Snapshot: loadSnapshot(t, e.Name), Now: goldenNow, Server: e.Server, ReceivedAt: e.ReceivedAt}
}

func encode(t testing.TB, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestGolden analyses every fixture and compares the result with its golden
// file byte for byte. Run with -update to rewrite the goldens, then review
// the diff.
func TestGolden(t *testing.T) {
	// The catalogue itself is a golden too: a threshold, severity or source
	// change shows up in review.
	t.Run("catalogue", func(t *testing.T) {
		compareGolden(t, filepath.Join("testdata", "catalogue.golden.json"), encode(t, Catalogue()))
	})
	for _, e := range loadCorpus(t) {
		t.Run(e.Name, func(t *testing.T) {
			r, err := Analyze(inputFor(t, e), Policy{})
			if err != nil {
				t.Fatal(err)
			}
			compareGolden(t, filepath.Join("testdata", e.Name+".golden.json"), encode(t, r))
		})
	}
}

// compareGolden compares got with the file at path, or rewrites it with
// -update.
func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("result differs from %s (run with -update and review the diff):\n%s", path, firstDiff(want, got))
	}
}

// firstDiff shows the first differing line.
func firstDiff(want, got []byte) string {
	wl, gl := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return "line " + itoa(i+1) + ":\n  want: " + string(w) + "\n  got:  " + string(g)
		}
	}
	return "(no line differs)"
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
