package uplink

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"google.golang.org/protobuf/proto"
)

// snap makes a snapshot of roughly size bytes when marshalled.
func snap(id string, size int) *agentv1.Snapshot {
	return &agentv1.Snapshot{
		SnapshotId:   id,
		AgentVersion: "test",
		Software:     []*agentv1.InstalledSoftware{{Name: "pad", Version: strings.Repeat("x", max(size-60, 0))}},
	}
}

func ids(t *testing.T, s *Spool) []string {
	t.Helper()
	es, err := s.Entries()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.SnapshotID)
	}
	return out
}

func TestSpoolReplaysInOrderAndRoundTrips(t *testing.T) {
	s, err := OpenSpool(t.TempDir(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"c", "a", "b", "e", "d"} // insertion order, not name order
	for _, id := range want {
		if _, err := s.Put(snap(id, 100)); err != nil {
			t.Fatal(err)
		}
	}
	if got := ids(t, s); !slices.Equal(got, want) {
		t.Fatalf("entries = %v, want %v", got, want)
	}
	es, _ := s.Entries()
	got, err := s.Load(es[1])
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(got, snap("a", 100)) {
		t.Fatalf("loaded snapshot differs: %v", got)
	}
}

func TestSpoolCapDropsOldestAndCountsPersistently(t *testing.T) {
	dir := t.TempDir()
	one := int64(proto.Size(snap("00", 1000)))
	s, err := OpenSpool(dir, 3*one+one/2, nil) // room for three
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i := range 7 {
		n, err := s.Put(snap(string(rune('a'+i))+"0", 1000))
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if got, want := ids(t, s), []string{"e0", "f0", "g0"}; !slices.Equal(got, want) {
		t.Fatalf("after overflow entries = %v, want the newest %v", got, want)
	}
	if total != 4 || s.Dropped() != 4 {
		t.Fatalf("dropped = %d (returned %d), want 4", s.Dropped(), total)
	}
	_, bytes, _ := s.Stats()
	if bytes > s.MaxBytes() {
		t.Fatalf("spool holds %d bytes, over its cap %d", bytes, s.MaxBytes())
	}

	// The counter and the order survive a restart.
	s2, err := OpenSpool(dir, 3*one+one/2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Dropped() != 4 {
		t.Fatalf("dropped after reopen = %d, want 4", s2.Dropped())
	}
	if _, err := s2.Put(snap("h0", 1000)); err != nil {
		t.Fatal(err)
	}
	if got, want := ids(t, s2), []string{"f0", "g0", "h0"}; !slices.Equal(got, want) {
		t.Fatalf("after reopen entries = %v, want %v", got, want)
	}
	if s2.Dropped() != 5 {
		t.Fatalf("dropped = %d, want 5", s2.Dropped())
	}
}

func TestSpoolOrderSurvivesLostCounterFile(t *testing.T) {
	dir := t.TempDir()
	s, _ := OpenSpool(dir, 0, nil)
	for _, id := range []string{"a", "b", "c"} {
		if _, err := s.Put(snap(id, 50)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, spoolMeta), []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := OpenSpool(dir, 0, nil)
	if err != nil {
		t.Fatalf("a corrupt counter file must not be fatal: %v", err)
	}
	if _, err := s2.Put(snap("z", 50)); err != nil {
		t.Fatal(err)
	}
	if got, want := ids(t, s2), []string{"a", "b", "c", "z"}; !slices.Equal(got, want) {
		t.Fatalf("entries = %v, want %v", got, want)
	}
}

func TestSpoolWritesAreAtomic(t *testing.T) {
	dir := t.TempDir()
	s, _ := OpenSpool(dir, 0, nil)
	if _, err := s.Put(snap("a", 100)); err != nil {
		t.Fatal(err)
	}
	// A write interrupted by a crash leaves only a temporary file, which is
	// never taken for a snapshot, and is cleaned up once stale.
	partial := filepath.Join(dir, tmpPrefix+"00000000000000000009-b.pb-123")
	if err := os.WriteFile(partial, []byte{0x0a, 0x05, 'b'}, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, s); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("entries = %v, want [a]: a temporary file was listed", got)
	}
	old := time.Now().Add(-time.Hour)
	_ = os.Chtimes(partial, old, old)
	if _, err := OpenSpool(dir, 0, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(partial); !os.IsNotExist(err) {
		t.Fatalf("stale temporary file was not removed: %v", err)
	}
	des, _ := os.ReadDir(dir)
	for _, de := range des {
		if strings.HasPrefix(de.Name(), tmpPrefix) {
			t.Fatalf("a completed write left %s behind", de.Name())
		}
		info, _ := de.Info()
		if !de.IsDir() && info.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %v, want 0600", de.Name(), info.Mode().Perm())
		}
	}
}

func TestSpoolQuarantinesCorruptFile(t *testing.T) {
	dir := t.TempDir()
	s, _ := OpenSpool(dir, 0, nil)
	if _, err := s.Put(snap("a", 100)); err != nil {
		t.Fatal(err)
	}
	bad := "00000000000000000000-0bad.pb" // sorts first
	if err := os.WriteFile(filepath.Join(dir, bad), []byte("\xff\xff\xff not protobuf"), 0o600); err != nil {
		t.Fatal(err)
	}
	es, _ := s.Entries()
	if len(es) != 2 || es[0].Name != bad {
		t.Fatalf("entries = %+v", es)
	}
	if _, err := s.Load(es[0]); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Load(corrupt) = %v, want ErrCorrupt", err)
	}
	if _, err := os.Stat(filepath.Join(dir, quarantineDir, bad)); err != nil {
		t.Fatalf("corrupt file not in quarantine: %v", err)
	}
	if got := ids(t, s); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("entries after quarantine = %v", got)
	}
}

func TestSpoolRefusesSnapshotLargerThanCap(t *testing.T) {
	s, _ := OpenSpool(t.TempDir(), 500, nil)
	if _, err := s.Put(snap("big", 2000)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Put = %v, want ErrTooLarge", err)
	}
	if _, err := s.Put(&agentv1.Snapshot{SnapshotId: "../escape"}); err == nil {
		t.Fatal("an id with a path separator was accepted")
	}
}
