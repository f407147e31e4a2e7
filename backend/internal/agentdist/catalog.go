// Package agentdist offers the agent builds and packages in a directory
// (what `make agents` writes) for download: it lists them with their
// SHA-256, writes the checksum list SHA256SUMS, signs it with Ed25519, and
// serves the files, the list, its signature and the install scripts over
// public HTTP routes.
package agentdist

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/semver"
)

// Formats of an artifact.
const (
	FormatBinary = "binary"
	FormatDeb    = "deb"
	FormatRPM    = "rpm"
	FormatMSI    = "msi"
)

// SigningKeyPurpose names the key derived from the server's secret key
// that signs SHA256SUMS (secrets.Box.DeriveKey).
const SigningKeyPurpose = "wegweiser agent distribution: SHA256SUMS signing key"

// fileName is the one naming scheme of the directory:
// wegweiser-agent_<version>_<goos>_<goarch>[.exe|.deb|.rpm|.msi]. Other
// files are ignored.
var fileName = regexp.MustCompile(`^wegweiser-agent_([0-9A-Za-z.+~-]+)_(linux|darwin|windows)_(amd64|arm64)(\.exe|\.deb|\.rpm|\.msi)?$`)

// FileName is the name an artifact of this version, system (GOOS),
// architecture and format has in the directory.
func FileName(version, goos, arch, format string) string {
	base := "wegweiser-agent_" + version + "_" + goos + "_" + arch
	switch format {
	case FormatDeb, FormatRPM, FormatMSI:
		return base + "." + format
	}
	if goos == "windows" {
		return base + ".exe"
	}
	return base
}

// Artifact is one downloadable file.
type Artifact struct {
	// GOOS is the system it runs on: "linux", "darwin" or "windows".
	GOOS string
	// Arch is "amd64" or "arm64".
	Arch string
	// Format is FormatBinary, FormatDeb, FormatRPM or FormatMSI.
	Format string
	// FileName is its name in the directory and in its download path.
	FileName string
	// Version is the agent version it carries.
	Version string
	// SHA256 is the hex SHA-256 of the file.
	SHA256 string
	// Size is its length in bytes.
	Size int64
	// ModTime is when the file was written.
	ModTime time.Time
}

// Platform is the system as people name it: "linux", "macos" or "windows".
func (a Artifact) Platform() string {
	if a.GOOS == "darwin" {
		return "macos"
	}
	return a.GOOS
}

// Path is the artifact's download path on the server (DownloadPrefix and
// the file name).
func (a Artifact) Path() string { return DownloadPrefix + a.FileName }

// Catalog lists the artifacts of a directory. It reads the directory on
// every call, so builds added or removed while the server runs show up at
// once; a file's SHA-256 is computed once per size and modification time.
// It is safe for concurrent use.
type Catalog struct {
	dir string
	key ed25519.PrivateKey

	mu     sync.Mutex
	hashes map[string]cachedHash
}

type cachedHash struct {
	size    int64
	modTime time.Time
	sum     string
}

// New returns a catalog of dir whose checksum list is signed with the
// Ed25519 key made from seed (ed25519.SeedSize bytes). A missing directory
// is an empty catalog.
func New(dir string, seed []byte) (*Catalog, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("agent signing key: want a %d-byte seed, got %d bytes", ed25519.SeedSize, len(seed))
	}
	return &Catalog{dir: dir, key: ed25519.NewKeyFromSeed(seed), hashes: map[string]cachedHash{}}, nil
}

// Dir is the directory the catalog reads.
func (c *Catalog) Dir() string { return c.dir }

// PublicKey is the key that verifies the checksum list's signature.
func (c *Catalog) PublicKey() ed25519.PublicKey {
	return c.key.Public().(ed25519.PublicKey)
}

// PublicKeyBase64 is PublicKey in standard base64.
func (c *Catalog) PublicKeyBase64() string {
	return base64.StdEncoding.EncodeToString(c.PublicKey())
}

