//go:build !windows

package uplink

// restrictDir is a no-op where mode 0700 already keeps others out.
func restrictDir(string) error { return nil }
