package analyzer

import (
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// Version is the scoring model's version. It changes whenever a check,
// threshold, penalty, weight or cap changes, so that stored history can tell
// a score change caused by the device from one caused by the model.
const Version = "2026.11.1"

// StaleAfter is how old a snapshot may be before its result is marked
// stale. Agents check in every 15 minutes; the check-in check already warns
// after three missed intervals (45 minutes), but a laptop that is shut for a
// night should not flip every dashboard, so the stale mark waits a day (the
// fail threshold of system.agent_checkin).
const StaleAfter = 24 * time.Hour

// CheckError is returned by Analyze when a check panics. No partial result is
// returned with it. A panic depends only on the input, so retrying the same
// snapshot panics again; callers retry a few times (the model may have been
// fixed by a deployment) and then discard the job.
type CheckError struct {
	// CheckID is the check that panicked.
	CheckID string
	// Value is what it panicked with.
	Value any
	// Stack is the goroutine stack at the panic.
	Stack string
}

// Error implements error.
func (e *CheckError) Error() string {
	return fmt.Sprintf("analyzer: check %s panicked: %v", e.CheckID, e.Value)
}

// ErrNoSnapshot is returned by Analyze when the input has no snapshot.
var ErrNoSnapshot = errors.New("analyzer: input has no snapshot")

// beforeCheck, when set (tests only), runs before every check with its id;
// a test makes it panic to exercise the recovery.
var beforeCheck func(id string)

// check is one entry of the catalogue: its description and its function.
type check struct {
	info CheckInfo
	run  func(e *env)
}

// env is what a check function sees: the input, its effective thresholds,
// and where it appends findings.
type env struct {
	in     Input
	s      *agentv1.Snapshot
	asOf   time.Time
	server bool
	info   *CheckInfo
	// effective thresholds (policy applied); has* false when absent
	warnT, failT, critT       float64
	hasWarn, hasFail, hasCrit bool
	out                       []Finding
}

// add appends a finding; the framework fills in check id, domain, default
// severity and penalty.
func (e *env) add(f Finding) { e.out = append(e.out, f) }

// unknown appends an unknown finding for subject with the reason why.
func (e *env) unknown(subject, why string, ev ...Evidence) {
	e.add(Finding{Subject: subject, Status: Unknown, Title: e.info.Title + ": no data", Detail: why, Evidence: ev})
}

// platform is the snapshot's OS family in lower case ("windows", "macos",
// "linux" or "").
func (e *env) platform() string { return strings.ToLower(e.s.GetOs().GetPlatform()) }

// bad reports whether v is on the bad side of threshold t for the check's
// comparison.
func (e *env) bad(v, t float64) bool {
	switch e.info.Compare {
	case "<":
		return v < t
	case "<=":
		return v <= t
	case ">":
		return v > t
	case ">=":
		return v >= t
	}
	panic("analyzer: check " + e.info.ID + " compares without an operator")
}

// level grades v against the effective thresholds: Fail (with critical true
// when the critical threshold is crossed too), Warn or Pass.
func (e *env) level(v float64) (st Status, critical bool) {
	switch {
	case e.hasCrit && e.bad(v, e.critT):
		return Fail, true
	case e.hasFail && e.bad(v, e.failT):
		return Fail, false
	case e.hasWarn && e.bad(v, e.warnT):
		return Warn, false
	}
	return Pass, false
}

// graded appends a finding whose status comes from level(v); a critical
// crossing raises the severity to critical.
func (e *env) graded(v float64, f Finding) {
	st, crit := e.level(v)
	f.Status = st
	if crit {
		f.Severity = Critical
	}
	if st == Pass {
		f.Recommendation = ""
	}
	e.add(f)
}

// penalties by severity for a failure; a warning costs half, rounded up.
var failPenalty = map[Severity]int{Info: 0, Low: 3, Medium: 8, High: 15, Critical: 30}

// Penalty returns the points a finding with this status and severity costs
// (before suppression).
func Penalty(st Status, sev Severity) int {
	switch st {
	case Fail:
		return failPenalty[sev]
	case Warn:
		return (failPenalty[sev] + 1) / 2
	}
	return 0
}

var severityRank = map[Severity]int{Info: 0, Low: 1, Medium: 2, High: 3, Critical: 4}

// ValidSeverity reports whether s is one of the five severities.
func ValidSeverity(s Severity) bool { _, ok := severityRank[s]; return ok }

// domainWeight is each domain's weight in the device score (sum 100).
var domainWeight = map[Domain]int{
	Security: 20, Storage: 20, System: 15, Hardware: 10, Logs: 10,
	Performance: 8, Network: 7, Software: 5, Platform: 5,
}

// DomainWeight returns a domain's weight in the device score (weights sum to
// 100).
func DomainWeight(d Domain) int { return domainWeight[d] }

var domainOrder = func() map[Domain]int {
	m := map[Domain]int{}
	for i, d := range Domains() {
		m[d] = i
	}
	return m
}()

// Device caps: a critical finding caps the score at CapCritical, a high one
// at CapHigh (docs/scoring.md).
const (
	CapCritical = 40
	CapHigh     = 70
)

// Band is the band of a score (see BandOf); it is encoded as its name.
type Band string

// The bands, best first, and the band of no score.
const (
	BandHealthy  Band = "healthy"
	BandFair     Band = "fair"
	BandPoor     Band = "poor"
	BandCritical Band = "critical"
	BandUnscored Band = "unscored"
)

// AllBands lists every band, best first, then BandUnscored.
var AllBands = []Band{BandHealthy, BandFair, BandPoor, BandCritical, BandUnscored}

// BandRange is a band with its score range (both ends included).
type BandRange struct {
	// Name is the band.
	Name Band `json:"name"`
	// Min and Max are the lowest and highest score in the band.
	Min int `json:"min"`
	Max int `json:"max"`
}

// bandRanges are the bands, best first; scores below the last are unscored.
var bandRanges = []BandRange{
	{Name: BandHealthy, Min: 90, Max: 100},
	{Name: BandFair, Min: 70, Max: 89},
	{Name: BandPoor, Min: 50, Max: 69},
	{Name: BandCritical, Min: 1, Max: 49},
}

// Bands returns the scored bands, best first, with their score ranges.
func Bands() []BandRange { return append([]BandRange(nil), bandRanges...) }

// Severities returns the severities, least to most severe.
func Severities() []Severity { return []Severity{Info, Low, Medium, High, Critical} }

// BandOf maps a score to its band: 90–100 healthy, 70–89 fair, 50–69 poor,
// 1–49 critical (see Bands); anything below 1 (no score) is unscored.
func BandOf(score int) Band {
	for _, b := range bandRanges {
		if score >= b.Min {
			return b.Name
		}
	}
	return BandUnscored
}

// Validate reports overrides that Analyze would ignore or reject: unknown
// check ids, thresholds a check does not have, non-finite thresholds and
// unknown severities. The API should call it before storing a policy.
func (p Policy) Validate() error {
	var errs []error
	ids := make([]string, 0, len(p.Overrides))
	for id := range p.Overrides {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		o := p.Overrides[id]
		c, ok := byID[id]
		if !ok {
			errs = append(errs, fmt.Errorf("override for unknown check %q", id))
			continue
		}
		if o.CheckID != "" && o.CheckID != id {
			errs = append(errs, fmt.Errorf("override keyed %q names check %q", id, o.CheckID))
		}
		for _, t := range []struct {
			name      string
			v, preset *float64
		}{{"warn", o.Warn, c.info.Warn}, {"fail", o.Fail, c.info.Fail}, {"critical", o.Critical, c.info.Critical}} {
			if t.v == nil {
				continue
			}
			if math.IsNaN(*t.v) || math.IsInf(*t.v, 0) {
				errs = append(errs, fmt.Errorf("%s: %s threshold is not a finite number", id, t.name))
			}
			if t.preset == nil {
				errs = append(errs, fmt.Errorf("%s has no %s threshold", id, t.name))
			}
		}
		if o.Severity != nil && !ValidSeverity(*o.Severity) {
			errs = append(errs, fmt.Errorf("%s: unknown severity %q", id, *o.Severity))
		}
	}
	return errors.Join(errs...)
}

// Analyze runs the check catalogue over one snapshot under a policy and
// scores the device. It is pure and deterministic: the same input and policy
// give the same Result, byte for byte once encoded. A check that panics
// makes Analyze return a *CheckError and no result. Overrides for unknown
// checks are ignored; a non-finite threshold or an unknown severity in an
// override is an error.
func Analyze(in Input, p Policy) (Result, error) {
	if in.Snapshot == nil {
		return Result{}, ErrNoSnapshot
	}
	for id, o := range p.Overrides {
		for _, v := range []*float64{o.Warn, o.Fail, o.Critical} {
			if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
				return Result{}, fmt.Errorf("analyzer: policy for %s: threshold is not a finite number", id)
			}
		}
		if o.Severity != nil && !ValidSeverity(*o.Severity) {
			return Result{}, fmt.Errorf("analyzer: policy for %s: unknown severity %q", id, *o.Severity)
		}
	}
	e := &env{in: in, s: in.snapshot(), asOf: asOf(in), server: in.Server || in.Snapshot.GetOs().GetServer()}
	findings := make([]Finding, 0, 64)
	for i := range catalogue {
		c := &catalogue[i]
		o, hasO := p.Overrides[c.info.ID]
		if hasO && o.Enabled != nil && !*o.Enabled {
			continue
		}
		fs, err := runCheck(e, c, o)
		if err != nil {
			return Result{}, err
		}
		// Checks run in output order (catalogue is sorted by domain and
		// id); only the subjects of one check need sorting.
		if len(fs) > 1 {
			sort.SliceStable(fs, func(i, j int) bool { return fs[i].Subject < fs[j].Subject })
		}
		for _, f := range fs {
			f.CheckID, f.Domain = c.info.ID, c.info.Domain
			switch f.Status {
			case Warn, Fail:
				if f.Severity == "" {
					f.Severity = c.info.Severity
					if f.Status == Warn {
						f.Severity = c.info.WarnSeverity
					}
				}
				if hasO && o.Severity != nil {
					f.Severity = *o.Severity
				}
			default:
				f.Severity = Info
				f.Recommendation = ""
			}
			f.Penalty = Penalty(f.Status, f.Severity)
			if hasO && o.Suppress && (f.Status == Warn || f.Status == Fail) {
				f.Suppressed, f.SuppressReason, f.Penalty = true, o.Reason, 0
			}
			if f.Evidence == nil {
				f.Evidence = []Evidence{}
			}
			findings = append(findings, f)
		}
	}
	r := score(findings)
	r.AsOf = e.asOf
	r.Stale = isStale(in)
	r.Version = Version
	return r, nil
}

