// Package analyzer is Wegweiser's health model: the check catalogue that
// turns one device snapshot into findings, domain scores and a device
// score, and the roll-up that turns device scores into group, organisation
// and tenant scores. It implements /work/shared/design/SCORING.md.
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
//	check                              warn / fail (critical)          unit
//	hardware.age                       > 5 / > 7                       years (BIOS date; Windows, Linux)
//	hardware.battery_capacity          < 80 / < 60                     % of design capacity
//	hardware.firmware_age              > 3 / —                         years since BIOS release
//	storage.volume_free_space          < 20 / < 10 (< 5 critical)      % free, per volume
//	storage.smart_health               warning / failing or predicted  per disk (fail is critical)
//	storage.smart_reallocated_sectors  ≥ 1 / ≥ 100                     sectors (SMART 5)
//	storage.smart_pending_sectors      ≥ 1 / ≥ 10                      sectors (SMART 197)
//	storage.ssd_wear                   ≥ 80 / ≥ 95                     % endurance used
//	storage.disk_temperature           ≥ 60 / ≥ 70                     °C
//	storage.disk_power_on_hours        ≥ 43,800 / ≥ 61,320             hours (5 / 7 years)
//	performance.cpu                    > 80 / > 95                     % mean of samples
//	performance.memory                 > 80 / > 95                     % mean of samples
//	performance.swap                   > 50 / > 80                     % used
//	performance.load_average           > 1.5 / > 3                     15-min load per CPU (Unix)
//	network.interface_errors           ≥ 0.01 / ≥ 1                    % of estimated packets (≥ 100 errors)
//	network.link_speed                 < 1000 / —                      Mbit/s, wired physical links
//	network.default_gateway            none / —
//	network.dns_servers                none / —
//	network.link_local_address         only 169.254.x.x / —
//	system.os_end_of_life              < 180 / < 0                     days to end of security updates
//	system.uptime                      > 30 / > 90                     days
//	system.pending_reboot              > 3 / > 14                      days pending
//	system.services                    any automatic stopped / ≥ 1 core stopped
//	system.agent_checkin               > 45 / > 1440                   minutes since arrival
//	system.clock_ahead                 > 5 / —                         minutes ahead of the server
//	system.collector_errors            any (info, no points)
//	software.end_of_life               < 180 / < 0                     days to end of support, per program
//	security.firewall                  — / any profile off
//	security.antivirus                 — / none, off, out of date or signatures > 3 days
//	security.disk_encryption           off (workstations; info on servers) / —
//	security.screen_lock               none or > 30 / —                minutes
//	security.missing_critical_updates  — / ≥ 1                         critical or security updates
//	security.last_update_age           > 30 / > 90                     days
//	security.automatic_updates         off / —
//	security.local_admins              > 3 / —                         accounts
//	security.secure_boot               off / —                         Windows, physical
//	security.hardening_index           < 70 / < 50                     Lynis index
//	logs.disk_hardware_events          ≤ 168 / ≤ 24                    hours since the last disk error
//	logs.failed_logon_burst            — / ≥ 8                         failed logons per 2 min (estimated)
//	logs.failed_logons                 ≥ 20 / ≥ 100                    failed logons in 7 days
//	logs.app_crashes                   ≥ 3 / ≥ 10                      crashes of one app in 7 days
//	logs.system_crashes                ≥ 1 / ≥ 3                       incidents in 7 days
//	logs.error_volume                  ≥ 100 / ≥ 1000                  error events in 7 days
//	platform.windows_drivers           ≥ 1 / ≥ 10                      driver problems in 7 days
//	platform.mac_hardware_age          > 5 / > 7                       years since the model year
//	platform.macos_version_age         ≥ 1 / ≥ 2                       majors behind (90-day grace)
//
// Sources of the thresholds: SCORING.md's starting table; Microsoft's disk
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
// version missing from them is unknown, never "supported".
//
// # Penalties
//
// A finding's penalty depends on its status and severity only:
//
//	severity   fail   warn (half, rounded up)
//	info         0      0
//	low          3      2
//	medium       8      4
//	high        15      8
//	critical    30     15
//
// Each check has a default severity for its warnings and one for its
// failures (CheckInfo.WarnSeverity, CheckInfo.Severity); a critical
// threshold raises a failure to critical. Pass and unknown cost nothing.
//
// # Scores
//
// Domain score = clamp(100 − Σ penalties of the domain's findings, 1, 100).
// A domain where every finding is unknown (or no check ran) has no score
// and counts against coverage (Result.Coverage = scored domains / 9).
//
// Device score = weighted mean of the scored domains, rounded half up, with
// these weights (sum 100; security and storage weigh most):
//
//	security 20, storage 20, system 15, hardware 10, logs 10,
//	performance 8, network 7, software 5, platform 5
//
// then capped: any critical warn/fail finding caps the device at 40, any
// high one at 70 (suppressed findings never cap). Result.CapReason names
// the finding when a cap lowered the score, e.g. "critical finding:
// storage.smart_health (disk \\.\PHYSICALDRIVE0)". Bands: 90–100 healthy,
// 70–89 fair, 50–69 poor, 1–49 critical; a device with no scored domain is
// "unscored" (score 0).
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
// workstations, rounded half up; then capped by the worst member: an entity
// with a device in the critical band scores at most 60, with a device in
// the poor band at most 80. So 99 healthy workstations and one critical
// server give at most 60: a sick device is never hidden. Unscored members
// are left out of the mean and count against Coverage (scored / members);
// Freshness is non-stale / members; Bands counts devices per band
// (including "unscored"); Worst lists the five lowest scores (then by id).
// Roll organisations and tenants up from their devices, not from the
// aggregates of their groups.
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
//     check (and so its penalty and cap).
//   - Suppress (+Reason): warn and fail findings are kept with
//     Suppressed=true, the reason, and Penalty 0; they do not cap.
//
// # History
//
// Store Result (it is JSON-ready) with Version; Diff(prev, cur) lists what
// changed ("−15: Firewall is off: Public (new)", "+30: Volume C: has 3.6 %
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
