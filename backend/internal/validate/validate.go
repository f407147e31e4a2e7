// Package validate checks request values and returns apperr.Invalid errors
// naming the field at fault.
package validate

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
)

// Limits shared by the API.
const (
	MaxNameLen        = 200
	MaxDescriptionLen = 2000
	MaxEmailLen       = 254
	MinPasswordLen    = 10
	MaxPasswordLen    = 256
	MaxTagLen         = 64
	MaxTagsPerDevice  = 50
	MaxPageSize       = 500
)

// Name trims s and checks it is 1 to MaxNameLen characters without control
// characters.
func Name(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", apperr.Invalid(field, "must not be empty")
	}
	if utf8.RuneCountInString(s) > MaxNameLen {
		return "", apperr.Invalid(field, "must be at most %d characters", MaxNameLen)
	}
	if hasControl(s) {
		return "", apperr.Invalid(field, "must not contain control characters")
	}
	return s, nil
}

// Description trims s and checks its length.
func Description(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > MaxDescriptionLen {
		return "", apperr.Invalid(field, "must be at most %d characters", MaxDescriptionLen)
	}
	if !utf8.ValidString(s) {
		return "", apperr.Invalid(field, "must be valid UTF-8")
	}
	return s, nil
}

// Email normalises an address (trimmed, lower-cased) and checks it is a
// plain addr-spec of at most MaxEmailLen characters.
func Email(field, s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", apperr.Invalid(field, "must not be empty")
	}
	if len(s) > MaxEmailLen {
		return "", apperr.Invalid(field, "must be at most %d characters", MaxEmailLen)
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return "", apperr.Invalid(field, "is not a valid email address")
	}
	return s, nil
}

// Password checks length limits.
func Password(field, s string) error {
	n := utf8.RuneCountInString(s)
	if n < MinPasswordLen {
		return apperr.Invalid(field, "must be at least %d characters", MinPasswordLen)
	}
	if n > MaxPasswordLen {
		return apperr.Invalid(field, "must be at most %d characters", MaxPasswordLen)
	}
	return nil
}

// ID parses a required UUID.
func ID(field, s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, apperr.Invalid(field, "is required")
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, apperr.Invalid(field, "is not a valid id")
	}
	return id, nil
}

// OptionalID parses a UUID that may be empty (uuid.Nil then).
func OptionalID(field, s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, nil
	}
	return ID(field, s)
}

// IDs parses a list of UUIDs, dropping duplicates, keeping order.
func IDs(field string, ss []string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, 0, len(ss))
	seen := make(map[uuid.UUID]bool, len(ss))
	for _, s := range ss {
		id, err := ID(field, s)
		if err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// PageSize applies a default and checks the upper bound MaxPageSize.
func PageSize(field string, n int32, def int) (int, error) {
	return Limit(field, n, def, MaxPageSize)
}

// Limit applies a default to a count (0 means def) and checks it is at most
// limit.
func Limit(field string, n int32, def, limit int) (int, error) {
	switch {
	case n < 0:
		return 0, apperr.Invalid(field, "must not be negative")
	case n == 0:
		return def, nil
	case int(n) > limit:
		return 0, apperr.Invalid(field, "must be at most %d", limit)
	}
	return int(n), nil
}

// Clip returns s cut to at most limit bytes at a rune boundary, so that the
// result is valid UTF-8 (PostgreSQL refuses anything else) and fits a
// column whose limit ent checks in bytes (field.String(...).MaxLen counts
// len(s)). Invalid UTF-8 in s is replaced by U+FFFD first. Use it wherever
// untrusted or generated text is shortened to fit a column.
func Clip(s string, limit int) string {
	if limit <= 0 {
		return ""
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= limit {
		return s
	}
	i := limit
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}
