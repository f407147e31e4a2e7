// Package health turns snapshots into scores and keeps them: it analyses a
// device with the check catalogue (backend/internal/analyzer), stores its
// current health and a history row whenever the score changes, rolls
// devices up into groups, organisations and the tenant, and answers what a
// score is made of and why it changed. Jobs call it with a tenant; every
// read and write runs as a viewer of that tenant only.
package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/alert"
	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/devicedata"
	"github.com/wegweiser/wegweiser/backend/internal/inventory"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/policy"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/devicefinding"
	"github.com/wegweiser/wegweiser/ent/devicehealth"
	"github.com/wegweiser/wegweiser/ent/entityhealth"
	"github.com/wegweiser/wegweiser/ent/healthhistory"
	"github.com/wegweiser/wegweiser/ent/predicate"
	"github.com/wegweiser/wegweiser/ent/tenant"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// MinCoverage is the share of domains that must have a score for the device
// to be scored at all: a device whose collectors mostly failed is shown as
// "no score" rather than as healthy on the little that was seen.
const MinCoverage = 0.5

// StaleAfter is how old a device's last snapshot may be before its score is
// shown as stale (the fail threshold of the agent check-in check).
const StaleAfter = 24 * time.Hour

// Service analyses devices and rolls them up.
type Service struct {
	st     *store.Store
	jobs   *jobs.Client
	inv    *inventory.Service
	policy *policy.Service
	alerts *alert.Service
	log    *slog.Logger
	now    func() time.Time
}

