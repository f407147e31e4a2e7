package collector

import (
	"bufio"
	"bytes"
	"strings"
	"time"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// Failed logons. Agents report them as event-log groups of level "warning"
// (an audit failure, whatever priority the OS logged it at), one group per
// log, source and remote address, so the server can tell brute force from
// one address apart from scattered typing mistakes:
//
//   - Linux: sshd "Failed password/publickey/keyboard-interactive for …
//     from ADDR" at any priority (sshd logs them at info), and PAM
//     "authentication failure; … rhost=ADDR" from sudo, su, login and
//     display managers; from the journal, else /var/log/auth.log or
//     /var/log/secure. sshd's own PAM line for the same attempt is left out,
//     so one attempt counts once.
//   - Windows: Security log event 4625 with its IpAddress.
//   - macOS: the unified log's sshd failures and authd / opendirectoryd
//     "Failed to authenticate" (local logons, no address).

// authLogSources are the programs whose failed logons are read at any
// priority (journalctl -t).
var authLogSources = []string{"sshd", "sshd-session", "sshd-auth", "sudo", "su", "login", "gdm-password", "lightdm", "sddm", "cockpit-session"}

// authFailure reports whether a log message of source records a failed
// logon, and the remote address it came from ("" when local or not
// logged).
func authFailure(source, msg string) (addr string, ok bool) {
	src := strings.ToLower(source)
	m := strings.TrimSpace(msg)
	switch {
	case strings.HasPrefix(src, "sshd"):
		for _, p := range []string{"Failed password for ", "Failed publickey for ", "Failed keyboard-interactive", "Failed none for "} {
			if strings.HasPrefix(m, p) {
				return wordAfter(m, " from "), true
			}
		}
		return "", false
	case src == "authd" || src == "opendirectoryd" || src == "loginwindow" || src == "securityagent":
		return "", strings.Contains(strings.ToLower(m), "failed to authenticate")
	}
	if strings.Contains(m, "(") && strings.Contains(m, ":auth): authentication failure") {
		// "rhost=" is often empty ("rhost=  user=bob").
		if i := strings.Index(m, "rhost="); i >= 0 {
			h, _, _ := strings.Cut(m[i+len("rhost="):], " ")
			return strings.TrimSpace(h), true
		}
		return "", true
	}
	return "", false
}

// wordAfter returns the word after the first key in s ("" when none, or
// when it is "-").
func wordAfter(s, key string) string {
	i := strings.Index(s, key)
	if i < 0 {
		return ""
	}
	w := strings.TrimSpace(s[i+len(key):])
	if j := strings.IndexAny(w, " \t,;"); j >= 0 {
		w = w[:j]
	}
	if w == "-" {
		return ""
	}
	return w
}

// parseAuthLog reads a syslog auth file (/var/log/auth.log on Debian and
// Ubuntu, /var/log/secure on Red Hat and SUSE) and groups the failed
// logons logged at or after since. Lines carry an RFC 3339 time (rsyslog's
// default on current distributions) or the traditional "Jun 20 10:00:01"
// without a year, which is taken from now (the previous year when that
// would put the line more than a day in the future).
func parseAuthLog(b []byte, since, now time.Time) []*agentv1.EventLogGroup {
	g := newEventGroups()
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		t, rest, ok := syslogTime(sc.Text(), now)
		if !ok || t.Before(since) {
			continue
		}
		// rest: "host program[pid]: message"
		_, rest, _ = strings.Cut(rest, " ")
		prog, msg, ok := strings.Cut(rest, ": ")
		if !ok {
			continue
		}
		if i := strings.IndexByte(prog, '['); i >= 0 {
			prog = prog[:i]
		}
		if addr, failed := authFailure(prog, msg); failed {
			g.addFrom("auth", prog, 0, "warning", addr, t.UTC(), msg)
		}
	}
	return g.list(maxEventGroups)
}

// syslogTime parses the time at the start of a syslog line and returns the
// rest of the line.
func syslogTime(line string, now time.Time) (time.Time, string, bool) {
	if first, rest, ok := strings.Cut(line, " "); ok && len(first) >= 19 && first[4] == '-' {
		if t, err := time.Parse(time.RFC3339Nano, first); err == nil {
			return t, rest, true
		}
	}
	if len(line) < 16 {
		return time.Time{}, "", false
	}
	t, err := time.ParseInLocation("Jan _2 15:04:05", line[:15], now.Location())
	if err != nil {
		return time.Time{}, "", false
	}
	t = t.AddDate(now.Year(), 0, 0)
	if t.After(now.Add(24 * time.Hour)) {
		t = t.AddDate(-1, 0, 0)
	}
	return t, line[16:], true
}

// isOOMKillMessage reports whether a kernel message records a process
// killed by the out-of-memory killer ("Out of memory: Killed process …",
// "Memory cgroup out of memory: Killed process …").
func isOOMKillMessage(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "out of memory") && strings.Contains(m, "killed process")
}
