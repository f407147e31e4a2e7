package uplink

import (
	"fmt"
	"os"
	"path/filepath"
)

// tmpPrefix starts the name of every file still being written; such files
// are never read as spool entries and are cleaned up when stale.
const tmpPrefix = ".tmp-"

// WriteFileAtomic writes data to path so that a reader sees either the old
// file or the complete new one, never a part: it writes a temporary file in
// the same folder, syncs it, sets perm and renames it over path.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tmpPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp, err)
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	syncDir(dir)
	return nil
}

// syncDir makes a rename durable where the OS supports syncing a folder.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync() // not supported on every OS; best effort
	_ = d.Close()
}
