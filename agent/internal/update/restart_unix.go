//go:build !windows

package update

import (
	"os"
	"syscall"
)

// Restart replaces the process with exe run with the same arguments and
// environment (the process id, and so the service manager's view, stays
// the same). It returns only on failure.
func Restart(exe string) error {
	//nolint:gosec // G702: the agent's own binary with its own arguments
	return syscall.Exec(exe, append([]string{exe}, os.Args[1:]...), os.Environ())
}

// RestartExitCode is the exit code that asks the service manager for a
// restart where the process cannot replace itself; unused on Unix.
const RestartExitCode = 75
