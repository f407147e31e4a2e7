package identity

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Token lifetimes.
const (
	AccessTokenTTL  = 15 * time.Minute
	RefreshTokenTTL = 30 * 24 * time.Hour
	InvitationTTL   = 7 * 24 * time.Hour
)

// Audience is the aud claim of every access token.
const Audience = "wegweiser-api"

// Claims are the claims of an access token.
type Claims struct {
	jwt.RegisteredClaims
	// TenantID is the tenant the token acts in.
	TenantID string `json:"tid"`
	// SessionID is the refresh-token family of the login.
	SessionID string `json:"sid"`
}

// Signer issues and verifies access tokens: EdDSA (Ed25519) only, issuer and
// audience checked, expiry required.
type Signer struct {
	key    ed25519.PrivateKey
	issuer string
	parser *jwt.Parser
	now    func() time.Time
}

// NewSigner returns a signer over an Ed25519 private key.
func NewSigner(key ed25519.PrivateKey, issuer string) *Signer {
	s := &Signer{key: key, issuer: issuer, now: time.Now}
	s.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithAudience(Audience),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(30*time.Second),
		jwt.WithTimeFunc(func() time.Time { return s.now() }),
	)
	return s
}

// Issue returns a signed access token and its expiry.
func (s *Signer) Issue(userID, tenantID, sessionID uuid.UUID) (string, time.Time, error) {
	now := s.now().UTC()
	exp := now.Add(AccessTokenTTL)
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.issuer,
			Subject:   userID.String(),
			Audience:  jwt.ClaimStrings{Audience},
			ExpiresAt: jwt.NewNumericDate(exp),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        uuid.NewString(),
		},
		TenantID:  tenantID.String(),
		SessionID: sessionID.String(),
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims).SignedString(s.key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return tok, exp, nil
}

// Verify checks an access token and returns its claims.
func (s *Signer) Verify(token string) (*Claims, error) {
	var c Claims
	_, err := s.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		return s.key.Public(), nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// LoadOrCreateKey returns the Ed25519 key from a base64 seed, or, when seed
// is empty, the key kept in dir/jwt-signing.key, creating it on first use.
func LoadOrCreateKey(seed, dir string) (ed25519.PrivateKey, error) {
	if seed != "" {
		return parseSeed(seed)
	}
	path := filepath.Join(dir, "jwt-signing.key")
	if data, err := os.ReadFile(path); err == nil {
		return parseSeed(strings.TrimSpace(string(data)))
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	raw := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	enc := base64.StdEncoding.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(enc+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	return ed25519.NewKeyFromSeed(raw), nil
}

func parseSeed(seed string) (ed25519.PrivateKey, error) {
	raw, err := base64.StdEncoding.DecodeString(seed)
	if err != nil || len(raw) != ed25519.SeedSize {
		return nil, fmt.Errorf("signing key must be %d bytes, base64-encoded", ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(raw), nil
}

// NewOpaqueToken returns a random URL-safe token and the hex SHA-256 that is
// stored in its place.
func NewOpaqueToken(prefix string) (token, hash string, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", "", fmt.Errorf("generate token: %w", err)
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(raw)
	return token, HashToken(token), nil
}

// HashToken returns the hex SHA-256 of an opaque token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
