package server_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
)

// softAuthenticator is a software WebAuthn authenticator for tests: one
// ES256 key, attestation "none", user verification always done. It builds
// the authenticator data, client data and signatures itself, so tests can
// also replay, forge and roll back what a browser would send.
type softAuthenticator struct {
	rpID, origin string
	key          *ecdsa.PrivateKey
	credID       []byte
	userHandle   []byte
	// counter is the signature counter of the next assertion.
	counter uint32
}

func newSoftAuthenticator(t *testing.T, rpID, origin string) *softAuthenticator {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 32)
	_, _ = rand.Read(id)
	return &softAuthenticator{rpID: rpID, origin: origin, key: key, credID: id, counter: 1}
}

var b64 = base64.RawURLEncoding

func (a *softAuthenticator) authData(flags byte, attested []byte) []byte {
	h := sha256.Sum256([]byte(a.rpID))
	out := append([]byte{}, h[:]...)
	out = append(out, flags)
	out = binary.BigEndian.AppendUint32(out, a.counter)
	return append(out, attested...)
}

func clientData(typ, challenge, origin string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false})
	return b
}

// create answers PublicKeyCredentialCreationOptions JSON with a new
// credential (PublicKeyCredential JSON).
func (a *softAuthenticator) create(t *testing.T, optionsJSON string) string {
	t.Helper()
	var opts struct {
		Challenge string `json:"challenge"`
		User      struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	if err := json.Unmarshal([]byte(optionsJSON), &opts); err != nil {
		t.Fatalf("creation options: %v", err)
	}
	uh, err := b64.DecodeString(opts.User.ID)
	if err != nil {
		t.Fatalf("user id: %v", err)
	}
	a.userHandle = uh
	x, y := a.key.X.FillBytes(make([]byte, 32)), a.key.Y.FillBytes(make([]byte, 32))
	cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	if err != nil {
		t.Fatal(err)
	}
	attested := make([]byte, 16) // AAGUID zero
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(a.credID)))
	attested = append(attested, a.credID...)
	attested = append(attested, cose...)
	counter := a.counter
	a.counter = 0
	ad := a.authData(0x01|0x04|0x40, attested) // UP, UV, AT
	a.counter = counter
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": ad})
	if err != nil {
		t.Fatal(err)
	}
	cd := clientData("webauthn.create", opts.Challenge, a.origin)
	b, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.credID), "rawId": b64.EncodeToString(a.credID), "type": "public-key",
		"response": map[string]any{
			"clientDataJSON": b64.EncodeToString(cd), "attestationObject": b64.EncodeToString(att),
			"transports": []string{"internal"},
		},
	})
	return string(b)
}

// challengeOf reads the challenge of request options JSON.
func challengeOf(t *testing.T, optionsJSON string) string {
	t.Helper()
	var opts struct {
		Challenge string `json:"challenge"`
	}
	if err := json.Unmarshal([]byte(optionsJSON), &opts); err != nil || opts.Challenge == "" {
		t.Fatalf("request options %q: %v", optionsJSON, err)
	}
	return opts.Challenge
}

// get answers a challenge with an assertion (PublicKeyCredential JSON) and
// advances the counter.
func (a *softAuthenticator) get(t *testing.T, challenge string) string {
	t.Helper()
	ad := a.authData(0x01|0x04, nil) // UP, UV
	a.counter++
	cd := clientData("webauthn.get", challenge, a.origin)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.credID), "rawId": b64.EncodeToString(a.credID), "type": "public-key",
		"response": map[string]any{
			"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(ad),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(a.userHandle),
		},
	})
	return string(b)
}