// runCheck runs one check with its effective thresholds and turns a panic
// into a *CheckError.
func runCheck(e *env, c *check, o Override) (fs []Finding, err error) {
	defer func() {
		if v := recover(); v != nil {
			fs, err = nil, &CheckError{CheckID: c.info.ID, Value: v, Stack: string(debug.Stack())}
		}
	}()
	e.info = &c.info
	e.out = nil
	e.warnT, e.hasWarn = pick(c.info.Warn, o.Warn)
	e.failT, e.hasFail = pick(c.info.Fail, o.Fail)
	e.critT, e.hasCrit = pick(c.info.Critical, o.Critical)
	if beforeCheck != nil {
		beforeCheck(c.info.ID)
	}
	if len(c.info.Platforms) > 0 && !slices.Contains(c.info.Platforms, e.platform()) {
		pl := e.platform()
		if pl == "" {
			pl = "an unreported OS"
		}
		e.unknown("", "Does not apply to "+pl+".", Evidence{"platform", orNone(e.s.GetOs().GetPlatform()), "os.platform"})
		return e.out, nil
	}
	c.run(e)
	return e.out, nil
}

// pick returns the override when the check has that threshold, else the
// default.
func pick(def, over *float64) (float64, bool) {
	if def == nil {
		return 0, false
	}
	if over != nil {
		return *over, true
	}
	return *def, true
}

