// Package redistest runs a throwaway redis-server that a test starts and
// stops itself (to see what the code does while Redis is down and after it
// is back). Tests skip when redis-server is not installed, unless
// WEGWEISER_TEST_REQUIRE_POSTGRES=1 (the full run), where they fail.
package redistest

import (
	"net"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Server is a redis-server on a spare loopback port, not running until Start.
type Server struct {
	// Addr is host:port of the server.
	Addr string
	bin  string
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
}

// New picks a spare port for a Redis that is not started yet; it is
// stopped when the test ends.
func New(t *testing.T) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("WEGWEISER_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal("redis-server is not installed but the full test run needs it (scripts/services.sh redis installs it)")
		}
		t.Skip("redis-server is not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	s := &Server{Addr: addr, bin: bin, dir: t.TempDir()}
	t.Cleanup(func() { s.Stop(t) })
	return s
}

// URL is the redis:// URL of the server.
func (s *Server) URL() string { return "redis://" + s.Addr + "/0" }

// Start runs the server and waits until it accepts connections.
func (s *Server) Start(t *testing.T) {
	t.Helper()
	if s.cmd != nil {
		t.Fatal("redis-server already running")
	}
	_, port, _ := net.SplitHostPort(s.Addr)
	cmd := exec.Command(s.bin, "--bind", "127.0.0.1", "--port", port, "--save", "", "--appendonly", "no",
		"--dir", s.dir, "--logfile", "")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			_ = c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not come up: %v", s.Addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop ends the server (if running) and waits for it to exit.
func (s *Server) Stop(t *testing.T) {
	t.Helper()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Errorf("redis-server (pid %d) did not exit", s.cmd.Process.Pid)
	}
	s.cmd = nil
}
