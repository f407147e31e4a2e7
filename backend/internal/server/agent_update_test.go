package server_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"sync"
	"testing"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
)

// updateSource offers one build per system and architecture and records
// what it was asked for.
type updateSource struct {
	key ed25519.PublicKey

	mu     sync.Mutex
	builds map[string]string // "linux/amd64" -> version
	asked  []string
}

func (s *updateSource) Latest(_ context.Context, goos, arch string) (*agentv1.AgentUpdate, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append(s.asked, goos+"/"+arch)
	v, ok := s.builds[goos+"/"+arch]
	if !ok {
		return nil, false
	}
	name := "wegweiser-agent_" + v + "_" + goos + "_" + arch
	return &agentv1.AgentUpdate{Version: v, Url: "https://example.test/agent/download/" + name,
		Sha256: "ab", Size: 2, Signature: "c2ln"}, true
}

func (s *updateSource) PublicKey() ed25519.PublicKey { return s.key }

// TestHeartbeatOffersNewerAgent: the heartbeat's answer carries an update
// only for a release agent older than the build for its platform — never
// the same version, a downgrade, a development build (unless configured),
// or when offers are off — and enrolment hands out the signing key.
func TestHeartbeatOffersNewerAgent(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		pub, _, err := ed25519.GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		src := &updateSource{key: pub, builds: map[string]string{"linux/amd64": "1.2.0", "windows/amd64": "v1.3.0-rc.1"}}
		cases := []struct {
			name                string
			updates, dev        bool
			version, goos, arch string
			want                string
		}{
			{"newer release", true, false, "1.1.9", "linux", "amd64", "1.2.0"},
			{"v prefix", true, false, "v1.0.0", "linux", "amd64", "1.2.0"},
			{"same version", true, false, "1.2.0", "linux", "amd64", ""},
			{"downgrade", true, false, "1.10.0", "linux", "amd64", ""},
			{"no build for the platform", true, false, "1.0.0", "darwin", "arm64", ""},
			{"pre-release build is never offered", true, false, "1.0.0", "windows", "amd64", ""},
			{"dev agent left alone", true, false, "0.1.0-dev", "linux", "amd64", ""},
			{"unknown version left alone", true, false, "test", "linux", "amd64", ""},
			{"dev agent when configured", true, true, "0.1.0-dev", "linux", "amd64", "1.2.0"},
			{"old agent without platform", true, false, "1.0.0", "", "", ""},
			{"offers off", false, false, "1.0.0", "linux", "amd64", ""},
		}
		for _, mode := range []struct{ updates, dev bool }{{true, false}, {true, true}, {false, false}} {
			updates, dev := mode.updates, mode.dev
			srv := testenv.StartServerWith(t, st, func(c *config.Config) {
				c.AgentUpdates, c.AgentUpdatesDev, c.AgentUpdateSource = updates, dev, src
			})
			ten := testenv.NewTenant(t, srv, "upd")
			agent := ten.Enrol(t, "upd-host")
			for _, tc := range cases {
				if tc.updates != updates || tc.dev != dev {
					continue
				}
				res := testenv.Call(t, srv.URL, heartbeat, agent.Token, map[string]any{
					"agentVersion": tc.version, "os": tc.goos, "arch": tc.arch,
				})
				res.Must(t)
				if got := res.Str("update.version"); got != tc.want {
					t.Errorf("%s: offered %q, want %q (%s)", tc.name, got, tc.want, res.Raw)
				}
				if tc.want != "" && (res.Str("update.url") == "" || res.Str("update.sha256") != "ab" || res.Str("update.signature") == "") {
					t.Errorf("%s: incomplete offer %s", tc.name, res.Raw)
				}
			}
			// Enrolment pins the signing key.
			owner := ten.Login(t, ten.Owner)
			key := testenv.Call(t, srv.URL, "wegweiser.v1.EnrolmentService/CreateEnrolmentKey", owner, map[string]any{
				"organisationId": ten.Organisations[0], "groupId": ten.Groups[0], "description": "k",
			})
			enr := testenv.Call(t, srv.URL, enroll, "", map[string]any{
				"enrolmentKey": key.Str("secret"), "hostname": "pin", "platform": "linux", "agentVersion": "1.0.0",
			})
			enr.Must(t)
			if got := enr.Str("updateSigningKey"); got != base64.StdEncoding.EncodeToString(pub) {
				t.Errorf("enrolment signing key %q", got)
			}
		}
		// Without a source nothing is offered and no key handed out.
		srv := testenv.StartServerWith(t, st, func(c *config.Config) { c.AgentUpdates = true })
		ten := testenv.NewTenant(t, srv, "none")
		agent := ten.Enrol(t, "none-host")
		res := testenv.Call(t, srv.URL, heartbeat, agent.Token, map[string]any{"agentVersion": "1.0.0", "os": "linux", "arch": "amd64"})
		res.Must(t)
		if res.Str("update.version") != "" {
			t.Errorf("offer without a source: %s", res.Raw)
		}
	})
}
