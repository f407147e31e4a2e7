package agentapi

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"strings"

	"golang.org/x/mod/semver"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/internal/agentdist"
)

// UpdateSource is where the agent builds the server offers come from.
type UpdateSource interface {
	// Latest is the newest build for a system (GOOS: "linux", "darwin",
	// "windows") and architecture ("amd64", "arm64"); ok is false when
	// there is none. The offer carries an absolute download URL, the
	// SHA-256, the size and the signature of the checksum line.
	Latest(ctx context.Context, goos, arch string) (update *agentv1.AgentUpdate, ok bool)
	// PublicKey verifies the signatures of the offers; agents pin it at
	// enrolment.
	PublicKey() ed25519.PublicKey
}

// Updates says which updates the Heartbeat handler offers.
type Updates struct {
	// Source lists the builds; nil offers none.
	Source UpdateSource
	// Off stops all offers (the key is still handed out at enrolment, so
	// agents can update once offers are turned on again).
	Off bool
	// OfferToDev also offers updates to agents whose version is not a
	// release (a development build such as "0.1.0-dev", or no semantic
	// version at all). Off by default: a developer's agent is not replaced
	// behind their back.
	OfferToDev bool
}

// WithUpdates makes the handler offer updates from u. It returns s.
func (s *Service) WithUpdates(u Updates) *Service {
	s.updates = u
	return s
}

// signingKey is the base64 public key handed out at enrolment, empty
// without a source.
func (u Updates) signingKey() string {
	if u.Source == nil {
		return ""
	}
	k := u.Source.PublicKey()
	if len(k) != ed25519.PublicKeySize {
		return ""
	}
	return base64.StdEncoding.EncodeToString(k)
}

// offer returns the update for an agent of this version, system and
// architecture, or nil: only a release strictly newer than a release
// agent's version is offered (never the same version, never a downgrade).
func (u Updates) offer(ctx context.Context, current, goos, arch string) *agentv1.AgentUpdate {
	if u.Source == nil || u.Off || !platformName(goos) || !platformName(arch) {
		return nil
	}
	cur, curRelease := canonical(current)
	if cur == "" || (!curRelease && !u.OfferToDev) {
		return nil
	}
	up, ok := u.Source.Latest(ctx, goos, arch)
	if !ok || up == nil || up.GetUrl() == "" || up.GetSha256() == "" || up.GetSignature() == "" {
		return nil
	}
	next, nextRelease := canonical(up.GetVersion())
	if !nextRelease || semver.Compare(next, cur) <= 0 {
		return nil
	}
	return up
}

// canonical is v as a semantic version with the "v" prefix semver wants
// ("" when it is none) and whether it is a release: no pre-release part
// and no "dev" anywhere.
func canonical(v string) (string, bool) {
	sv, ok := agentdist.Semver(v)
	if !ok {
		return "", false
	}
	return sv, semver.Prerelease(sv) == "" && !strings.Contains(strings.ToLower(sv), "dev")
}

// platformName accepts the short lower-case names a GOOS or GOARCH has,
// so nothing odd reaches the source.
func platformName(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
