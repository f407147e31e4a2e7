package collector

// SSH server configuration (Linux and macOS): the effective values from
// `sshd -T` when it runs, else sshd_config read with its Include files.

import (
	"context"
	"path"
	"path/filepath"
	"sort"
	"strings"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// sshdConfigPath is the OpenSSH server configuration on Linux and macOS.
const sshdConfigPath = "/etc/ssh/sshd_config"

// sshdValues are the keywords the server check reads, lower-case.
var sshdValues = []string{"permitrootlogin", "passwordauthentication", "kbdinteractiveauthentication",
	"challengeresponseauthentication", "usepam", "listenaddress"}

// sshFromValues builds the contract message from keyword → values, filling
// in OpenSSH's compiled-in defaults for keywords not set.
func sshFromValues(v map[string][]string, source string) *agentv1.SshServer {
	first := func(k, def string) string {
		if xs := v[k]; len(xs) > 0 {
			return strings.ToLower(xs[0])
		}
		return def
	}
	s := &agentv1.SshServer{Source: source}
	// OpenSSH 7.0 and later default to prohibit-password; sshd -T prints
	// the old name "without-password" on some versions.
	s.PermitRootLogin = first("permitrootlogin", "prohibit-password")
	if s.PermitRootLogin == "without-password" {
		s.PermitRootLogin = "prohibit-password"
	}
	s.PasswordAuthentication = first("passwordauthentication", "yes") == "yes"
	kbd := first("kbdinteractiveauthentication", first("challengeresponseauthentication", "yes"))
	s.KbdInteractiveAuthentication = kbd == "yes"
	s.UsePam = first("usepam", "no") == "yes"
	for _, a := range v["listenaddress"] {
		s.ListenAddresses = append(s.ListenAddresses, a)
	}
	return s
}

// parseSshdT reads `sshd -T`: one "keyword value" line per setting, with
// keywords in lower case and every effective value listed.
func parseSshdT(b []byte) *agentv1.SshServer {
	v := map[string][]string{}
	for _, l := range lines(b) {
		k, val, ok := strings.Cut(strings.TrimSpace(l), " ")
		if !ok {
			continue
		}
		k = strings.ToLower(k)
		for _, want := range sshdValues {
			if k == want {
				v[k] = append(v[k], strings.TrimSpace(val))
			}
		}
	}
	if len(v) == 0 {
		return nil
	}
	return sshFromValues(v, "sshd -T")
}

// parseSshdConfig reads sshd_config as sshd does, kept simple: the first
// value of a keyword wins, Include lines are followed (globs, relative
// paths below /etc/ssh) where they stand, and settings inside Match blocks
// are ignored (they apply to some connections only). read returns a file's
// content; glob expands an Include pattern.
func parseSshdConfig(read func(p string) ([]byte, error), glob func(pattern string) []string) *agentv1.SshServer {
	v := map[string][]string{}
	seen := map[string]bool{}
	var walk func(p string, depth int) bool
	walk = func(p string, depth int) bool {
		if depth > 8 || seen[p] {
			return true
		}
		seen[p] = true
		b, err := read(p)
		if err != nil {
			return depth > 0 // a missing Include is fine, a missing main file is not
		}
		for _, l := range lines(b) {
			l = strings.TrimSpace(l)
			if l == "" || l[0] == '#' {
				continue
			}
			f := strings.Fields(strings.ReplaceAll(l, "=", " "))
			if len(f) < 2 {
				continue
			}
			k := strings.ToLower(f[0])
			switch k {
			case "match":
				return true // the rest of this file is conditional
			case "include":
				for _, pat := range f[1:] {
					if !strings.HasPrefix(pat, "/") {
						pat = path.Join("/etc/ssh", pat)
					}
					matches := glob(pat)
					sort.Strings(matches)
					for _, m := range matches {
						walk(m, depth+1)
					}
				}
				continue
			}
			for _, want := range sshdValues {
				if k != want {
					continue
				}
				if k == "listenaddress" {
					v[k] = append(v[k], f[1])
				} else if len(v[k]) == 0 {
					v[k] = []string{f[1]}
				}
			}
		}
		return true
	}
	if !walk(sshdConfigPath, 0) {
		return nil
	}
	return sshFromValues(v, sshdConfigPath)
}

// collectSSHServer reads the SSH server configuration; nil when no SSH
// server is installed. running says whether it runs (or is enabled).
func collectSSHServer(ctx context.Context, env *Env, running bool) *agentv1.SshServer {
	var s *agentv1.SshServer
	if env.has("sshd") || env.has("/usr/sbin/sshd") {
		bin := "sshd"
		if !env.has("sshd") {
			bin = "/usr/sbin/sshd"
		}
		if b, err := env.output(ctx, bin, "-T"); err == nil {
			s = parseSshdT(b)
		}
	}
	if s == nil {
		s = parseSshdConfig(env.readFile, func(p string) []string {
			ms, _ := filepath.Glob(env.path(p))
			out := make([]string, 0, len(ms))
			for _, m := range ms {
				rel, err := filepath.Rel(env.path("/"), m)
				if err != nil {
					continue
				}
				out = append(out, "/"+filepath.ToSlash(rel))
			}
			return out
		})
	}
	if s != nil {
		s.Running = running
	}
	return s
}
