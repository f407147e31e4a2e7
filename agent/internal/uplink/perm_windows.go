//go:build windows

package uplink

import (
	"fmt"
	"os/exec"
	"syscall"
)

// restrictDir limits the state folder to SYSTEM and Administrators: under
// %ProgramData% every user can read by default, and mode bits mean nothing
// on Windows.
func restrictDir(dir string) error {
	cmd := exec.Command("icacls", dir, "/inheritance:r",
		"/grant:r", "*S-1-5-18:(OI)(CI)F", // SYSTEM
		"/grant:r", "*S-1-5-32-544:(OI)(CI)F", // Administrators
	)
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("restrict %s: %v: %s", dir, err, out)
	}
	return nil
}
