package collector

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestParseSshdT(t *testing.T) {
	s := parseSshdT(fixture(t, "ssh/sshd-T.txt"))
	if s == nil {
		t.Fatal("no result")
	}
	// "without-password" is the old name of prohibit-password.
	if s.PermitRootLogin != "prohibit-password" || !s.PasswordAuthentication || s.KbdInteractiveAuthentication || !s.UsePam || s.Source != "sshd -T" {
		t.Errorf("sshd -T = %v", s)
	}
	if !slices.Equal(s.ListenAddresses, []string{"[::]:22", "0.0.0.0:22"}) {
		t.Errorf("listen addresses = %v", s.ListenAddresses)
	}
	if parseSshdT([]byte("sshd: no hostkeys available -- exiting.\n")) != nil {
		t.Error("an error message parsed as a configuration")
	}
}

func TestParseSshdConfig(t *testing.T) {
	root := filepath.Join("testdata", "ssh")
	read := func(p string) ([]byte, error) { return os.ReadFile(filepath.Join(root, p)) }
	glob := func(p string) []string {
		ms, _ := filepath.Glob(filepath.Join(root, p))
		var out []string
		for _, m := range ms {
			rel, _ := filepath.Rel(root, m)
			out = append(out, "/"+filepath.ToSlash(rel))
		}
		return out
	}
	s := parseSshdConfig(read, glob)
	if s == nil {
		t.Fatal("no result")
	}
	// The Include comes first, so cloud-init's "PasswordAuthentication yes"
	// wins over the main file's "no" (sshd uses the first value); the
	// Match block does not count.
	if s.PermitRootLogin != "yes" || !s.PasswordAuthentication || s.KbdInteractiveAuthentication || !s.UsePam || s.Source != sshdConfigPath {
		t.Errorf("sshd_config = %v", s)
	}
	if !slices.Equal(s.ListenAddresses, []string{"10.0.0.5"}) {
		t.Errorf("listen addresses = %v", s.ListenAddresses)
	}
	// Defaults when the file sets nothing.
	s = parseSshdConfig(func(string) ([]byte, error) { return []byte("# empty\n"), nil }, func(string) []string { return nil })
	if s.PermitRootLogin != "prohibit-password" || !s.PasswordAuthentication || !s.KbdInteractiveAuthentication || s.UsePam {
		t.Errorf("defaults = %v", s)
	}
	// No configuration file: no SSH server.
	if s := parseSshdConfig(func(string) ([]byte, error) { return nil, os.ErrNotExist }, glob); s != nil {
		t.Errorf("missing file = %v", s)
	}
}
