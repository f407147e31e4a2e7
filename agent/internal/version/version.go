// Package version holds the agent's version, set at build time with
//
//	-ldflags "-X github.com/wegweiser/wegweiser/agent/internal/version.Version=1.2.3"
package version

import "runtime"

// Version is the agent version reported to the server.
var Version = "0.1.0-dev"

// UserAgent is the HTTP User-Agent the agent sends.
func UserAgent() string {
	return "wegweiser-agent/" + Version + " (" + runtime.GOOS + "; " + runtime.GOARCH + ")"
}

// Platform is the OS family as the contract spells it: "windows", "macos"
// or "linux" (other Unix systems report their GOOS).
func Platform() string {
	return PlatformOf(runtime.GOOS)
}

// PlatformOf maps a GOOS value to the contract's platform name.
func PlatformOf(goos string) string {
	if goos == "darwin" {
		return "macos"
	}
	return goos
}
