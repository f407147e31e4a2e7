package analyzer

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
)

// catalogue is every check, sorted by domain (fixed order) and id: the order
// they run in, which is also the order of their findings.
var catalogue = func() []check {
	cs := concat(hardwareChecks, storageChecks, performanceChecks, networkChecks, systemChecks,
		softwareChecks, securityChecks, logsChecks, platformChecks)
	sort.SliceStable(cs, func(i, j int) bool { return lessInfo(cs[i].info, cs[j].info) })
	return cs
}()

var byID = func() map[string]*check {
	m := map[string]*check{}
	for i := range catalogue {
		c := &catalogue[i]
		if _, dup := m[c.info.ID]; dup {
			panic("analyzer: duplicate check id " + c.info.ID)
		}
		m[c.info.ID] = c
	}
	return m
}()

func concat(lists ...[]check) []check {
	var out []check
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Catalogue returns every check's description, ordered by domain (fixed
// order) and id.
func Catalogue() []CheckInfo {
	out := make([]CheckInfo, 0, len(catalogue))
	for _, c := range catalogue {
		info := c.info // a deep copy: callers cannot change the defaults
		info.Platforms = slices.Clone(info.Platforms)
		info.Warn, info.Fail, info.Critical = clonePtr(info.Warn), clonePtr(info.Fail), clonePtr(info.Critical)
		out = append(out, info)
	}
	return out
}

func lessInfo(a, b CheckInfo) bool {
	if a.Domain != b.Domain {
		return domainOrder[a.Domain] < domainOrder[b.Domain]
	}
	return a.ID < b.ID
}

func clonePtr(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// f64 returns a pointer to v, for threshold literals.
func f64(v float64) *float64 { return &v }

// --- formatting helpers: every value in evidence is formatted the same way.

const gib = 1 << 30

func fmtGiB(b int64) string { return fmt.Sprintf("%.1f GiB", float64(b)/gib) }

func fmtPct(v float64) string { return fmt.Sprintf("%.1f %%", v) }

func fmtNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.2f", v)
}

func fmtDays(d time.Duration) string { return fmt.Sprintf("%.1f days", d.Hours()/24) }

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// days returns a duration in days.
func days(d time.Duration) float64 { return d.Hours() / 24 }

// tsOK returns the time of a timestamp and whether it is set and valid.
func tsOK(ts *timestamppb.Timestamp) (time.Time, bool) {
	if ts == nil || !ts.IsValid() || (ts.Seconds == 0 && ts.Nanos == 0) {
		return time.Time{}, false
	}
	return ts.AsTime(), true
}

// since returns asOf − t, never negative (a device clock ahead of the
// server's gives 0).
func (e *env) since(t time.Time) time.Duration {
	d := e.asOf.Sub(t)
	if d < 0 {
		return 0
	}
	return d
}

// parseDate parses YYYY-MM-DD (or the leading part of a longer string, or
// the Windows WMI form YYYYMMDD…).
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 10 {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return t, true
		}
		if t, err := time.Parse("01/02/2006", s[:10]); err == nil {
			return t, true
		}
	}
	if len(s) >= 8 {
		if t, err := time.Parse("20060102", s[:8]); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func mustDate(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
