package uplink

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"google.golang.org/protobuf/proto"
)

// DefaultSpoolMaxBytes is the spool's default size cap (50 MB).
const DefaultSpoolMaxBytes int64 = 50 << 20

const (
	spoolExt        = ".pb"
	spoolMeta       = "meta.json"
	quarantineDir   = "quarantine"
	rejectedDir     = "rejected"
	keepQuarantined = 20
	staleTmpAge     = 10 * time.Minute
)

// ErrCorrupt is returned by Load for a spool file that does not hold a
// snapshot. The file has been moved to spool/quarantine.
var ErrCorrupt = errors.New("corrupt spool file")

// ErrTooLarge is returned by Put for a snapshot larger than the whole cap.
var ErrTooLarge = errors.New("snapshot is larger than the spool cap")

// Spool keeps snapshots on disk until the server acknowledges them: one
// file per snapshot (protobuf binary), named by a persistent sequence
// number so that they replay oldest first. Writes are atomic (temporary
// file, then rename). When the files together exceed the cap, the oldest
// are deleted and a persistent counter of dropped snapshots goes up.
//
// Several processes may share a spool (a `once` beside `run`): the worst
// they can do is submit a snapshot twice, which the server deduplicates
// by snapshot id.
type Spool struct {
	dir      string
	maxBytes int64
	log      *slog.Logger

	mu   sync.Mutex
	meta spoolMetaFile
}

type spoolMetaFile struct {
	NextSeq uint64 `json:"next_seq"`
	Dropped int64  `json:"dropped"`
}

// Entry is one spooled snapshot.
type Entry struct {
	// Name is the file name inside the spool folder.
	Name string
	// Seq orders entries; smaller is older.
	Seq uint64
	// SnapshotID is the snapshot's id, from the file name.
	SnapshotID string
	// Size is the file size in bytes.
	Size int64
}

// OpenSpool opens (creating if needed) the spool in dir with a size cap.
// maxBytes ≤ 0 means DefaultSpoolMaxBytes.
func OpenSpool(dir string, maxBytes int64, log *slog.Logger) (*Spool, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultSpoolMaxBytes
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	s := &Spool{dir: dir, maxBytes: maxBytes, log: log}
	if b, err := os.ReadFile(filepath.Join(dir, spoolMeta)); err == nil {
		if jerr := json.Unmarshal(b, &s.meta); jerr != nil {
			log.Warn("spool counter file is corrupt; starting the counters again", "err", jerr)
			s.meta = spoolMetaFile{}
		}
	}
	entries, err := s.entries(true)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.Seq >= s.meta.NextSeq {
			s.meta.NextSeq = e.Seq + 1
		}
	}
	return s, nil
}

// Dir is the spool folder.
func (s *Spool) Dir() string { return s.dir }

// MaxBytes is the size cap.
func (s *Spool) MaxBytes() int64 { return s.maxBytes }

// Dropped is how many snapshots the cap has pushed out, ever.
func (s *Spool) Dropped() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.meta.Dropped
}

// Put stores a snapshot and then enforces the cap, deleting the oldest
// entries (never the new one). It returns how many were dropped.
func (s *Spool) Put(snap *agentv1.Snapshot) (int, error) {
	if snap.GetSnapshotId() == "" {
		return 0, errors.New("snapshot has no id")
	}
	if !validID(snap.GetSnapshotId()) {
		return 0, fmt.Errorf("snapshot id %q is not a file-safe id", snap.GetSnapshotId())
	}
	b, err := proto.Marshal(snap)
	if err != nil {
		return 0, err
	}
	if int64(len(b)) > s.maxBytes {
		return 0, fmt.Errorf("%w (%d > %d bytes)", ErrTooLarge, len(b), s.maxBytes)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	seq := s.meta.NextSeq
	s.meta.NextSeq++
	if err := s.saveMeta(); err != nil {
		return 0, err
	}
	name := fmt.Sprintf("%020d-%s%s", seq, snap.GetSnapshotId(), spoolExt)
	if err := WriteFileAtomic(filepath.Join(s.dir, name), b, 0o600); err != nil {
		return 0, err
	}
	return s.trim(name)
}

// trim deletes the oldest entries until the spool fits its cap, keeping
// the entry named keep. Called with mu held.
func (s *Spool) trim(keep string) (int, error) {
	entries, err := s.entries(false)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, e := range entries {
		total += e.Size
	}
	dropped := 0
	for _, e := range entries {
		if total <= s.maxBytes {
			break
		}
		if e.Name == keep {
			continue
		}
		if err := os.Remove(filepath.Join(s.dir, e.Name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return dropped, err
		}
		total -= e.Size
		dropped++
		s.meta.Dropped++
		s.log.Warn("spool full: dropped the oldest snapshot", "snapshot_id", e.SnapshotID, "dropped_total", s.meta.Dropped)
	}
	if dropped > 0 {
		return dropped, s.saveMeta()
	}
	return 0, nil
}

func (s *Spool) saveMeta() error {
	b, err := json.Marshal(s.meta)
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(s.dir, spoolMeta), b, 0o600)
}

// Entries lists spooled snapshots, oldest first.
func (s *Spool) Entries() ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.entries(false)
}