// score computes domain scores, the device score, caps and coverage from
// sorted findings.
func score(findings []Finding) Result {
	type acc struct{ penalty, checks, unknown int }
	accs := map[Domain]*acc{}
	for _, d := range Domains() {
		accs[d] = &acc{}
	}
	var capFinding *Finding
	for i := range findings {
		f := &findings[i]
		a := accs[f.Domain]
		a.checks++
		if f.Status == Unknown {
			a.unknown++
		}
		a.penalty += f.Penalty
		if f.Suppressed || (f.Status != Warn && f.Status != Fail) {
			continue
		}
		if f.Severity == Critical || f.Severity == High {
			if capFinding == nil || severityRank[f.Severity] > severityRank[capFinding.Severity] {
				capFinding = f
			}
		}
	}
	r := Result{Findings: findings}
	var sum, weights, scored int
	for _, d := range Domains() {
		a := accs[d]
		ds := DomainScore{Domain: d, Checks: a.checks, Unknown: a.unknown}
		if a.checks > a.unknown {
			ds.Scored = true
			ds.Score = clamp(100-a.penalty, 1, 100)
			sum += domainWeight[d] * ds.Score
			weights += domainWeight[d]
			scored++
		}
		r.Domains = append(r.Domains, ds)
	}
	r.Coverage = float64(scored) / float64(len(r.Domains))
	if weights == 0 {
		r.Band = BandOf(0)
		return r
	}
	r.Scored = true
	r.Score = clamp((2*sum+weights)/(2*weights), 1, 100) // rounded half up
	if capFinding != nil {
		limit := CapHigh
		if capFinding.Severity == Critical {
			limit = CapCritical
		}
		if r.Score > limit {
			r.Score = limit
			r.CapReason = string(capFinding.Severity) + " finding: " + capFinding.Key()
		}
	}
	r.Band = BandOf(r.Score)
	return r
}

func clamp(v, lo, hi int) int {
	return max(lo, min(hi, v))
}

// asOf is the moment a snapshot describes: its collection time, capped at
// ReceivedAt (a device clock ahead of the server's) and at Now; without a
// collection time, ReceivedAt, else Now.
func asOf(in Input) time.Time {
	t := in.Now
	if !in.ReceivedAt.IsZero() && in.ReceivedAt.Before(t) {
		t = in.ReceivedAt
	}
	if ct := in.Snapshot.GetCollectedTime(); ct != nil && ct.IsValid() {
		if c := ct.AsTime(); c.Before(t) {
			t = c
		}
	}
	return t.UTC()
}

// isStale reports whether the snapshot is older than StaleAfter at Now,
// measured from ReceivedAt (or the collection time when that is unknown).
func isStale(in Input) bool {
	t := in.ReceivedAt
	if t.IsZero() {
		ct := in.Snapshot.GetCollectedTime()
		if ct == nil || !ct.IsValid() {
			return true
		}
		t = ct.AsTime()
	}
	return in.Now.Sub(t) > StaleAfter
}
