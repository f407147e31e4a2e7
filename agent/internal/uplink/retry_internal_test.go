package uplink

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30", 30 * time.Second, true},
		{" 1.5 ", 1500 * time.Millisecond, true},
		{now.Add(2 * time.Minute).Format(http.TimeFormat), 2 * time.Minute, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"-4", 0, false},
		{"soon", 0, false},
	}
	for _, c := range cases {
		got, ok := parseRetryAfter(c.in, now)
		if got != c.want || ok != c.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestDefaultStateDirPerOS(t *testing.T) {
	cases := map[string]string{
		"linux":   "/var/lib/wegweiser-agent",
		"darwin":  "/Library/Application Support/Wegweiser",
		"windows": `D:\PD\Wegweiser`,
	}
	for goos, want := range cases {
		if got := defaultStateDirFor(goos, `D:\PD`); got != want {
			t.Errorf("%s: %q, want %q", goos, got, want)
		}
	}
	if got := defaultStateDirFor("windows", ""); got != `C:\ProgramData\Wegweiser` {
		t.Errorf("windows without ProgramData: %q", got)
	}
}

func TestNormaliseServer(t *testing.T) {
	for in, want := range map[string]string{
		"wegweiser.example.com":       "https://wegweiser.example.com",
		"http://127.0.0.1:8080/":      "http://127.0.0.1:8080",
		" https://w.example.com/api/": "https://w.example.com/api",
	} {
		if got := NormaliseServer(in); got != want {
			t.Errorf("NormaliseServer(%q) = %q, want %q", in, got, want)
		}
	}
}
