package uplink

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// StateDirEnv overrides the default state folder.
const StateDirEnv = "WEGWEISER_AGENT_STATE_DIR"

const (
	stateFile  = "state.json"
	configFile = "config.json"
	spoolDir   = "spool"
)

// ErrNotEnrolled is returned when the state folder holds no enrolment.
var ErrNotEnrolled = errors.New("this device is not enrolled; run `wegweiser-agent enroll --server URL --key KEY`")

// State is what enrolment leaves on disk. The device token is a secret:
// the file is written with mode 0600 and never logged.
type State struct {
	// Server is the base URL of the Wegweiser server.
	Server string `json:"server"`
	// DeviceID is the server-assigned device id.
	DeviceID string `json:"device_id"`
	// DeviceToken authenticates the device on every call after Enroll.
	DeviceToken string `json:"device_token"`
	// CAFile, if set, is a PEM bundle trusted for the server's certificate.
	CAFile string `json:"ca_file,omitempty"`
	// EnrolledTime is when enrolment succeeded.
	EnrolledTime time.Time `json:"enrolled_time"`
	// UpdateKey is the server's Ed25519 update signing key (base64),
	// pinned at enrolment; updates signed otherwise are refused.
	UpdateKey string `json:"update_key,omitempty"`
}

// UpdatePublicKey decodes UpdateKey; nil when there is none or it is
// malformed.
func (s *State) UpdatePublicKey() ed25519.PublicKey {
	b, err := base64.StdEncoding.DecodeString(s.UpdateKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil
	}
	return ed25519.PublicKey(b)
}

// DefaultStateDir is the per-OS state folder, unless WEGWEISER_AGENT_STATE_DIR
// names another.
func DefaultStateDir() string {
	if d := os.Getenv(StateDirEnv); d != "" {
		return d
	}
	return defaultStateDirFor(runtime.GOOS, os.Getenv("ProgramData"))
}

func defaultStateDirFor(goos, programData string) string {
	switch goos {
	case "windows":
		if programData == "" {
			programData = `C:\ProgramData`
		}
		return programData + `\Wegweiser`
	case "darwin":
		return "/Library/Application Support/Wegweiser"
	default:
		return "/var/lib/wegweiser-agent"
	}
}

// EnsureStateDir creates the state folder (mode 0700) and restricts who can
// read it where the OS needs more than mode bits.
func EnsureStateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return restrictDir(dir)
}

// SpoolDir is the spool folder inside a state folder.
func SpoolDir(stateDir string) string { return filepath.Join(stateDir, spoolDir) }

// LoadState reads the enrolment from dir. It returns ErrNotEnrolled when
// there is none.
func LoadState(dir string) (*State, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotEnrolled
	}
	if err != nil {
		return nil, err
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Join(dir, stateFile), err)
	}
	if st.Server == "" || st.DeviceToken == "" {
		return nil, ErrNotEnrolled
	}
	return &st, nil
}

// SaveState writes the enrolment to dir atomically with mode 0600.
func SaveState(dir string, st *State) error {
	if err := EnsureStateDir(dir); err != nil {
		return err
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, stateFile), append(b, '\n'), 0o600)
}

// LoadConfig returns the last configuration the server sent, or nil.
func LoadConfig(dir string) *agentv1.AgentConfig {
	b, err := os.ReadFile(filepath.Join(dir, configFile))
	if err != nil {
		return nil
	}
	var c agentv1.AgentConfig
	if err := protojson.Unmarshal(b, &c); err != nil {
		return nil
	}
	return &c
}

// SaveConfig remembers the server's configuration for the next start.
func SaveConfig(dir string, c *agentv1.AgentConfig) error {
	if c == nil {
		return nil
	}
	b, err := protojson.MarshalOptions{Multiline: true}.Marshal(c)
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, configFile), b, 0o600)
}
