package health

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/entityhealth"
	"github.com/wegweiser/wegweiser/ent/healthhistory"
)

// PastDevice is a device's past snapshots, for Backfill.
type PastDevice struct {
	// DeviceID is the device (of the tenant being backfilled).
	DeviceID uuid.UUID
	// Snapshots yields its snapshots oldest first. Each was taken, received
	// and analysed at its collection time, which must lie in the past.
	Snapshots iter.Seq[*agentv1.Snapshot]
}

// BackfillStats count the history rows Backfill wrote.
type BackfillStats struct {
	// Devices is the number of device history rows, RollUps of group,
	// organisation and tenant rows.
	Devices, RollUps int
}

// point is one analysed past snapshot of a device.
type point struct {
	at       time.Time
	score    int
	band     analyzer.Band
	scored   bool
	findings json.RawMessage
}

// Backfill writes the history of the past for devices that report only
// from now on, such as the demo's simulated fleet or devices imported from
// another tool: it analyses each past snapshot with the device's policy
// exactly as a live analysis would (analyzer.Analyze, findings kept as in
// live history), rolls the devices up into their groups, organisations and
// the tenant at every snapshot time (analyzer.RollUp, as live roll-ups),
// and inserts the rows in bulk in one transaction. Unlike live history,
// which records only changes, it writes a row for every snapshot and
// roll-up time, so that a baseline (the median over BaselineWindow) is a
// median over days.
//
// The snapshots are neither stored nor ingested, and nothing but history
// is written: current health comes from the live analysis of the device's
// real latest snapshot. Backfill only adds the past: for each entity it
// writes no row at or after the oldest history row it already has, so
// running it again writes nothing twice.
func (s *Service) Backfill(ctx context.Context, tenantID uuid.UUID, devices []PastDevice) (BackfillStats, error) {
	ctx = bypass.AsTenant(ctx, tenantID, "history backfill: analyse past snapshots of one tenant's devices")
	var stats BackfillStats
	if len(devices) == 0 {
		return stats, nil
	}
	ids := make([]uuid.UUID, len(devices))
	for i, d := range devices {
		ids[i] = d.DeviceID
	}
	devs, err := s.st.Ent.Device.Query().Where(device.IDIn(ids...)).All(ctx)
	if err != nil {
		return stats, fmt.Errorf("load devices: %w", err)
	}
	byID := make(map[uuid.UUID]*ent.Device, len(devs))
	for _, d := range devs {
		byID[d.ID] = d
	}
	for _, id := range ids {
		if byID[id] == nil {
			return stats, fmt.Errorf("backfill: device %s not found in tenant %s", id, tenantID)
		}
	}
	// The oldest row each entity has: the past ends there.
	until := map[entityKey]time.Time{}
	oldest := func(kind healthhistory.Kind, id uuid.UUID) error {
		r, err := s.st.Ent.HealthHistory.Query().Where(healthhistory.KindEQ(kind), healthhistory.EntityID(id)).
			Order(ent.Asc(healthhistory.FieldComputedAt)).Select(healthhistory.FieldComputedAt).First(ctx)
		if ent.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("load history: %w", err)
		}
		until[entityKey{entityhealth.Kind(kind), id}] = r.ComputedAt
		return nil
	}
	rollKeys := map[entityKey]*uuid.UUID{{entityhealth.KindTenant, tenantID}: nil}
	for _, d := range devs {
		org := d.OrganisationID
		rollKeys[entityKey{entityhealth.KindOrganisation, org}] = &org
		if d.GroupID != nil {
			rollKeys[entityKey{entityhealth.KindGroup, *d.GroupID}] = &org
		}
		if err := oldest(healthhistory.KindDevice, d.ID); err != nil {
			return stats, err
		}
	}
	for k := range rollKeys {
		if err := oldest(healthhistory.Kind(k.kind), k.id); err != nil {
			return stats, err
		}
	}
	points, err := s.analyzePast(ctx, devices, byID)
	if err != nil {
		return stats, err
	}
	before := func(k entityKey, t time.Time) bool {
		u, ok := until[k]
		return !ok || t.Before(u)
	}
	type row struct {
		kind     healthhistory.Kind
		id       uuid.UUID
		org      *uuid.UUID
		p        point
		findings bool
	}
	var rows []row
	for i, d := range devices {
		dev := byID[d.DeviceID]
		org := dev.OrganisationID
		for _, p := range points[i] {
			if before(entityKey{entityhealth.Kind(healthhistory.KindDevice), dev.ID}, p.at) {
				rows = append(rows, row{healthhistory.KindDevice, dev.ID, &org, p, true})
				stats.Devices++
			}
		}
	}
	for _, r := range pastRollUps(devices, byID, points, rollKeys) {
		if before(r.key, r.at) {
			p := point{at: r.at, score: r.agg.Score, band: r.agg.Band, scored: r.agg.Scored}
			rows = append(rows, row{healthhistory.Kind(r.key.kind), r.key.id, rollKeys[r.key], p, false})
			stats.RollUps++
		}
	}
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		for start := 0; start < len(rows); start += 500 {
			end := min(start+500, len(rows))
			batch := make([]*ent.HealthHistoryCreate, 0, end-start)
			for _, r := range rows[start:end] {
				c := tx.HealthHistory.Create().SetTenantID(tenantID).SetKind(r.kind).SetEntityID(r.id).
					SetNillableOrganisationID(r.org).SetScore(r.p.score).SetBand(string(r.p.band)).SetScored(r.p.scored).
					SetComputedAt(r.p.at)
				if r.findings {
					c.SetFindings(r.p.findings)
				}
				batch = append(batch, c)
			}
			if err := tx.HealthHistory.CreateBulk(batch...).Exec(ctx); err != nil {
				return fmt.Errorf("record past history: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return BackfillStats{}, err
	}
	return stats, nil
}

// analyzePast analyses every device's past snapshots, devices in parallel,
// and returns each device's points oldest first (by index of devices).
func (s *Service) analyzePast(ctx context.Context, devices []PastDevice, byID map[uuid.UUID]*ent.Device) ([][]point, error) {
	policies := make([]analyzer.Policy, len(devices))
	for i, d := range devices {
		eff, err := s.policy.ForDevice(ctx, s.st.Ent, byID[d.DeviceID])
		if err != nil {
			return nil, err
		}
		policies[i] = eff.Policy
	}
	now := s.now()
	out := make([][]point, len(devices))
	errs := make([]error, len(devices))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = analyzeDevicePast(devices[i], byID[devices[i].DeviceID], policies[i], now)
			}
		}()
	}
	for i := range devices {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// analyzeDevicePast analyses one device's past snapshots.
func analyzeDevicePast(d PastDevice, dev *ent.Device, pol analyzer.Policy, now time.Time) ([]point, error) {
	var out []point
	for snap := range d.Snapshots {
		at := snap.GetCollectedTime().AsTime().UTC().Truncate(time.Microsecond)
		if !at.Before(now) {
			return nil, fmt.Errorf("backfill %s: snapshot of %s is not in the past", dev.Hostname, at.Format(time.RFC3339))
		}
		if n := len(out); n > 0 && !at.After(out[n-1].at) {
			return nil, fmt.Errorf("backfill %s: snapshots are not oldest first (%s after %s)", dev.Hostname,
				at.Format(time.RFC3339), out[n-1].at.Format(time.RFC3339))
		}
		res, err := analyzer.Analyze(analyzer.Input{Snapshot: snap, Now: at, Server: dev.Role == device.RoleServer, ReceivedAt: at}, pol)
		if err != nil {
			return nil, fmt.Errorf("analyse %s as of %s: %w", dev.Hostname, at.Format(time.RFC3339), err)
		}
		costly, err := json.Marshal(costlyFindings(res.Findings))
		if err != nil {
			return nil, fmt.Errorf("encode findings: %w", err)
		}
		out = append(out, point{at: at, score: res.Score, band: res.Band, scored: res.Scored && res.Coverage >= MinCoverage, findings: costly})
	}
	return out, nil
}

// pastRollUp is one entity's roll-up at one past time.
type pastRollUp struct {
	key entityKey
	at  time.Time
	agg rolled
}

// pastRollUps rolls the devices up at every time one of them has a point:
// each device counts with its latest point at or before that time (stale
// when older than StaleAfter); a device with no point yet is left out, as
// it was not reporting then.
func pastRollUps(devices []PastDevice, byID map[uuid.UUID]*ent.Device, points [][]point, keys map[entityKey]*uuid.UUID) []pastRollUp {
	var times []time.Time
	seen := map[time.Time]bool{}
	for _, ps := range points {
		for _, p := range ps {
			if !seen[p.at] {
				seen[p.at] = true
				times = append(times, p.at)
			}
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	next := make([]int, len(devices)) // per device: index of its first point after the current time
	var out []pastRollUp
	for _, t := range times {
		members := map[entityKey][]analyzer.Member{}
		scores := map[string]DeviceScore{}
		for i, d := range devices {
			for next[i] < len(points[i]) && !points[i][next[i]].at.After(t) {
				next[i]++
			}
			if next[i] == 0 {
				continue
			}
			p := points[i][next[i]-1]
			dev := byID[d.DeviceID]
			m := analyzer.Member{ID: dev.ID.String(), Score: p.score, Scored: p.scored, Server: dev.Role == device.RoleServer,
				Stale: t.Sub(p.at) > StaleAfter}
			scores[m.ID] = DeviceScore{DeviceID: dev.ID, Hostname: dev.Hostname, OrganisationID: dev.OrganisationID,
				Score: p.score, Band: p.band, Stale: m.Stale, Server: m.Server, Scored: p.scored}
			for _, k := range []entityKey{{entityhealth.KindTenant, uuid.Nil}, {entityhealth.KindOrganisation, dev.OrganisationID}} {
				members[k] = append(members[k], m)
			}
			if dev.GroupID != nil {
				k := entityKey{entityhealth.KindGroup, *dev.GroupID}
				members[k] = append(members[k], m)
			}
		}
		for k := range keys {
			mk := k
			if k.kind == entityhealth.KindTenant {
				mk.id = uuid.Nil
			}
			if ms := members[mk]; len(ms) > 0 {
				out = append(out, pastRollUp{key: k, at: t, agg: rollUp(ms, scores)})
			}
		}
	}
	return out
}