// NewService returns a health service.
func NewService(st *store.Store, jc *jobs.Client, inv *inventory.Service, pol *policy.Service, alerts *alert.Service, log *slog.Logger) *Service {
	return &Service{st: st, jobs: jc, inv: inv, policy: pol, alerts: alerts, log: log,
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// SetClock replaces the service's clock, for tests and simulations that
// replay days of snapshots; call it before the service is used.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

var bandRank = map[analyzer.Band]int{analyzer.BandHealthy: 0, analyzer.BandFair: 1, analyzer.BandPoor: 2, analyzer.BandCritical: 3}

// worse reports whether band b is worse than a.
func worse(a, b analyzer.Band) bool { return bandRank[b] > bandRank[a] }

// bandCounts returns counts per band as they are stored (by band name).
func bandCounts(m map[analyzer.Band]int) map[string]int {
	out := make(map[string]int, len(m))
	for b, n := range m {
		out[string(b)] = n
	}
	return out
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// AnalyzeDevice runs the check catalogue on a device's latest snapshot,
// stores the result, records history when the score changed and schedules
// the roll-ups above the device — all in one transaction, serialised per
// device. Running it twice on the same data writes the same health and no
// second history row. When snapshotID is set and that snapshot was already
// analysed (or a newer one), it does nothing.
func (s *Service) AnalyzeDevice(ctx context.Context, tenantID, deviceID, snapshotID uuid.UUID) error {
	ctx = bypass.AsTenant(ctx, tenantID, "analysis job: analyse a device of its tenant")
	return s.st.Tx(ctx, func(tx *store.Tx) error {
		// The device's lock: analyses, ingest, moves and deletions of one
		// device never interleave.
		if err := tx.Lock(ctx, devicedata.LockKey(deviceID)); err != nil {
			return err
		}
		return s.analyze(ctx, tx, tenantID, deviceID, snapshotID)
	})
}

func (s *Service) analyze(ctx context.Context, tx *store.Tx, tenantID, deviceID, snapshotID uuid.UUID) error {
	dev, err := tx.Device.Get(ctx, deviceID)
	if ent.IsNotFound(err) {
		return nil // deleted since: nothing to do
	}
	if err != nil {
		return fmt.Errorf("load device: %w", err)
	}
	prev, err := tx.DeviceHealth.Query().Where(devicehealth.DeviceID(deviceID)).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return fmt.Errorf("load device health: %w", err)
	}
	if snapshotID != uuid.Nil && prev != nil && prev.SnapshotReceivedAt != nil && dev.LastSnapshotAt != nil && !prev.SnapshotReceivedAt.Before(*dev.LastSnapshotAt) {
		return nil // the latest snapshot is analysed already
	}
	latest, err := s.inv.DeviceTx(ctx, tx.Client, deviceID)
	if err != nil {
		return err
	}
	if latest.Snapshot == nil {
		return nil
	}
	eff, err := s.policy.ForDevice(ctx, tx.Client, dev)
	if err != nil {
		return err
	}
	pol := eff.Policy
	now := s.now()
	// The event window: what every snapshot of the 7 days up to the
	// latest collection reported, not just that collection's events.
	asOf := now
	if ct := latest.Snapshot.GetCollectedTime().AsTime(); ct.Before(now) {
		asOf = ct
	}
	events, crashes, err := s.inv.Window(ctx, tx.Client, deviceID, asOf.Add(-devicedata.EventWindow))
	if err != nil {
		return err
	}
	res, err := analyzer.Analyze(analyzer.Input{
		Snapshot: latest.Snapshot, Now: now, Server: dev.Role == device.RoleServer, ReceivedAt: latest.ReceivedAt,
		Window: &analyzer.EventWindow{Events: events, Crashes: crashes},
	}, pol)
	if err != nil {
		return fmt.Errorf("analyse device %s: %w", deviceID, err)
	}
	findings, err := json.Marshal(res.Findings)
	if err != nil {
		return fmt.Errorf("encode findings: %w", err)
	}
	domains, err := json.Marshal(res.Domains)
	if err != nil {
		return fmt.Errorf("encode domains: %w", err)
	}
	scored := res.Scored && res.Coverage >= MinCoverage
	snapID, _ := uuid.Parse(latest.Snapshot.GetSnapshotId())
	received := latest.ReceivedAt
	issues := Issues(res.Findings)
	var top analyzer.Finding
	if len(issues) > 0 {
		top = issues[0]
	}
	{
		err := tx.DeviceHealth.Create().
			SetTenantID(tenantID).SetDeviceID(deviceID).SetOrganisationID(dev.OrganisationID).SetNillableGroupID(dev.GroupID).
			SetScore(res.Score).SetBand(string(res.Band)).SetScored(scored).SetServer(dev.Role == device.RoleServer).
			SetStale(res.Stale).SetCoverage(res.Coverage).SetCapReason(validate.Clip(res.CapReason, 500)).
			SetTopCheckID(validate.Clip(top.CheckID, 100)).SetTopTitle(validate.Clip(top.Title, 500)).
			SetTopSeverity(string(top.Severity)).SetIssueCount(len(issues)).
			SetNeedsAttention(res.NeedsAttention && scored).SetDomains(domains).SetFindings(findings).SetSnapshotID(snapID).SetSnapshotReceivedAt(received).SetComputedAt(now).
			OnConflictColumns(devicehealth.FieldTenantID, devicehealth.FieldDeviceID).UpdateNewValues().Exec(ctx)
		if err != nil {
			return fmt.Errorf("store device health: %w", err)
		}
		if err := storeFindings(ctx, tx, tenantID, dev, issues); err != nil {
			return err
		}
		org := dev.OrganisationID
		// History keeps what cost points (or was suppressed): enough to
		// explain a change, a fraction of the full result's size.
		costly, err := json.Marshal(costlyFindings(res.Findings))
		if err != nil {
			return fmt.Errorf("encode findings: %w", err)
		}
		if err := s.recordHistory(ctx, tx, healthhistory.KindDevice, deviceID, &org, res.Score, res.Band, scored, costly, now); err != nil {
			return err
		}
		if err := s.deviceAlerts(ctx, tx, dev, prev, res, scored, now); err != nil {
			return err
		}
		if err := s.jobs.EnqueueRollUps(ctx, tx, tenantID, dev.GroupID, dev.OrganisationID); err != nil {
			return err
		}
		// The narratives of the device and the levels above it, debounced
		// like the roll-ups; unchanged findings cost nothing.
		return s.jobs.EnqueueNarratives(ctx, tx, tenantID, deviceID, dev.GroupID, dev.OrganisationID)
	}
}

// deviceAlerts raises a notification when the device fell into a worse band
// and for each new critical finding.
func (s *Service) deviceAlerts(ctx context.Context, tx *store.Tx, dev *ent.Device, prev *ent.DeviceHealth, res analyzer.Result, scored bool, now time.Time) error {
	org := dev.OrganisationID
	if prev != nil && prev.Scored && scored && worse(analyzer.Band(prev.Band), res.Band) {
		_, err := s.alerts.Raise(ctx, tx, alert.Alert{
			Kind: alert.KindBandWorse, Severity: severityOfBand(res.Band),
			Title:      fmt.Sprintf("%s fell from %s to %s (%d → %d)", dev.Hostname, prev.Band, res.Band, prev.Score, res.Score),
			Body:       res.CapReason,
			EntityKind: "device", EntityID: dev.ID, OrganisationID: &org,
			Key: fmt.Sprintf("band_worse:device:%s:%s:%s", dev.ID, res.Band, day(now)),
		})
		if err != nil {
			return err
		}
	}
	had := map[string]bool{}
	if prev != nil {
		var old []analyzer.Finding
		_ = json.Unmarshal(prev.Findings, &old)
		for _, f := range old {
			if f.Severity == "critical" && f.Status == "fail" && !f.Suppressed {
				had[f.Key()] = true
			}
		}
	}
	for _, f := range res.Findings {
		if f.Severity != "critical" || f.Status != "fail" || f.Suppressed || had[f.Key()] {
			continue
		}
		_, err := s.alerts.Raise(ctx, tx, alert.Alert{
			Kind: alert.KindCriticalFinding, Severity: "critical",
			Title:      fmt.Sprintf("%s: %s", dev.Hostname, f.Title),
			Body:       strings.TrimSpace(f.Detail + " " + f.Recommendation),
			EntityKind: "device", EntityID: dev.ID, OrganisationID: &org,
			Key: fmt.Sprintf("critical:%s:%s:%s", dev.ID, f.Key(), day(now)),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Issues returns the unsuppressed warnings and failures of an analysis,
// worst first in the analyzer's order of its reason (severity, then
// penalty, failures before warnings), then by check id and subject. The
// first is the device's top reason.
func Issues(fs []analyzer.Finding) []analyzer.Finding {
	var out []analyzer.Finding
	for _, f := range fs {
		if !f.Suppressed && (f.Status == analyzer.Warn || f.Status == analyzer.Fail) {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if severityRank[a.Severity] != severityRank[b.Severity] {
			return severityRank[a.Severity] > severityRank[b.Severity]
		}
		if a.Penalty != b.Penalty {
			return a.Penalty > b.Penalty
		}
		if (a.Status == analyzer.Fail) != (b.Status == analyzer.Fail) {
			return a.Status == analyzer.Fail
		}
		if a.CheckID != b.CheckID {
			return a.CheckID < b.CheckID
		}
		return a.Subject < b.Subject
	})
	return out
}

// storeFindings replaces the device's finding rows with issues.
func storeFindings(ctx context.Context, tx *store.Tx, tenantID uuid.UUID, dev *ent.Device, issues []analyzer.Finding) error {
	if _, err := tx.DeviceFinding.Delete().Where(devicefinding.DeviceID(dev.ID)).Exec(ctx); err != nil {
		return fmt.Errorf("clear device findings: %w", err)
	}
	if len(issues) == 0 {
		return nil
	}
	rows := make([]*ent.DeviceFindingCreate, len(issues))
	for i, f := range issues {
		rows[i] = tx.DeviceFinding.Create().SetTenantID(tenantID).SetDeviceID(dev.ID).SetOrganisationID(dev.OrganisationID).
			SetNillableGroupID(dev.GroupID).SetCheckID(validate.Clip(f.CheckID, 100)).SetSubject(validate.Clip(f.Subject, 500)).
			SetDomain(string(f.Domain)).SetStatus(string(f.Status)).SetSeverity(string(f.Severity)).SetPenalty(f.Penalty).
			SetTitle(validate.Clip(f.Title, 500))
	}
	if err := tx.DeviceFinding.CreateBulk(rows...).Exec(ctx); err != nil {
		return fmt.Errorf("store device findings: %w", err)
	}
	return nil
}

// costlyFindings keeps the findings that cost points or were suppressed.
func costlyFindings(fs []analyzer.Finding) []analyzer.Finding {
	out := make([]analyzer.Finding, 0, len(fs))
	for _, f := range fs {
		if f.Penalty > 0 || f.Suppressed || f.Status == "warn" || f.Status == "fail" {
			out = append(out, f)
		}
	}
	return out
}

func severityOfBand(band analyzer.Band) string {
	if band == analyzer.BandCritical {
		return "critical"
	}
	return "warning"
}

// recordHistory adds a history row unless the latest one already says the
// same (score, band and, for devices, the same findings).
func (s *Service) recordHistory(ctx context.Context, tx *store.Tx, kind healthhistory.Kind, id uuid.UUID, org *uuid.UUID, score int, band analyzer.Band, scored bool, findings json.RawMessage, now time.Time) error {
	last, err := tx.HealthHistory.Query().
		Where(healthhistory.KindEQ(kind), healthhistory.EntityID(id)).
		Order(ent.Desc(healthhistory.FieldComputedAt), ent.Desc(healthhistory.FieldID)).First(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return fmt.Errorf("load history: %w", err)
	}
	if last != nil && last.Score == score && analyzer.Band(last.Band) == band && last.Scored == scored && sameFindings(last.Findings, findings) {
		return nil
	}
	c := tx.HealthHistory.Create().SetTenantID(viewer.FromContext(ctx).TenantID).SetKind(kind).SetEntityID(id).
		SetNillableOrganisationID(org).SetScore(score).SetBand(string(band)).SetScored(scored).SetComputedAt(now)
	if findings != nil {
		c.SetFindings(findings)
	}
	if err := c.Exec(ctx); err != nil {
		return fmt.Errorf("record history: %w", err)
	}
	return nil
}

// sameFindings compares the penalties of two finding lists (what explains a
// score), ignoring evidence that drifts without changing the outcome.
func sameFindings(a, b json.RawMessage) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return penaltyKey(a) == penaltyKey(b)
}

func penaltyKey(raw json.RawMessage) string {
	var fs []analyzer.Finding
	if err := json.Unmarshal(raw, &fs); err != nil {
		return string(raw)
	}
	key := ""
	for _, f := range fs {
		if f.Penalty != 0 || f.Suppressed {
			key += fmt.Sprintf("%s|%s|%s|%d|%t;", f.CheckID, f.Subject, f.Status, f.Penalty, f.Suppressed)
		}
	}
	return key
}

// RollUp recomputes a group's, an organisation's or the tenant's health from
// all its devices, in one transaction that holds the entity's lock while it
// reads the devices and writes the result.
func (s *Service) RollUp(ctx context.Context, tenantID uuid.UUID, kind entityhealth.Kind, entityID uuid.UUID) error {
	ctx = bypass.AsTenant(ctx, tenantID, "roll-up job: roll up an entity of its tenant")
	var devPred []predicate.Device
	var healthPred []predicate.DeviceHealth
	var org *uuid.UUID
	switch kind {
	case entityhealth.KindGroup:
		g, err := s.st.Ent.Group.Get(ctx, entityID)
		if ent.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("load group: %w", err)
		}
		org = &g.OrganisationID
		devPred = append(devPred, device.GroupID(entityID))
		healthPred = append(healthPred, devicehealth.GroupID(entityID))
	case entityhealth.KindOrganisation:
		if _, err := s.st.Ent.Organisation.Get(ctx, entityID); ent.IsNotFound(err) {
			return nil
		} else if err != nil {
			return fmt.Errorf("load organisation: %w", err)
		}
		org = &entityID
		devPred = append(devPred, device.OrganisationID(entityID))
		healthPred = append(healthPred, devicehealth.OrganisationID(entityID))
	case entityhealth.KindTenant:
		if entityID != tenantID {
			return fmt.Errorf("roll-up of tenant %s asked for by tenant %s", entityID, tenantID)
		}
	default:
		return fmt.Errorf("unknown roll-up kind %q", kind)
	}
	return s.st.Tx(ctx, func(tx *store.Tx) error {
		// One roll-up of an entity at a time, reading the devices only once
		// it holds the lock: a roll-up queued after a device change then
		// always sees it, and an older roll-up cannot overwrite it.
		if err := tx.Lock(ctx, "rollup:"+string(kind)+":"+entityID.String()); err != nil {
			return err
		}
		agg, worst, err := s.aggregate(ctx, tx.Client, devPred, healthPred)
		if err != nil {
			return err
		}
		now := s.now()
		worstJSON, err := json.Marshal(worst)
		if err != nil {
			return fmt.Errorf("encode worst devices: %w", err)
		}
		prev, err := tx.EntityHealth.Query().Where(entityhealth.KindEQ(kind), entityhealth.EntityID(entityID)).Only(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return fmt.Errorf("load %s health: %w", kind, err)
		}
		if err := s.entityAlerts(ctx, tx, kind, entityID, org, prev, agg, now); err != nil {
			return err
		}
		err = tx.EntityHealth.Create().SetTenantID(tenantID).SetKind(kind).SetEntityID(entityID).
			SetNillableOrganisationID(org).SetScore(agg.Score).SetBand(string(agg.Band)).SetScored(agg.Scored).
			SetCoverage(agg.Coverage).SetFreshness(agg.Freshness).SetDeviceCount(len(agg.Members)).
			SetCapReason(validate.Clip(agg.CapReason, 500)).SetNeedsAttention(agg.NeedsAttention).
			SetBands(bandCounts(agg.Bands)).SetWorst(worstJSON).SetComputedAt(now).
			OnConflictColumns(entityhealth.FieldTenantID, entityhealth.FieldKind, entityhealth.FieldEntityID).
			UpdateNewValues().Exec(ctx)
		if err != nil {
			return fmt.Errorf("store %s health: %w", kind, err)
		}
		return s.recordHistory(ctx, tx, healthhistory.Kind(kind), entityID, org, agg.Score, agg.Band, agg.Scored, nil, now)
	})
}

// RegressionShare is how far below its 14-day baseline (the median score) an
// entity must fall to raise a regression: more than 10 %.
const RegressionShare = 0.9

// BaselineWindow is the span the baseline median is taken over.
const BaselineWindow = 14 * 24 * time.Hour

// Baseline returns the median score of an entity's history over the last
// BaselineWindow, and how many points it rests on.
func (s *Service) Baseline(ctx context.Context, c *ent.Client, kind healthhistory.Kind, id uuid.UUID) (float64, int, error) {
	scores, err := c.HealthHistory.Query().Where(healthhistory.KindEQ(kind), healthhistory.EntityID(id),
		healthhistory.Scored(true), healthhistory.ComputedAtGTE(s.now().Add(-BaselineWindow))).
		Select(healthhistory.FieldScore).Ints(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("load baseline: %w", err)
	}
	return median(scores), len(scores), nil
}

// median returns the median of scores (0 for none); it sorts scores.
func median(scores []int) float64 {
	if len(scores) == 0 {
		return 0
	}
	sort.Ints(scores)
	n := len(scores)
	if n%2 == 1 {
		return float64(scores[n/2])
	}
	return float64(scores[n/2-1]+scores[n/2]) / 2
}

// entityAlerts raises band and regression notifications for a roll-up.
func (s *Service) entityAlerts(ctx context.Context, tx *store.Tx, kind entityhealth.Kind, id uuid.UUID, org *uuid.UUID, prev *ent.EntityHealth, agg *aggregation, now time.Time) error {
	if !agg.Scored {
		return nil
	}
	name := s.entityName(ctx, tx, kind, id)
	if prev != nil && prev.Scored && worse(analyzer.Band(prev.Band), agg.Band) {
		_, err := s.alerts.Raise(ctx, tx, alert.Alert{
			Kind: alert.KindBandWorse, Severity: severityOfBand(agg.Band),
			Title:      fmt.Sprintf("%s fell from %s to %s (%d → %d)", name, prev.Band, agg.Band, prev.Score, agg.Score),
			Body:       agg.CapReason,
			EntityKind: string(kind), EntityID: id, OrganisationID: org,
			Key: fmt.Sprintf("band_worse:%s:%s:%s:%s", kind, id, agg.Band, day(now)),
		})
		if err != nil {
			return err
		}
	}
	base, n, err := s.Baseline(ctx, tx.Client, healthhistory.Kind(kind), id)
	if err != nil {
		return err
	}
	if n >= 3 && float64(agg.Score) < RegressionShare*base {
		_, err := s.alerts.Raise(ctx, tx, alert.Alert{
			Kind: alert.KindRegression, Severity: "warning",
			Title:      fmt.Sprintf("%s regressed to %d, more than 10 %% below its 14-day baseline of %.0f", name, agg.Score, base),
			EntityKind: string(kind), EntityID: id, OrganisationID: org,
			Key: fmt.Sprintf("regression:%s:%s:%s", kind, id, day(now)),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) entityName(ctx context.Context, tx *store.Tx, kind entityhealth.Kind, id uuid.UUID) string {
	switch kind {
	case entityhealth.KindGroup:
		if g, err := tx.Group.Get(ctx, id); err == nil {
			return "Group " + g.Name
		}
	case entityhealth.KindOrganisation:
		if o, err := tx.Organisation.Get(ctx, id); err == nil {
			return o.Name
		}
	case entityhealth.KindTenant:
		if t, err := tx.Tenant.Get(ctx, id); err == nil {
			return t.Name
		}
	}
	return string(kind)
}

// aggregation is a roll-up with its members.
type aggregation struct {
	analyzer.Aggregate
	Members []analyzer.Member
}

// DeviceScore is a device with its score, as stored for worst-device lists.
type DeviceScore struct {
	DeviceID       uuid.UUID     `json:"device_id"`
	Hostname       string        `json:"hostname"`
	OrganisationID uuid.UUID     `json:"organisation_id"`
	Score          int           `json:"score"`
	Band           analyzer.Band `json:"band"`
	Stale          bool          `json:"stale"`
	Server         bool          `json:"server"`
	Scored         bool          `json:"scored"`
	// NeedsAttention and Reason are the device's (see analyzer.Result):
	// whether it needs attention and, for people, why it is not healthy.
	NeedsAttention bool   `json:"needs_attention,omitempty"`
	Reason         string `json:"reason,omitempty"`
	// TopCheckID names the check of the device's top reason; it is read
	// from the device's health when a list is served, not stored in roll-ups.
	TopCheckID string `json:"-"`
}

// aggregate loads the devices and their health and rolls them up.
func (s *Service) aggregate(ctx context.Context, c *ent.Client, devPred []predicate.Device, healthPred []predicate.DeviceHealth) (*aggregation, []DeviceScore, error) {
	// Retired devices count nowhere (their health rows are matched by the
	// devices loaded here).
	devPred = append(slices.Clip(devPred), devicedata.Active())
	devs, err := c.Device.Query().Where(devPred...).
		Select(device.FieldID, device.FieldHostname, device.FieldOrganisationID, device.FieldRole, device.FieldLastSeenAt).All(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load devices: %w", err)
	}
	hs, err := c.DeviceHealth.Query().Where(healthPred...).
		Select(devicehealth.FieldDeviceID, devicehealth.FieldScore, devicehealth.FieldBand, devicehealth.FieldScored,
			devicehealth.FieldSnapshotReceivedAt, devicehealth.FieldNeedsAttention, devicehealth.FieldCapReason).All(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load device health: %w", err)
	}
	byDevice := make(map[uuid.UUID]*ent.DeviceHealth, len(hs))
	for _, h := range hs {
		byDevice[h.DeviceID] = h
	}
	now := s.now()
	members := make([]analyzer.Member, len(devs))
	scores := make(map[string]DeviceScore, len(devs))
	for i, d := range devs {
		m, ds := member(d, byDevice[d.ID], now)
		members[i] = m
		scores[m.ID] = ds
	}
	r := rollUp(members, scores)
	return &aggregation{Aggregate: r.Aggregate, Members: members}, r.worst, nil
}

// member turns a device and its health into a roll-up member.
func member(d *ent.Device, h *ent.DeviceHealth, now time.Time) (analyzer.Member, DeviceScore) {
	m := analyzer.Member{ID: d.ID.String(), Server: d.Role == device.RoleServer, Stale: true}
	ds := DeviceScore{DeviceID: d.ID, Hostname: d.Hostname, OrganisationID: d.OrganisationID, Server: m.Server}
	if h != nil {
		m.Score, m.Scored, m.NeedsAttention = h.Score, h.Scored, h.NeedsAttention
		m.Stale = h.SnapshotReceivedAt == nil || now.Sub(*h.SnapshotReceivedAt) > StaleAfter
		ds.Score, ds.Band, ds.Scored = h.Score, analyzer.Band(h.Band), h.Scored
		ds.NeedsAttention, ds.Reason = h.Scored && (h.NeedsAttention || needsAttention(analyzer.Band(h.Band))), h.CapReason
	}
	ds.Stale = m.Stale
	return m, ds
}

// needsAttention reports whether a band alone makes a device need
// attention (poor or critical).
func needsAttention(b analyzer.Band) bool {
	return b == analyzer.BandPoor || b == analyzer.BandCritical
}

type rolled struct {
	analyzer.Aggregate
	worst []DeviceScore
}

// rollUp aggregates members and names devices by host name, not id, where
// the cap is explained.
func rollUp(members []analyzer.Member, scores map[string]DeviceScore) rolled {
	agg := analyzer.RollUp(members)
	worst := make([]DeviceScore, 0, len(agg.Worst))
	for _, w := range agg.Worst {
		ds := scores[w.ID]
		worst = append(worst, ds)
		agg.CapReason = strings.ReplaceAll(agg.CapReason, w.ID, ds.Hostname)
	}
	return rolled{Aggregate: agg, worst: worst}
}

// SweepStale marks devices whose last snapshot is older than StaleAfter as
// stale, in every tenant, and schedules the roll-ups above them.
func (s *Service) SweepStale(ctx context.Context) error {
	tenants, err := s.st.Ent.Tenant.Query().Select(tenant.FieldID).All(bypass.Allow(ctx, "stale sweep: list every tenant"))
	if err != nil {
		return fmt.Errorf("list tenants: %w", err)
	}
	cutoff := s.now().Add(-StaleAfter)
	var errs []error
	for _, t := range tenants {
		tctx := bypass.AsTenant(ctx, t.ID, "stale sweep: look for stale devices of one tenant")
		err := s.st.Tx(tctx, func(tx *store.Tx) error {
			stale, err := tx.DeviceHealth.Query().Where(devicehealth.Stale(false), devicehealth.SnapshotReceivedAtLT(cutoff),
				devicedata.ActiveHealth()).All(tctx)
			if err != nil {
				return fmt.Errorf("find stale devices: %w", err)
			}
			for _, h := range stale {
				if err := tx.DeviceHealth.UpdateOneID(h.ID).SetStale(true).Exec(tctx); err != nil {
					return fmt.Errorf("mark stale: %w", err)
				}
				name := h.DeviceID.String()
				if d, err := tx.Device.Get(tctx, h.DeviceID); err == nil {
					name = d.Hostname
				}
				org := h.OrganisationID
				_, err := s.alerts.Raise(tctx, tx, alert.Alert{
					Kind: alert.KindAgentSilent, Severity: "warning",
					Title:      fmt.Sprintf("%s has not reported for more than %s", name, StaleAfter),
					Body:       "Its score is shown as stale. Check that the machine is on and the agent service runs.",
					EntityKind: "device", EntityID: h.DeviceID, OrganisationID: &org,
					Key: fmt.Sprintf("silent:%s:%s", h.DeviceID, day(s.now())),
				})
				if err != nil {
					return err
				}
				if err := s.jobs.EnqueueRollUps(tctx, tx, t.ID, h.GroupID, h.OrganisationID); err != nil {
					return err
				}
			}
			return nil
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
