package collector

import (
	"context"
	"io"
	"path/filepath"
	"testing"
)

// stubCommander answers Output from a map of program → output; programs
// not in it are absent.
type stubCommander map[string][]byte

func (s stubCommander) Output(_ context.Context, name string, _ ...string) ([]byte, error) {
	if b, ok := s[name]; ok {
		return b, nil
	}
	return nil, &CommandError{Command: name, ExitCode: 127}
}

func (s stubCommander) Stream(ctx context.Context, fn func(io.Reader) error, name string, args ...string) error {
	return nil
}

func (s stubCommander) LookPath(name string) string {
	if _, ok := s[name]; ok {
		return "/usr/sbin/" + name
	}
	return ""
}

func TestCollectSSHServer(t *testing.T) {
	ctx := context.Background()
	// sshd -T answers: its effective values win.
	env := &Env{Root: filepath.Join("testdata", "ssh"), Run: stubCommander{"sshd": fixture(t, "ssh/sshd-T.txt")}}
	s := collectSSHServer(ctx, env, true)
	if s == nil || s.Source != "sshd -T" || !s.Running || s.PermitRootLogin != "prohibit-password" {
		t.Errorf("with sshd -T: %v", s)
	}
	// No sshd on the PATH: the configuration files below Root.
	env = &Env{Root: filepath.Join("testdata", "ssh"), Run: stubCommander{}}
	s = collectSSHServer(ctx, env, false)
	if s == nil || s.Source != sshdConfigPath || s.Running || s.PermitRootLogin != "yes" || !s.PasswordAuthentication || len(s.ListenAddresses) != 1 {
		t.Errorf("from the files: %v", s)
	}
	// No configuration at all: no SSH server.
	env = &Env{Root: t.TempDir(), Run: stubCommander{}}
	if s := collectSSHServer(ctx, env, false); s != nil {
		t.Errorf("without sshd: %v", s)
	}
}

func TestXProtectPicksTheNewestDefinitions(t *testing.T) {
	env := &Env{Root: filepath.Join("testdata", "darwin-root")}
	av := xprotect(env)
	if av == nil || av.Name != "XProtect" || !av.Enabled || av.SignatureVersion != "5301" || av.SignatureTime == nil || av.UpToDateReported {
		t.Errorf("xprotect = %v", av)
	}
	if av := xprotect(&Env{Root: t.TempDir()}); av != nil {
		t.Errorf("no bundles: %v", av)
	}
}
