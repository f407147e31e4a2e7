// Package secrets encrypts tenant secrets at rest (today the webhook signing
// secrets) with AES-256-GCM under a key the operator supplies, so a database
// dump holds no plaintext secret.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Box seals and opens secrets.
type Box struct {
	aead cipher.AEAD
	key  []byte
}

// New returns a box over a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secret key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return &Box{aead: aead, key: append([]byte(nil), key...)}, nil
}

// LoadOrCreate returns a box over a base64 key, or, when it is empty, over
// the key kept in dir/secret.key, created on first use.
func LoadOrCreate(b64, dir string) (*Box, error) {
	if b64 == "" {
		path := filepath.Join(dir, "secret.key")
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			b64 = strings.TrimSpace(string(data))
		case errors.Is(err, os.ErrNotExist):
			raw := make([]byte, 32)
			if _, err := rand.Read(raw); err != nil {
				return nil, fmt.Errorf("generate secret key: %w", err)
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
			b64 = base64.StdEncoding.EncodeToString(raw)
			if err := os.WriteFile(path, []byte(b64+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("write secret key: %w", err)
			}
		default:
			return nil, fmt.Errorf("read secret key: %w", err)
		}
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("secret key is not base64: %w", err)
	}
	return New(key)
}

// Seal encrypts plaintext; aad binds it to its owner (e.g. the row id).
func (b *Box) Seal(plaintext, aad []byte) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return b.aead.Seal(nonce, nonce, plaintext, aad), nil
}

// Open decrypts what Seal returned for the same aad.
func (b *Box) Open(sealed, aad []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed secret too short")
	}
	out, err := b.aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, errors.New("cannot decrypt secret: wrong key or tampered data")
	}
	return out, nil
}

// DeriveKey returns 32 bytes derived from the box's key for one purpose
// (HKDF-SHA256 with purpose as info): a key every process sharing the
// secret key derives alike, and that reveals nothing about it or about the
// keys of other purposes. Changing the secret key changes every derived
// key.
func (b *Box) DeriveKey(purpose string) []byte {
	out, err := hkdf.Key(sha256.New, b.key, nil, purpose, 32)
	if err != nil {
		panic(fmt.Sprintf("derive key: %v", err)) // only for lengths HKDF cannot give
	}
	return out
}