// Stats returns the number of spooled snapshots and their total size.
func (s *Spool) Stats() (int, int64, error) {
	es, err := s.Entries()
	if err != nil {
		return 0, 0, err
	}
	var n int64
	for _, e := range es {
		n += e.Size
	}
	return len(es), n, nil
}

// entries lists the spool folder. With clean, stale temporary files from
// an interrupted write are removed.
func (s *Spool) entries(clean bool) ([]Entry, error) {
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, de := range des {
		name := de.Name()
		if de.IsDir() {
			continue
		}
		if strings.HasPrefix(name, tmpPrefix) {
			if clean {
				if info, err := de.Info(); err == nil && time.Since(info.ModTime()) > staleTmpAge {
					_ = os.Remove(filepath.Join(s.dir, name))
				}
			}
			continue
		}
		e, ok := parseEntryName(name)
		if !ok {
			continue
		}
		info, err := de.Info()
		if err != nil {
			continue // removed meanwhile
		}
		e.Size = info.Size()
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Entry) int {
		switch {
		case a.Seq < b.Seq:
			return -1
		case a.Seq > b.Seq:
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

func parseEntryName(name string) (Entry, bool) {
	base, ok := strings.CutSuffix(name, spoolExt)
	if !ok {
		return Entry{}, false
	}
	seqStr, id, ok := strings.Cut(base, "-")
	if !ok || id == "" {
		return Entry{}, false
	}
	seq, err := strconv.ParseUint(seqStr, 10, 64)
	if err != nil {
		return Entry{}, false
	}
	return Entry{Name: name, Seq: seq, SnapshotID: id}, true
}

func validID(id string) bool {
	if len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// Load reads a spooled snapshot. A file that does not decode, or whose
// snapshot id does not match its name, is moved to spool/quarantine and
// ErrCorrupt is returned; the caller goes on with the next entry.
func (s *Spool) Load(e Entry) (*agentv1.Snapshot, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, e.Name))
	if err != nil {
		return nil, err
	}
	var snap agentv1.Snapshot
	if err := proto.Unmarshal(b, &snap); err != nil || snap.GetSnapshotId() != e.SnapshotID {
		if err == nil {
			err = fmt.Errorf("snapshot id %q does not match the file name", snap.GetSnapshotId())
		}
		s.log.Warn("quarantined a corrupt spool file", "file", e.Name, "err", err)
		if qerr := s.moveAside(e, quarantineDir); qerr != nil {
			return nil, errors.Join(ErrCorrupt, qerr)
		}
		return nil, fmt.Errorf("%w %s: %v", ErrCorrupt, e.Name, err)
	}
	return &snap, nil
}

// Remove deletes an acknowledged entry. Removing an entry that is already
// gone is not an error.
func (s *Spool) Remove(e Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := os.Remove(filepath.Join(s.dir, e.Name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Reject moves an entry the server refused as malformed to spool/rejected,
// so that it no longer blocks the ones behind it.
func (s *Spool) Reject(e Entry) error { return s.moveAside(e, rejectedDir) }

// moveAside moves an entry into a sub-folder that keeps only the newest
// few files.
func (s *Spool) moveAside(e Entry, sub string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dst := filepath.Join(s.dir, sub)
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(s.dir, e.Name), filepath.Join(dst, e.Name)); err != nil {
		return err
	}
	des, err := os.ReadDir(dst)
	if err != nil {
		return nil
	}
	for i := 0; i < len(des)-keepQuarantined; i++ { // names sort oldest first
		_ = os.Remove(filepath.Join(dst, des[i].Name()))
	}
	return nil
}
