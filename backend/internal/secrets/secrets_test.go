package secrets

import (
	"bytes"
	"testing"
)

func TestSealOpen(t *testing.T) {
	b, err := LoadOrCreate("", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := b.Seal([]byte("whsec_top"), []byte("row-1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("whsec_top")) {
		t.Fatal("plaintext visible in sealed secret")
	}
	got, err := b.Open(sealed, []byte("row-1"))
	if err != nil || string(got) != "whsec_top" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := b.Open(sealed, []byte("row-2")); err == nil {
		t.Fatal("secret opened for another row")
	}
	other, _ := LoadOrCreate("", t.TempDir())
	if _, err := other.Open(sealed, []byte("row-1")); err == nil {
		t.Fatal("secret opened with another key")
	}
}

func TestDeriveKeyIsStablePerKeyAndPurpose(t *testing.T) {
	a, _ := New(bytes.Repeat([]byte{1}, 32))
	a2, _ := New(bytes.Repeat([]byte{1}, 32))
	b, _ := New(bytes.Repeat([]byte{2}, 32))
	k := a.DeriveKey("agent checksums")
	if len(k) != 32 {
		t.Fatalf("derived %d bytes, want 32", len(k))
	}
	if !bytes.Equal(k, a2.DeriveKey("agent checksums")) {
		t.Error("the same secret key derived different keys")
	}
	if bytes.Equal(k, a.DeriveKey("something else")) {
		t.Error("two purposes derived the same key")
	}
	if bytes.Equal(k, b.DeriveKey("agent checksums")) {
		t.Error("two secret keys derived the same key")
	}
	if bytes.Equal(k, bytes.Repeat([]byte{1}, 32)) {
		t.Error("the derived key is the secret key")
	}
}
