package analyzer

import (
	"time"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// Domain is a family of checks with its own score.
type Domain string

// The domains, in the fixed order used for Result.Domains and for sorting
// findings.
const (
	Hardware    Domain = "hardware"
	Storage     Domain = "storage"
	Performance Domain = "performance"
	Network     Domain = "network"
	System      Domain = "system"
	Software    Domain = "software"
	Security    Domain = "security"
	Logs        Domain = "logs"
	Platform    Domain = "platform"
)

// Domains returns every domain in its fixed order.
func Domains() []Domain {
	return []Domain{Hardware, Storage, Performance, Network, System, Software, Security, Logs, Platform}
}

// Status is the outcome of a check for one subject.
type Status string

// The statuses. Unknown means the data is missing or the check does not
// apply to the device's OS; it never costs points.
const (
	Pass    Status = "pass"
	Warn    Status = "warn"
	Fail    Status = "fail"
	Unknown Status = "unknown"
)

// Severity says how much a warning or failure matters; it sets the penalty
// (see doc.go) and so the band the device can reach.
type Severity string

// The severities, least to most severe.
const (
	Info     Severity = "info"
	Low      Severity = "low"
	Medium   Severity = "medium"
	High     Severity = "high"
	Critical Severity = "critical"
)

// Evidence is one measured value and where it came from.
type Evidence struct {
	// Label names the value, e.g. "free space".
	Label string `json:"label"`
	// Value is the measurement, formatted with its unit.
	Value string `json:"value"`
	// Source is the path in the snapshot, e.g. "storage.volumes[C:].free_bytes".
	Source string `json:"source"`
}

// Finding is the result of one check for one subject on one device.
type Finding struct {
	// CheckID is the stable id of the check, e.g. "storage.volume_free_space".
	CheckID string `json:"check_id"`
	// Subject distinguishes several findings of one check, e.g. "volume C:";
	// empty when the check yields one finding per device.
	Subject string `json:"subject"`
	// Domain is the check's domain.
	Domain Domain `json:"domain"`
	// Status is pass, warn, fail or unknown.
	Status Status `json:"status"`
	// Severity of a warn or fail (after policy); info for pass and unknown.
	Severity Severity `json:"severity"`
	// Penalty is the points the device (and the finding's domain) loses:
	// Deduction(domain, status, severity); 0 for pass and unknown, for
	// info-severity notes, and when suppressed.
	Penalty int `json:"penalty"`
	// Title is a short headline.
	Title string `json:"title"`
	// Detail explains the finding in one or two sentences.
	Detail string `json:"detail"`
	// Evidence lists the measured values with their source.
	Evidence []Evidence `json:"evidence"`
	// Recommendation is what a technician should do; empty for pass and unknown.
	Recommendation string `json:"recommendation,omitempty"`
	// Suppressed is true when policy suppresses the check; the finding is kept
	// and costs nothing.
	Suppressed bool `json:"suppressed,omitempty"`
	// SuppressReason is the policy's reason for suppressing.
	SuppressReason string `json:"suppress_reason,omitempty"`
}

// Key identifies a finding across analyses: check id and subject.
func (f Finding) Key() string {
	if f.Subject == "" {
		return f.CheckID
	}
	return f.CheckID + " (" + f.Subject + ")"
}

// Input is everything a device analysis reads.
type Input struct {
	// Snapshot is the device's latest snapshot; required.
	Snapshot *agentv1.Snapshot
	// Now is the analysis time. Checks never read the clock.
	Now time.Time
	// Server marks the device's role as server (the OS's own server flag
	// counts too). Servers weigh more in roll-ups and are judged differently
	// by some checks (disk encryption).
	Server bool
	// ReceivedAt is when the server received the snapshot; it decides
	// staleness and the agent check-in check. Zero means unknown (the
	// snapshot's collection time is used for staleness).
	ReceivedAt time.Time
}

// Override changes one check for a device, as resolved from tenant,
// organisation, group and device policy (nearest level wins).
type Override struct {
	// CheckID is the check this override applies to.
	CheckID string `json:"check_id"`
	// Enabled, when set to false, stops the check from running: no finding.
	Enabled *bool `json:"enabled,omitempty"`
	// Warn, Fail and Critical replace the check's thresholds, in the
	// check's own unit (see CheckInfo.Unit). A threshold the check does not
	// have is rejected by Policy.Validate and ignored by Analyze.
	Warn     *float64 `json:"warn,omitempty"`
	Fail     *float64 `json:"fail,omitempty"`
	Critical *float64 `json:"critical,omitempty"`
	// Severity replaces the severity of every warn and fail finding of the
	// check.
	Severity *Severity `json:"severity,omitempty"`
	// Suppress keeps the findings but marks them suppressed, with no penalty
	// and no effect on the band or on NeedsAttention.
	Suppress bool `json:"suppress,omitempty"`
	// Reason says why (shown with suppressed findings).
	Reason string `json:"reason,omitempty"`
}

// Policy is the merged set of overrides for one device, keyed by check id.
type Policy struct {
	Overrides map[string]Override `json:"overrides,omitempty"`
}

// DomainScore is one domain's score on a device.
type DomainScore struct {
	// Domain is the domain.
	Domain Domain `json:"domain"`
	// Score is clamp(100 − Σ penalties, 1, 100); 0 when not scored.
	Score int `json:"score"`
	// Scored is false when every check of the domain was unknown (or none ran).
	Scored bool `json:"scored"`
	// Checks is the number of findings in the domain; Unknown how many of
	// them are unknown.
	Checks  int `json:"checks"`
	Unknown int `json:"unknown"`
}

// Result is the analysis of one device.
type Result struct {
	// Findings in deterministic order: domain (fixed order), check id, subject.
	Findings []Finding `json:"findings"`
	// Domains lists every domain in fixed order.
	Domains []DomainScore `json:"domains"`
	// Score is the device score, 1..100 (0 when no domain is scored).
	Score int `json:"score"`
	// Scored is false when no domain has a score.
	Scored bool `json:"scored"`
	// Band is "healthy", "fair", "poor", "critical" or "unscored".
	Band Band `json:"band"`
	// CapReason says, for people, why the device is not healthy: the most
	// severe finding that costs points (then the costliest), written by
	// Reason, e.g. "Critical: Disk 0 is failing"; empty when the device is
	// healthy or unscored.
	CapReason string `json:"cap_reason,omitempty"`
	// NeedsAttention is true when the device is in the poor or critical
	// band or has an unsuppressed high or critical warning or failure.
	NeedsAttention bool `json:"needs_attention,omitempty"`
	// Coverage is the share of domains with a score, 0..1.
	Coverage float64 `json:"coverage"`
	// Stale is true when the snapshot is older than StaleAfter at Now.
	Stale bool `json:"stale"`
	// AsOf is the moment the findings describe: the snapshot's collection
	// time, but never later than Now (or ReceivedAt). Ages (signature age,
	// uptime, pending reboot…) and windows (events in 24 h / 7 days) are
	// measured from it.
	AsOf time.Time `json:"as_of"`
	// Version is the analyzer's model version (Version); store it with the
	// result so history rows from different models can be told apart.
	Version string `json:"version"`
}

// CheckInfo describes a check in the catalogue.
type CheckInfo struct {
	// ID is the stable check id.
	ID string `json:"id"`
	// Domain is the check's domain.
	Domain Domain `json:"domain"`
	// Title names the check.
	Title string `json:"title"`
	// Platforms the check applies to ("windows", "macos", "linux"); empty
	// means all.
	Platforms []string `json:"platforms,omitempty"`
	// Unit of the thresholds, e.g. "% free", "days".
	Unit string `json:"unit,omitempty"`
	// Compare says how a measured value is compared with a threshold: "<"
	// (below the threshold is bad), "<=", ">" or ">=" (at or above is bad).
	// Empty when the check has no numeric threshold.
	Compare string `json:"compare,omitempty"`
	// Warn, Fail and Critical are the default thresholds (nil: none).
	Warn     *float64 `json:"warn,omitempty"`
	Fail     *float64 `json:"fail,omitempty"`
	Critical *float64 `json:"critical,omitempty"`
	// WarnSeverity is the default severity of a warning, Severity of a
	// failure (a critical threshold, where present, raises a failure to
	// critical).
	WarnSeverity Severity `json:"warn_severity,omitempty"`
	Severity     Severity `json:"severity"`
	// Source says where the thresholds come from.
	Source string `json:"source"`
	// Description says what the check looks at.
	Description string `json:"description"`
}

// Member is one device in a roll-up.
type Member struct {
	// ID identifies the device (used for ordering and in CapReason).
	ID string `json:"id"`
	// Score is the device score (ignored when not Scored).
	Score int `json:"score"`
	// Scored is false for devices without a score.
	Scored bool `json:"scored"`
	// Server weighs the device as a server.
	Server bool `json:"server"`
	// Stale marks a device whose last snapshot is stale.
	Stale bool `json:"stale"`
	// NeedsAttention is the device's Result.NeedsAttention. A scored member
	// in the poor or critical band needs attention whatever this says.
	NeedsAttention bool `json:"needs_attention,omitempty"`
}

// Aggregate is the roll-up of a group, organisation or tenant.
type Aggregate struct {
	// Score is the role-weighted mean of scored members, held below the
	// ceilings of RollUp (share rule, critical and poor members); 0 when
	// nothing is scored.
	Score int `json:"score"`
	// Band of Score ("unscored" when nothing is scored).
	Band Band `json:"band"`
	// Scored is false when no member has a score.
	Scored bool `json:"scored"`
	// Bands counts devices per band, including "unscored"; every band key is
	// present.
	Bands map[Band]int `json:"bands"`
	// Worst lists up to five scored members, lowest score first, then id.
	Worst []Member `json:"worst"`
	// Coverage is scored members / members (0 when empty).
	Coverage float64 `json:"coverage"`
	// Freshness is non-stale members / members (0 when empty).
	Freshness float64 `json:"freshness"`
	// CapReason says, for people, which ceiling lowered the score and which
	// members set it, e.g. "2 of 5 devices are fair or worse (lowest: ws-3,
	// 74)"; members are named by ID (callers replace IDs with host names).
	// Empty when no ceiling lowered the score.
	CapReason string `json:"cap_reason,omitempty"`
	// Ceiling is the highest score the ceilings allow (100 when none
	// applies; 0 when nothing is scored).
	Ceiling int `json:"ceiling"`
	// NeedsAttention counts scored members that need attention: in the
	// poor or critical band, or with Member.NeedsAttention.
	NeedsAttention int `json:"needs_attention"`
}
