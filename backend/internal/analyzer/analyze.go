package analyzer

import (
	"errors"
	"fmt"
	"math"
	"regexp"
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
const Version = "2026.12.1"

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

// failPenalty and warnPenalty are the points a failure and a warning cost
// in a domain of factor 100 % (software, platform); DomainFactor scales them
// up for the domains where data is lost. The numbers are chosen so that the
// band follows from the severity (docs/scoring.md): one critical finding
// costs at least 51 (critical band), one high finding at least 11 (out of
// healthy), two high failures at least 34 (poor or worse) and three at least
// 51 (critical), while two high failures cost at most 40 (so they land in
// poor, not critical, unless more is wrong). Info-severity
// warnings and failures are notes: they cost nothing.
var (
	failPenalty = map[Severity]int{Info: 0, Low: 2, Medium: 6, High: 17, Critical: 55}
	warnPenalty = map[Severity]int{Info: 0, Low: 1, Medium: 3, High: 11, Critical: 51}
)

// Penalty returns the base points a finding with this status and severity
// costs (before suppression), i.e. its cost in a domain whose factor is
// 100 %. A finding's actual cost is Deduction, which applies the domain's
// factor.
func Penalty(st Status, sev Severity) int {
	switch st {
	case Fail:
		return failPenalty[sev]
	case Warn:
		return warnPenalty[sev]
	}
	return 0
}

// Deduction returns the points a finding with this status and severity
// costs in domain d: Penalty scaled by DomainFactor(d), rounded half up.
// It is what Finding.Penalty holds for an unsuppressed finding.
func Deduction(d Domain, st Status, sev Severity) int {
	return (Penalty(st, sev)*DomainFactor(d) + 50) / 100
}

var severityRank = map[Severity]int{Info: 0, Low: 1, Medium: 2, High: 3, Critical: 4}

// ValidSeverity reports whether s is one of the five severities.
func ValidSeverity(s Severity) bool { _, ok := severityRank[s]; return ok }

// domainWeight is each domain's weight (sum 100): how much the domain
// matters, shown in the per-domain view and setting DomainFactor.
var domainWeight = map[Domain]int{
	Security: 20, Storage: 20, System: 15, Hardware: 10, Logs: 10,
	Performance: 8, Network: 7, Software: 5, Platform: 5,
}

// DomainWeight returns a domain's weight (weights sum to 100).
func DomainWeight(d Domain) int { return domainWeight[d] }

// DomainFactor returns the percentage by which a finding's base penalty is
// scaled in domain d: 95 + the domain's weight, so 100 % for the lightest
// domains (software, platform) and 115 % for security and storage, where
// data is lost. The scaling is gentle on purpose: severity decides the band,
// the domain only orders findings of one severity.
func DomainFactor(d Domain) int { return 95 + domainWeight[d] }

var domainOrder = func() map[Domain]int {
	m := map[Domain]int{}
	for i, d := range Domains() {
		m[d] = i
	}
	return m
}()

// Device ceilings that follow from the penalties (they are guarantees, not
// separate caps): a device with an unsuppressed critical warning or failure
// scores at most CapCritical, one with a high one at most CapHigh, one with
// two high failures at most CapTwoHigh.
const (
	CapCritical = 100 - 51   // the smallest critical penalty (a warning)
	CapHigh     = 100 - 11   // the smallest high penalty (a warning)
	CapTwoHigh  = 100 - 2*17 // two of the smallest high failure penalties
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
	e := &env{in: in, s: in.Snapshot, asOf: asOf(in), server: in.Server || in.Snapshot.GetOs().GetServer()}
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
			f.Penalty = Deduction(f.Domain, f.Status, f.Severity)
			if hasO && o.Suppress && (f.Status == Warn || f.Status == Fail) {
				f.Suppressed, f.SuppressReason, f.Penalty = true, o.Reason, 0
			}
			if f.Evidence == nil {
				f.Evidence = []Evidence{}
			}
			// Texts read for people; subjects and evidence keep the
			// machine names they are keyed and sourced by.
			f.Title, f.Detail, f.Recommendation = readable(f.Title), readable(f.Detail), readable(f.Recommendation)
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

// score computes domain scores, the device score, its reason and coverage
// from sorted findings whose Penalty is set (Deduction, 0 when suppressed).
//
// Device score = clamp(100 − Σ Penalty, 1, 100) over every finding, so each
// warning or failure that costs points lowers the score (until the floor)
// and several findings add up. Domain score = the same over the domain's
// findings.
func score(findings []Finding) Result {
	type acc struct{ penalty, checks, unknown int }
	accs := map[Domain]*acc{}
	for _, d := range Domains() {
		accs[d] = &acc{}
	}
	var top *Finding
	total := 0
	for i := range findings {
		f := &findings[i]
		a := accs[f.Domain]
		a.checks++
		if f.Status == Unknown {
			a.unknown++
		}
		a.penalty += f.Penalty
		total += f.Penalty
		if f.Penalty > 0 && (top == nil || worseFinding(f, top)) {
			top = f
		}
	}
	r := Result{Findings: findings}
	scored := 0
	for _, d := range Domains() {
		a := accs[d]
		ds := DomainScore{Domain: d, Checks: a.checks, Unknown: a.unknown}
		if a.checks > a.unknown {
			ds.Scored = true
			ds.Score = clamp(100-a.penalty, 1, 100)
			scored++
		}
		r.Domains = append(r.Domains, ds)
	}
	r.Coverage = float64(scored) / float64(len(r.Domains))
	if scored == 0 {
		r.Band = BandOf(0)
		return r
	}
	r.Scored = true
	r.Score = clamp(100-total, 1, 100)
	r.Band = BandOf(r.Score)
	r.NeedsAttention = r.Band == BandPoor || r.Band == BandCritical
	for i := range findings {
		if f := &findings[i]; f.Penalty > 0 && severityRank[f.Severity] >= severityRank[High] {
			r.NeedsAttention = true
		}
	}
	if top != nil && r.Band != BandHealthy {
		r.CapReason = Reason(*top)
	}
	return r
}

// worseFinding orders findings by severity, then penalty, then status (fail
// before warn), then the fixed finding order (a stays first on a tie).
func worseFinding(a, b *Finding) bool {
	if ra, rb := severityRank[a.Severity], severityRank[b.Severity]; ra != rb {
		return ra > rb
	}
	if a.Penalty != b.Penalty {
		return a.Penalty > b.Penalty
	}
	return a.Status == Fail && b.Status != Fail
}

// severityLabel is a severity as a person reads it at the start of a reason.
var severityLabel = map[Severity]string{Info: "Note", Low: "Low", Medium: "Medium", High: "High", Critical: "Critical"}

// Reason writes a finding for people, for the line beside a score: its
// severity, its title and, when the title does not already name it, its
// subject, e.g. "Critical: Disk 0 is failing" or "Medium: PHP 7.4 is no
// longer supported (php7.4-fpm)". Device paths such as \\.\PHYSICALDRIVE0
// read as "disk 0".
func Reason(f Finding) string {
	title := readable(f.Title)
	if title == "" {
		title = f.CheckID
	}
	out := severityLabel[f.Severity] + ": " + title
	if f.Subject != "" {
		subj := physicalDrive.ReplaceAllString(f.Subject, "disk $1")
		name := subj
		if kind, rest, ok := strings.Cut(subj, " "); ok && slices.Contains(subjectKinds, kind) {
			name = rest
		}
		if !strings.Contains(strings.ToLower(title), strings.ToLower(name)) {
			out += " (" + subj + ")"
		}
	}
	return out
}

// subjectKinds are the words a subject starts with before its name.
var subjectKinds = []string{"volume", "disk", "app", "interface", "service", "account", "adapter"}

// physicalDrive matches Windows device paths of physical disks.
var physicalDrive = regexp.MustCompile(`(?i)(?:disk )?\\\\\.\\PHYSICALDRIVE(\d+)`)

// readable rewrites machine names in a text for people: a Windows physical
// drive path (with or without a leading "disk") becomes "disk N", written
// "Disk N" at the start of a sentence. Analyze applies it to every
// finding's title, detail and recommendation; Reason to subjects too.
func readable(s string) string {
	if !strings.Contains(strings.ToUpper(s), "PHYSICALDRIVE") {
		return s
	}
	out := physicalDrive.ReplaceAllString(s, "disk $1")
	return sentenceDisk.ReplaceAllString(out, "${1}Disk $2")
}

// sentenceDisk finds "disk N" at the start of a text or a sentence.
var sentenceDisk = regexp.MustCompile(`(^|[.!?]\s+)disk (\d)`)

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
