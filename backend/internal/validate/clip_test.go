package validate

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestClip: text of one-, two-, three- and four-byte runes clipped at every
// length is valid UTF-8, at most that many bytes, a prefix of the input,
// and no shorter than needed (at most three bytes below the limit).
func TestClip(t *testing.T) {
	s := strings.Repeat("aé€𝄞", 20) + "ü"
	for limit := 0; limit <= len(s)+2; limit++ {
		got := Clip(s, limit)
		if !utf8.ValidString(got) {
			t.Fatalf("Clip(%d) = %q: invalid UTF-8", limit, got)
		}
		if len(got) > limit {
			t.Fatalf("Clip(%d) is %d bytes", limit, len(got))
		}
		if !strings.HasPrefix(s, got) {
			t.Fatalf("Clip(%d) = %q: not a prefix", limit, got)
		}
		if want := min(limit, len(s)); len(got) < want-3 {
			t.Fatalf("Clip(%d) = %d bytes: cut more than one rune", limit, len(got))
		}
	}
	if got := Clip(s, len(s)); got != s {
		t.Fatal("text within the limit changed")
	}
	// Invalid input comes back valid.
	if got := Clip("ab\xffc\xe2\x82", 100); !utf8.ValidString(got) || !strings.HasPrefix(got, "ab") {
		t.Fatalf("invalid input: %q", got)
	}
	if got := Clip("\xe2\x82\xac\xe2\x82\xac", 4); got != "€" {
		t.Fatalf("Clip(€€, 4) = %q", got)
	}
	if Clip("abc", -1) != "" {
		t.Fatal("negative limit")
	}
}
