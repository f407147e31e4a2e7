// Package analyzer is Wegweiser's health model: the check catalogue that
// turns one device snapshot into findings, domain scores and a device
// score, and the roll-up that turns device scores into group, organisation
// and tenant scores. docs/scoring.md describes the model for technicians
// and engineers; this package is its definition.
//
// The number is computed, never guessed: every point a device loses is tied
// to a finding that names its evidence (the measured values and the
// snapshot path they came from) and says what to do.
//
// # Purity
//
// Analyze(Input, Policy) and RollUp([]Member) are pure functions: no clock
// (Input.Now is the analysis time), no I/O, no randomness, no map order in
// the output. The same input gives the same Result, byte for byte once
// encoded as JSON (docs/security.md, reliability 9). A check that panics makes
// Analyze return a *CheckError naming the check and no partial result
// (reliability 8): the job retries with backoff and is then discarded.
//
// Ages and windows (signature age, uptime, "in the last 7 days") are
// measured from Result.AsOf: the snapshot's collection time, capped at the
// arrival time and at Now, so re-analysing an old snapshot gives the same
// findings. Staleness is reported beside the score instead (Result.Stale).
//
// # Checks
//
// A check belongs to one domain and returns, per subject (a volume, a disk,
// an interface, an application, or the device): status pass, warn, fail or
// unknown; a severity; the penalty; evidence; title, detail and a
// recommendation. Unknown means the data is missing or the check does not
// apply to the OS; it never costs points. Each check's thresholds, unit,
// comparison, severities and the source of its thresholds are in
// Catalogue() (pinned by testdata/catalogue.golden.json); the code of each
// check carries a comment saying where its threshold comes from.
//
// docs/scoring.md lists every check with its thresholds, unit, severities
// and source; that table is generated from Catalogue() and
// TestScoringDocTable fails when the two differ.
//
// Sources of the thresholds: Microsoft's disk
// and storage event ids (disk 7, 9, 11, 15, 51, 52, 129, 153; Ntfs 55, 98),
// Kernel-Power 41 / EventLog 6008 / BugCheck 1001, Kernel-PnP 219/411 and
// the Microsoft Lifecycle dates; Backblaze Drive Stats (SMART 5 and 197,
// drive age); the NVMe "Percentage Used" field; the OSSEC/Wazuh brute-force
// rules (8 failures in 120 s); CIS Benchmarks and CIS Controls v8 (firewall
// profiles, anti-malware, patching, admin accounts, supported software);
// NIST SP 800-111 (device encryption) and 800-193 (firmware); Apple's
// vintage/obsolete policy and release history; Debian LTS, Ubuntu and RHEL
// life cycles; Zabbix OS templates for CPU, memory, swap and load. The
// end-of-support tables (eol.go, software.go) are dated November 2026; a
// version missing from them is unknown, never "supported". Where no
// outside guidance fits, the threshold is the project's own default and its
// Source says "Wegweiser default" with the reason in the check's comment.
//
// # Penalties
//
// A finding's base penalty depends on its status and severity (Penalty):
//
//	severity   fail   warn
//	info         0      0   (notes: shown, never cost points)
//	low          2      1
//	medium       6      3
//	high        17     11
//	critical    55     51
//
// Its actual penalty (Deduction, stored in Finding.Penalty) scales the base
// by its domain's factor, 95 % + the domain's weight, rounded half up, so
// security and storage findings cost 15 % more than software and platform
// ones. Each check has a default severity for its warnings and one for its
// failures (CheckInfo.WarnSeverity, CheckInfo.Severity); a critical
// threshold raises a failure to critical. Pass, unknown and suppressed
// findings cost nothing.
//
// # Scores
//
// Device score = clamp(100 − Σ penalties of all findings, 1, 100): findings
// add up, and the penalties are chosen so that severity reaches the band
// (docs/scoring.md, "Why these numbers"): any critical finding → critical
// (≤ CapCritical 49), any high finding → not healthy (≤ CapHigh 89), two
// high failures → poor or worse (≤ CapTwoHigh 66), while two high failures
// alone cost at most 40 (poor, not critical). The weights (sum 100;
// security and storage weigh most) set the factors and the per-domain view:
//
//	security 20, storage 20, system 15, hardware 10, logs 10,
//	performance 8, network 7, software 5, platform 5
//
// Domain score = clamp(100 − Σ penalties of the domain's findings, 1, 100).
// A domain where every finding is unknown (or no check ran) has no score
// and counts against coverage (Result.Coverage = scored domains / 9); a
// device with no scored domain is "unscored" (score 0). Bands: 90–100
// healthy, 70–89 fair, 50–69 poor, 1–49 critical.
//
// Result.CapReason says for people why a device is not healthy: its most
// severe finding that costs points (then the costliest), written by Reason
// from severity, title and subject, e.g. "Critical: Disk 0 is failing";
// empty for a healthy device. Result.NeedsAttention is true when the device
// is poor or critical or has an unsuppressed high or critical finding.
//
// properties_test.go checks the promises with property-based tests
// (pgregory.net/rapid): adding a warning or failure never raises the score
// and lowers it unless it is 1; a more severe finding costs more; severity
// reaches the band; suppressed findings change nothing.
//
// Stale: a result is marked stale when its snapshot arrived more than
// StaleAfter (24 h) before Now. Agents check in every 15 minutes and the
// check system.agent_checkin warns after three missed intervals (45 min,
// no points) and fails after 24 h (low); the stale mark itself waits a day
// so that laptops shut overnight do not flip dashboards.
//
// # Roll-up
//
// RollUp(members) for a group, organisation or tenant: the weighted mean
// of the scored members' scores, a server counting ServerWeight (3)
// workstations, rounded half up; then held at or below the lowest of three
// ceilings, so an entity is never in a better band than a meaningful share
// of its members allows:
//
//   - share rule: the top of the band of the member at the worst
//     RollUpShare (20 %) of the weight (members sorted worst first, servers
//     weighing 3). Two fair devices of five hold a group at 89; one of ten
//     does not;
//   - a member in the critical band: at most RollUpCapCritical (60);
//   - a member in the poor band: at most RollUpCapPoor (80).
//
// So 99 healthy workstations and one critical server give at most 60, and
// a group of five with two firewall-off devices is fair, not healthy.
// Aggregate.CapReason says which ceiling held the score down, in words,
// naming members by ID (the health package puts host names in). Beside the
// score: NeedsAttention (scored members that are poor or critical or have
// Member.NeedsAttention), Bands (devices per band, including "unscored"),
// Worst (the five lowest scores, then by id), Coverage (scored / members)
// and Freshness (non-stale / members). Unscored members are left out of
// the mean and the ceilings. Roll organisations and tenants up from their
// devices, not from the aggregates of their groups. The health package
// stores a device below half coverage (health.MinCoverage) as unscored, so
// such a device is left out too.
//
// # Policy
//
// Policy.Overrides (already merged: the nearest of tenant, organisation,
// group and device wins), keyed by check id:
//
//   - Enabled=false: the check does not run and yields no finding.
//   - Warn, Fail, Critical: replace thresholds, in the check's own unit; a
//     threshold the check does not have is ignored (Policy.Validate
//     reports it, and unknown check ids).
//   - Severity: replaces the severity of every warn and fail finding of the
//     check (and so its penalty and whether the device needs attention).
//   - Suppress (+Reason): warn and fail findings are kept with
//     Suppressed=true, the reason, and Penalty 0; they change neither the
//     score, the reason nor NeedsAttention.
//
// # History
//
// Store Result (it is JSON-ready) with Version; Diff(prev, cur) lists what
// changed ("−20: Firewall is off: Public (new)", "+63: Volume C: has 3.6 %
// free (resolved)") for the history row written when the score changes.
//
// # Tests
//
// testdata/ holds fixture snapshots as protojson (corpus.json lists them
// with their role and arrival time; the analysis time is fixed) and their
// expected results as <name>.golden.json. `go test -update` rewrites the
// goldens; `go test -tags fixturegen -run TestGenerateFixtures` rewrites
// the fixtures (including the simulated machines).
package analyzer
