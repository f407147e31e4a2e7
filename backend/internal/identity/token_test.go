package identity

import (
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

func newTestSigner(t *testing.T) *Signer {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return NewSigner(key, "https://wegweiser.test")
}

func TestSignerRoundTrip(t *testing.T) {
	s := newTestSigner(t)
	u, tn, sid := uuid.New(), uuid.New(), uuid.New()
	tok, exp, err := s.Issue(u, tn, sid)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d < 14*time.Minute || d > 15*time.Minute {
		t.Fatalf("access token lives %v, want 15 minutes", d)
	}
	c, err := s.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != u.String() || c.TenantID != tn.String() || c.SessionID != sid.String() {
		t.Fatalf("claims = %+v", c)
	}
}

// TestSignerRejects is the token part of docs/security.md abuse test 5.
func TestSignerRejects(t *testing.T) {
	s := newTestSigner(t)
	claims := func(mod func(*Claims)) *Claims {
		now := time.Now()
		c := &Claims{
			RegisteredClaims: jwt.RegisteredClaims{
				Issuer: "https://wegweiser.test", Subject: uuid.NewString(), Audience: jwt.ClaimStrings{Audience},
				ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)), IssuedAt: jwt.NewNumericDate(now),
			},
			TenantID: uuid.NewString(), SessionID: uuid.NewString(),
		}
		if mod != nil {
			mod(c)
		}
		return c
	}
	sign := func(c *Claims) string {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c).SignedString(s.key)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	// HS256 keyed with the public key: the classic algorithm-confusion attack.
	hs, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil)).SignedString([]byte(s.key.Public().(ed25519.PublicKey)))
	if err != nil {
		t.Fatal(err)
	}
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	foreign, _ := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims(nil)).SignedString(otherKey)
	good := sign(claims(nil))
	tampered := good[:len(good)-4] + strings.Repeat("A", 4)

	cases := map[string]string{
		"alg none":         none,
		"HS256 confusion":  hs,
		"other key":        foreign,
		"wrong audience":   sign(claims(func(c *Claims) { c.Audience = jwt.ClaimStrings{"someone-else"} })),
		"wrong issuer":     sign(claims(func(c *Claims) { c.Issuer = "https://evil.test" })),
		"expired":          sign(claims(func(c *Claims) { c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour)) })),
		"no expiry":        sign(claims(func(c *Claims) { c.ExpiresAt = nil })),
		"issued in future": sign(claims(func(c *Claims) { c.IssuedAt = jwt.NewNumericDate(time.Now().Add(time.Hour)) })),
		"tampered":         tampered,
		"garbage":          "not.a.token",
	}
	for name, tok := range cases {
		if _, err := s.Verify(tok); err == nil {
			t.Errorf("%s: token accepted", name)
		}
	}
	if _, err := s.Verify(good); err != nil {
		t.Fatalf("control token rejected: %v", err)
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id with the documented parameters", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	if ok, err := CheckPassword(h, "correct horse battery"); err != nil || !ok {
		t.Fatalf("right password rejected: %v", err)
	}
	if ok, _ := CheckPassword(h, "correct horse batterY"); ok {
		t.Fatal("wrong password accepted")
	}
	if _, err := CheckPassword("$2a$10$bcrypt", "x"); err == nil {
		t.Fatal("foreign hash format accepted")
	}
}

func TestOpaqueTokens(t *testing.T) {
	tok, hash, err := NewOpaqueToken("wwr_")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "wwr_") || len(tok) < 40 {
		t.Fatalf("token %q too short", tok)
	}
	if strings.Contains(hash, tok) || HashToken(tok) != hash {
		t.Fatal("stored hash does not match the token")
	}
}
