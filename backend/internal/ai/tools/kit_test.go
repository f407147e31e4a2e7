package tools

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestClipCutsByRune: endpoint text is cut by rune (never inside a
// multi-byte character), loses control characters and folds white space.
func TestClipCutsByRune(t *testing.T) {
	long := strings.Repeat("äöü€😀", 100)
	got := clip(long, clipMessage)
	if !utf8.ValidString(got) || utf8.RuneCountInString(got) != clipMessage+1 || !strings.HasSuffix(got, "…") {
		t.Errorf("clip of %d runes: %d runes, valid %t", utf8.RuneCountInString(long), utf8.RuneCountInString(got), utf8.ValidString(got))
	}
	if got := clip("a\x00b\n\n\tc\x1b[31m  d", 50); got != "a b c [31m d" {
		t.Errorf("clip: %q", got)
	}
	if got := clip("bad \xff byte", 50); !utf8.ValidString(got) {
		t.Errorf("clip of invalid UTF-8: %q", got)
	}
}