// Artifacts lists the files of the directory that follow the naming
// scheme, sorted by file name.
func (c *Catalog) Artifacts() ([]Artifact, error) {
	entries, err := os.ReadDir(c.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read agent directory: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Artifact
	seen := map[string]bool{}
	for _, e := range entries {
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		a := Artifact{GOOS: m[2], Arch: m[3], Format: FormatBinary, FileName: e.Name(), Version: m[1], Size: info.Size(), ModTime: info.ModTime()}
		switch m[4] {
		case ".deb":
			a.Format = FormatDeb
		case ".rpm":
			a.Format = FormatRPM
		case ".msi":
			a.Format = FormatMSI
		}
		if (a.Format == FormatDeb || a.Format == FormatRPM) && a.GOOS != "linux" ||
			a.Format == FormatMSI && a.GOOS != "windows" ||
			(m[4] == ".exe") != (a.GOOS == "windows" && a.Format == FormatBinary) {
			continue
		}
		h, ok := c.hashes[a.FileName]
		if !ok || h.size != a.Size || !h.modTime.Equal(a.ModTime) {
			sum, err := hashFile(filepath.Join(c.dir, a.FileName))
			if err != nil {
				continue
			}
			h = cachedHash{size: a.Size, modTime: a.ModTime, sum: sum}
			c.hashes[a.FileName] = h
		}
		a.SHA256 = h.sum
		seen[a.FileName] = true
		out = append(out, a)
	}
	for name := range c.hashes {
		if !seen[name] {
			delete(c.hashes, name)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FileName < out[j].FileName })
	return out, nil
}

// Latest returns the newest agent binary for a system and architecture:
// goos is a GOOS ("linux", "darwin", "windows"; "macos" is taken for
// "darwin") and arch a GOARCH ("amd64", "arm64"). Newest is the highest
// semantic version (v1.4.0 > v1.3.9, a release > its pre-releases); builds
// whose versions are not semantic (a commit hash) count below every
// release, the most recently written first. ok is false when there is none
// or the directory cannot be read.
func (c *Catalog) Latest(goos, arch string) (a Artifact, ok bool) {
	if goos == "macos" {
		goos = "darwin"
	}
	all, err := c.Artifacts()
	if err != nil {
		return Artifact{}, false
	}
	for _, x := range all {
		if x.Format != FormatBinary || x.GOOS != goos || x.Arch != arch {
			continue
		}
		if !ok || newer(x, a) {
			a, ok = x, true
		}
	}
	return a, ok
}

// Version is the version Latest offers for the most platforms (ties to the
// newest); empty when the directory holds no binary.
func (c *Catalog) Version() string {
	all, err := c.Artifacts()
	if err != nil {
		return ""
	}
	best := map[string]Artifact{}
	for _, x := range all {
		k := x.GOOS + "/" + x.Arch
		if b, ok := best[k]; x.Format == FormatBinary && (!ok || newer(x, b)) {
			best[k] = x
		}
	}
	count := map[string]int{}
	var version string
	var top Artifact
	for _, b := range best {
		count[b.Version]++
		if version == "" || count[b.Version] > count[version] || count[b.Version] == count[version] && newer(b, top) {
			version, top = b.Version, b
		}
	}
	return version
}

// Semver is an agent version as golang.org/x/mod/semver wants it (with
// the "v" prefix, which agent versions may leave out); ok is false when v
// is no semantic version (a commit hash, say).
func Semver(v string) (sv string, ok bool) {
	sv = "v" + strings.TrimPrefix(strings.TrimSpace(v), "v")
	return sv, semver.IsValid(sv)
}

// newer reports whether a is a newer build than b.
func newer(a, b Artifact) bool {
	va, sa := Semver(a.Version)
	vb, sb := Semver(b.Version)
	switch {
	case sa && sb && semver.Compare(va, vb) != 0:
		return semver.Compare(va, vb) > 0
	case sa != sb:
		return sa
	}
	return a.ModTime.After(b.ModTime)
}

// Checksums returns the checksum list (the format of sha256sum: the hex
// SHA-256, two spaces and the file name, one line per artifact) and its
// Ed25519 signature in base64 with a final newline.
func (c *Catalog) Checksums() (sums, signature []byte, err error) {
	all, err := c.Artifacts()
	if err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	for _, a := range all {
		fmt.Fprintf(&b, "%s  %s\n", a.SHA256, a.FileName)
	}
	sig := ed25519.Sign(c.key, b.Bytes())
	return b.Bytes(), []byte(base64.StdEncoding.EncodeToString(sig) + "\n"), nil
}

// VerifyChecksums reports whether signature (as Checksums returns it) is a
// signature of sums by key.
func VerifyChecksums(key ed25519.PublicKey, sums, signature []byte) bool {
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(signature)))
	if err != nil || len(key) != ed25519.PublicKeySize {
		return false
	}
	return ed25519.Verify(key, sums, sig)
}

// open opens an artifact by file name; names outside the catalog are not
// found.
func (c *Catalog) open(name string) (*os.File, Artifact, error) {
	all, err := c.Artifacts()
	if err != nil {
		return nil, Artifact{}, err
	}
	for _, a := range all {
		if a.FileName == name {
			f, err := os.Open(filepath.Join(c.dir, a.FileName))
			return f, a, err
		}
	}
	return nil, Artifact{}, os.ErrNotExist
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path) //nolint:gosec // G304: a file of the agent directory, named by the catalog's pattern
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
