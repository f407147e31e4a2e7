package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
)

// Argon2id parameters: OWASP's password storage recommendation
// (m=19 MiB, t=2, p=1), encoded into every hash so they can change later.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// idKey is argon2.IDKey; tests replace it to watch concurrency.
var idKey = argon2.IDKey

// Concurrent hashing: argon2id takes argonMemoryKiB per hash, so at most
// HashMemoryBudgetKiB / argonMemoryKiB hashes run at once (13 with the
// parameters above). A call that gets no slot within HashSlotWait is
// refused with resource_exhausted and a retry hint.
const (
	HashMemoryBudgetKiB = 256 * 1024
	HashSlotWait        = 2 * time.Second
)

// Hasher bounds how many password hashes run at once.
type Hasher struct {
	slots chan struct{}
	wait  time.Duration
}

// NewHasher returns a Hasher with slots concurrent hashes (<= 0: sized from
// HashMemoryBudgetKiB) waiting at most wait (<= 0: HashSlotWait) for one.
func NewHasher(slots int, wait time.Duration) *Hasher {
	if slots <= 0 {
		slots = max(1, HashMemoryBudgetKiB/argonMemoryKiB)
	}
	if wait <= 0 {
		wait = HashSlotWait
	}
	return &Hasher{slots: make(chan struct{}, slots), wait: wait}
}

// Slots returns how many hashes may run at once.
func (h *Hasher) Slots() int { return cap(h.slots) }

func (h *Hasher) acquire(ctx context.Context) error {
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-t.C:
		return apperr.ResourceExhausted(1, "the server is busy checking passwords; try again in a second")
	case <-ctx.Done():
		return fmt.Errorf("wait for a password-hashing slot: %w", ctx.Err())
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash is HashPassword within the concurrency bound.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return HashPassword(password)
}

// Check is CheckPassword within the concurrency bound.
func (h *Hasher) Check(ctx context.Context, hash, password string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	return CheckPassword(hash, password)
}

// HashPassword returns a PHC-formatted argon2id hash of password.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	key := idKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// errBadHash reports a stored hash that is not argon2id in PHC format.
var errBadHash = errors.New("unsupported password hash")

// CheckPassword reports whether password matches hash, in constant time.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, errBadHash
	}
	got := idKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when a login names an unknown user, so that
// a wrong email takes as long as a wrong password.
var dummyHash = func() string {
	h, err := HashPassword("wegweiser-timing-equaliser")
	if err != nil {
		panic(err)
	}
	return h
}()
