package agentdist

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"strings"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// SignLine is the base64 Ed25519 signature of the artifact's line in
// SHA256SUMS ("<sha256>  <file name>\n"): what an agent checks against the
// key it pinned at enrolment before it downloads an update.
func (c *Catalog) SignLine(a Artifact) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(c.key, []byte(a.SHA256+"  "+a.FileName+"\n")))
}

// Updates offers the catalogue's newest agent binaries to heartbeating
// agents (it implements the agent API's update source).
type Updates struct {
	// Catalog lists the builds.
	Catalog *Catalog
	// ServerURL is the public URL download links start with.
	ServerURL string
}

// Latest is the newest binary for goos and arch as an update offer.
func (u Updates) Latest(_ context.Context, goos, arch string) (*agentv1.AgentUpdate, bool) {
	a, ok := u.Catalog.Latest(goos, arch)
	if !ok {
		return nil, false
	}
	return &agentv1.AgentUpdate{
		Version:   a.Version,
		Url:       strings.TrimRight(u.ServerURL, "/") + a.Path(),
		Sha256:    a.SHA256,
		Size:      a.Size,
		Signature: u.Catalog.SignLine(a),
	}, true
}

// PublicKey is the key the offers are signed with.
func (u Updates) PublicKey() ed25519.PublicKey { return u.Catalog.PublicKey() }
