package validate

import "unicode/utf8"

// Clip shortens s to at most max bytes without splitting a UTF-8 character,
// so the result stays valid UTF-8 (PostgreSQL refuses anything else).
func Clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	if max <= 0 {
		return ""
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
