//go:build windows

package update

import "errors"

// Restart cannot replace a running process on Windows: it returns an
// error, and the caller exits with RestartExitCode so the scheduled task
// (restart on failure) starts the new binary.
func Restart(string) error {
	return errors.New("restart through the task scheduler")
}

// RestartExitCode is the exit code that asks the service manager for a
// restart: a failure, which the scheduled task restarts.
const RestartExitCode = 75
