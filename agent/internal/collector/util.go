package collector

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// NewID returns a random (version 4) UUID.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// truncate cuts s to at most n characters, keeping valid UTF-8.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// cleanText makes untrusted text valid UTF-8 without control characters
// other than newline and tab.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s)
}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n
}

func atoi32(s string) int32 {
	n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	return int32(n)
}

// lines splits output into trimmed, non-empty lines.
func lines(b []byte) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// keyValues parses "key: value" (or "key=value" with sep "=") lines.
func keyValues(b []byte, sep string) map[string]string {
	m := map[string]string{}
	for _, l := range lines(b) {
		k, v, ok := strings.Cut(l, sep)
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if _, dup := m[k]; !dup {
			m[k] = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return m
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

type timestampProto = timestamppb.Timestamp

// maxCrashes bounds the crash section of one snapshot.
const maxCrashes = 100

// sortCrashes orders crashes newest first and keeps at most maxCrashes.
func sortCrashes(cs []*agentv1.Crash) []*agentv1.Crash {
	sort.SliceStable(cs, func(i, j int) bool {
		return cs[i].GetTime().AsTime().After(cs[j].GetTime().AsTime())
	})
	if len(cs) > maxCrashes {
		cs = cs[:maxCrashes]
	}
	return cs
}
