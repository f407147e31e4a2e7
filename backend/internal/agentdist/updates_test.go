package agentdist

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
)

func TestUpdatesOfferSignedNewestBinary(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{
		FileName("1.2.0", "linux", "amd64", FormatBinary),
		FileName("1.3.0", "linux", "amd64", FormatBinary),
		FileName("1.4.0", "linux", "amd64", FormatDeb),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := New(dir, make([]byte, ed25519.SeedSize))
	if err != nil {
		t.Fatal(err)
	}
	u := Updates{Catalog: c, ServerURL: "https://ww.example/"}
	offer, ok := u.Latest(context.Background(), "linux", "amd64")
	if !ok {
		t.Fatal("no offer for linux/amd64")
	}
	name := FileName("1.3.0", "linux", "amd64", FormatBinary)
	if offer.GetVersion() != "1.3.0" || offer.GetUrl() != "https://ww.example"+DownloadPrefix+name {
		t.Fatalf("offer = %v, want the 1.3.0 binary (not the newer .deb) under the server URL", offer)
	}
	sig, err := base64.StdEncoding.DecodeString(offer.GetSignature())
	if err != nil {
		t.Fatal(err)
	}
	if !ed25519.Verify(u.PublicKey(), []byte(offer.GetSha256()+"  "+name+"\n"), sig) {
		t.Fatal("the offer's signature does not verify against the catalogue's key")
	}
	if _, ok := u.Latest(context.Background(), "windows", "amd64"); ok {
		t.Fatal("offer for a platform without a build")
	}
}
