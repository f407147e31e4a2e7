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
