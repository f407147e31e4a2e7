//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly && !windows

package runner

import "errors"

// ErrAlreadyRunning is returned by Run when another `run` holds the state
// folder.
var ErrAlreadyRunning = errors.New("another wegweiser-agent run is already using this state folder")

func lockStateDir(string) (func(), error) { return func() {}, nil }
