//go:build windows

package runner

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"
)

// ErrAlreadyRunning is returned by Run when another `run` holds the state
// folder.
var ErrAlreadyRunning = errors.New("another wegweiser-agent run is already using this state folder")

// lockStateDir opens run.lock without sharing; Windows releases it when
// the process ends.
func lockStateDir(dir string) (func(), error) {
	name, err := syscall.UTF16PtrFromString(filepath.Join(dir, "run.lock"))
	if err != nil {
		return nil, err
	}
	h, err := syscall.CreateFile(name, syscall.GENERIC_READ|syscall.GENERIC_WRITE, 0, nil,
		syscall.OPEN_ALWAYS, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		if errors.Is(err, syscall.Errno(32)) { // ERROR_SHARING_VIOLATION
			return nil, ErrAlreadyRunning
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return func() { _ = syscall.CloseHandle(h) }, nil
}
