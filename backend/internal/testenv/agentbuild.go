package testenv

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// BuildAgent builds the endpoint agent for this machine with version
// baked in (as `make agent` does) into path. The Go build cache makes
// repeated builds cheap.
func BuildAgent(t *testing.T, path, version string) {
	t.Helper()
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	cmd := exec.Command("go", "build", "-trimpath",
		"-ldflags", "-X github.com/wegweiser/wegweiser/agent/internal/version.Version="+version,
		"-o", path, "./agent/cmd/wegweiser-agent")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the agent: %v\n%s", err, b)
	}
}
