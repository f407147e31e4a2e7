package health

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/devicedata"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/devicehealth"
	"github.com/wegweiser/wegweiser/ent/entityhealth"
	"github.com/wegweiser/wegweiser/ent/healthhistory"
	"github.com/wegweiser/wegweiser/ent/predicate"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Kind is a level of the hierarchy.
type Kind string

// The levels.
const (
	KindDevice       Kind = "device"
	KindGroup        Kind = "group"
	KindOrganisation Kind = "organisation"
	KindTenant       Kind = "tenant"
)

// Ref names an entity.
type Ref struct {
	Kind Kind
	ID   uuid.UUID
}

// View is an entity's current health.
type View struct {
	Ref       Ref
	Score     int
	Band      analyzer.Band
	Scored    bool
	CapReason string
	// NeedsAttention counts the devices that need attention (for a device:
	// 1 or 0); see analyzer.Aggregate.NeedsAttention.
	NeedsAttention int
	Domains        []analyzer.DomainScore
	Bands          map[analyzer.Band]int
	Coverage       float64
	Freshness      float64
	Stale          bool
	DeviceCount    int
	ComputedAt     time.Time
	Worst          []DeviceScore
}

// resolve checks the viewer can see the entity and returns the predicates
// selecting its devices and their health rows; above a device, retired
// devices are left out (a retired device's own health stays readable).
func (s *Service) resolve(ctx context.Context, ref Ref) (Ref, []predicate.Device, []predicate.DeviceHealth, error) {
	v := viewer.FromContext(ctx)
	switch ref.Kind {
	case KindDevice:
		if _, err := s.st.Ent.Device.Get(ctx, ref.ID); err != nil {
			return ref, nil, nil, apperr.NotFoundIf(err, "device")
		}
		return ref, []predicate.Device{device.ID(ref.ID)}, []predicate.DeviceHealth{devicehealth.DeviceID(ref.ID)}, nil
	case KindGroup:
		if _, err := s.st.Ent.Group.Get(ctx, ref.ID); err != nil {
			return ref, nil, nil, apperr.NotFoundIf(err, "group")
		}
		return ref, []predicate.Device{device.GroupID(ref.ID), devicedata.Active()},
			[]predicate.DeviceHealth{devicehealth.GroupID(ref.ID), devicedata.ActiveHealth()}, nil
	case KindOrganisation:
		if _, err := s.st.Ent.Organisation.Get(ctx, ref.ID); err != nil {
			return ref, nil, nil, apperr.NotFoundIf(err, "organisation")
		}
		return ref, []predicate.Device{device.OrganisationID(ref.ID), devicedata.Active()},
			[]predicate.DeviceHealth{devicehealth.OrganisationID(ref.ID), devicedata.ActiveHealth()}, nil
	case KindTenant:
		if ref.ID != uuid.Nil && ref.ID != v.TenantID {
			return ref, nil, nil, apperr.NotFound("tenant")
		}
		if v.Scoped() {
			return ref, nil, nil, apperr.PermissionDenied("your access is limited to chosen organisations; ask for their health instead")
		}
		return Ref{Kind: KindTenant, ID: v.TenantID}, []predicate.Device{devicedata.Active()}, []predicate.DeviceHealth{devicedata.ActiveHealth()}, nil
	}
	return ref, nil, nil, apperr.Invalid("entity.kind", "must be device, group, organisation or tenant")
}

// Get returns an entity's current health and, above devices, its worst
// devices.
func (s *Service) Get(ctx context.Context, ref Ref) (*View, error) {
	ref, _, _, err := s.resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	now := s.now()
	view := &View{Ref: ref, Band: "", Bands: map[analyzer.Band]int{}}
	if ref.Kind == KindDevice {
		h, err := s.st.Ent.DeviceHealth.Query().Where(devicehealth.DeviceID(ref.ID)).Only(ctx)
		if ent.IsNotFound(err) {
			view.DeviceCount, view.Stale, view.Bands[analyzer.BandUnscored] = 1, true, 1
			return view, nil
		}
		if err != nil {
			return nil, fmt.Errorf("load device health: %w", err)
		}
		view.Score, view.Band, view.Scored, view.CapReason, view.Coverage = h.Score, analyzer.Band(h.Band), h.Scored, h.CapReason, h.Coverage
		view.Stale = h.SnapshotReceivedAt == nil || now.Sub(*h.SnapshotReceivedAt) > StaleAfter
		view.DeviceCount, view.ComputedAt = 1, h.ComputedAt
		if h.Scored && (h.NeedsAttention || needsAttention(analyzer.Band(h.Band))) {
			view.NeedsAttention = 1
		}
		if !view.Stale {
			view.Freshness = 1
		}
		if err := json.Unmarshal(h.Domains, &view.Domains); err != nil {
			return nil, fmt.Errorf("decode domains: %w", err)
		}
		band := analyzer.Band(h.Band)
		if !h.Scored {
			band = analyzer.BandUnscored
		}
		view.Bands[band] = 1
		return view, nil
	}
	h, err := s.st.Ent.EntityHealth.Query().Where(entityhealth.KindEQ(entityhealth.Kind(ref.Kind)), entityhealth.EntityID(ref.ID)).Only(ctx)
	if ent.IsNotFound(err) {
		return view, nil // not rolled up yet
	}
	if err != nil {
		return nil, fmt.Errorf("load %s health: %w", ref.Kind, err)
	}
	view.Score, view.Band, view.Scored, view.CapReason, view.NeedsAttention = h.Score, analyzer.Band(h.Band), h.Scored, h.CapReason, h.NeedsAttention
	view.Coverage, view.Freshness, view.DeviceCount, view.ComputedAt, view.Bands = h.Coverage, h.Freshness, h.DeviceCount, h.ComputedAt, typedBands(h.Bands)
	if len(h.Worst) > 0 {
		if err := json.Unmarshal(h.Worst, &view.Worst); err != nil {
			return nil, fmt.Errorf("decode worst devices: %w", err)
		}
		if err := s.addReasons(ctx, view.Worst); err != nil {
			return nil, err
		}
	}
	// A scoped viewer sees only devices of its organisations among the
	// worst of a group it may see (always true) — nothing to filter here,
	// since group and organisation rows are scoped already.
	return view, nil
}

// DeviceFinding is a finding with the device it is on.
type DeviceFinding struct {
	analyzer.Finding
	DeviceID uuid.UUID
	Hostname string
}

var severityRank = map[analyzer.Severity]int{"critical": 5, "high": 4, "medium": 3, "low": 2, "info": 1}

// Findings lists the findings behind an entity's score, worst first.
func (s *Service) Findings(ctx context.Context, ref Ref, includePassed bool, domain string, limit int) ([]DeviceFinding, error) {
	ref, _, hp, err := s.resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	rows, err := s.st.Ent.DeviceHealth.Query().Where(hp...).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load device health: %w", err)
	}
	hostnames, err := s.hostnames(ctx, rows)
	if err != nil {
		return nil, err
	}
	var out []DeviceFinding
	for _, h := range rows {
		var fs []analyzer.Finding
		if err := json.Unmarshal(h.Findings, &fs); err != nil {
			return nil, fmt.Errorf("decode findings: %w", err)
		}
		for _, f := range fs {
			if domain != "" && string(f.Domain) != domain {
				continue
			}
			bad := f.Status == "warn" || f.Status == "fail"
			if !bad && !(includePassed && ref.Kind == KindDevice) {
				continue
			}
			out = append(out, DeviceFinding{Finding: f, DeviceID: h.DeviceID, Hostname: hostnames[h.DeviceID]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Status == "fail") != (b.Status == "fail") {
			return a.Status == "fail"
		}
		if severityRank[a.Severity] != severityRank[b.Severity] {
			return severityRank[a.Severity] > severityRank[b.Severity]
		}
		if a.Penalty != b.Penalty {
			return a.Penalty > b.Penalty
		}
		if a.Hostname != b.Hostname {
			return a.Hostname < b.Hostname
		}
		return a.CheckID+a.Subject < b.CheckID+b.Subject
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (s *Service) hostnames(ctx context.Context, rows []*ent.DeviceHealth) (map[uuid.UUID]string, error) {
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.DeviceID
	}
	return s.hostnamesOf(ctx, ids)
}

// hostnamesOf returns the host names of the devices with the given ids.
func (s *Service) hostnamesOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := make(map[uuid.UUID]string, len(ids))
	for start := 0; start < len(ids); start += 1000 {
		end := min(start+1000, len(ids))
		devs, err := s.st.Ent.Device.Query().Where(device.IDIn(ids[start:end]...)).Select(device.FieldID, device.FieldHostname).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load host names: %w", err)
		}
		for _, d := range devs {
			out[d.ID] = d.Hostname
		}
	}
	return out, nil
}

// Point is the score at one time.
type Point struct {
	Time   time.Time
	Score  int
	Band   analyzer.Band
	Scored bool
}

// History returns the score changes of an entity within the last span (and
// a point a day where history was backfilled), preceded by the score at
// the span's start when known.
func (s *Service) History(ctx context.Context, ref Ref, span time.Duration) ([]Point, error) {
	ref, _, _, err := s.resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	since := s.now().Add(-span)
	base := []predicate.HealthHistory{healthhistory.KindEQ(healthhistory.Kind(ref.Kind)), healthhistory.EntityID(ref.ID)}
	rows, err := s.st.Ent.HealthHistory.Query().Where(append(base, healthhistory.ComputedAtGTE(since))...).
		Order(ent.Asc(healthhistory.FieldComputedAt), ent.Asc(healthhistory.FieldID)).
		Select(healthhistory.FieldComputedAt, healthhistory.FieldScore, healthhistory.FieldBand, healthhistory.FieldScored).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load history: %w", err)
	}
	before, err := s.st.Ent.HealthHistory.Query().Where(append(base, healthhistory.ComputedAtLT(since))...).
		Order(ent.Desc(healthhistory.FieldComputedAt), ent.Desc(healthhistory.FieldID)).
		Select(healthhistory.FieldComputedAt, healthhistory.FieldScore, healthhistory.FieldBand, healthhistory.FieldScored).First(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, fmt.Errorf("load history: %w", err)
	}
	var out []Point
	if before != nil {
		out = append(out, Point{Time: since, Score: before.Score, Band: analyzer.Band(before.Band), Scored: before.Scored})
	}
	for _, r := range rows {
		out = append(out, Point{Time: r.ComputedAt, Score: r.Score, Band: analyzer.Band(r.Band), Scored: r.Scored})
	}
	return out, nil
}

// Change is one finding's part in a score change.
type Change struct {
	Delta            int
	Kind             string // new, resolved, changed
	CheckID, Subject string
	Text             string
}

// Explanation is the difference between two points of a device's history.
type Explanation struct {
	FromScore, ToScore int
	FromTime, ToTime   time.Time
	Changes            []Change
	Note               string
}

// Explain compares a device's history at two times (to: now when zero;
// from: the score before the latest change up to to when zero) finding by
// finding. Live history holds only changes, but backfilled history a row
// a day, so without from the rows that repeat to's are skipped: the
// explanation is of the last change, and with to also zero, dated when it
// happened.
func (s *Service) Explain(ctx context.Context, deviceID uuid.UUID, from, to time.Time) (*Explanation, error) {
	if _, _, _, err := s.resolve(ctx, Ref{Kind: KindDevice, ID: deviceID}); err != nil {
		return nil, err
	}
	at := func(t time.Time, before *ent.HealthHistory) (*ent.HealthHistory, error) {
		q := s.st.Ent.HealthHistory.Query().Where(healthhistory.KindEQ(healthhistory.KindDevice), healthhistory.EntityID(deviceID))
		if !t.IsZero() {
			q = q.Where(healthhistory.ComputedAtLTE(t))
		}
		if before != nil {
			q = q.Where(healthhistory.Or(healthhistory.ComputedAtLT(before.ComputedAt),
				healthhistory.And(healthhistory.ComputedAt(before.ComputedAt), healthhistory.IDLT(before.ID))))
		}
		r, err := q.Order(ent.Desc(healthhistory.FieldComputedAt), ent.Desc(healthhistory.FieldID)).First(ctx)
		if ent.IsNotFound(err) {
			return nil, nil
		}
		return r, err
	}
	toRow, err := at(to, nil)
	if err != nil {
		return nil, fmt.Errorf("load history: %w", err)
	}
	if toRow == nil {
		return nil, apperr.FailedPrecondition("the device has no analysed score at that time yet")
	}
	var fromRow *ent.HealthHistory
	if from.IsZero() {
		fromRow, toRow, err = s.lastChange(ctx, deviceID, toRow, to.IsZero())
	} else {
		fromRow, err = at(from, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("load history: %w", err)
	}
	out := &Explanation{ToScore: toRow.Score, ToTime: toRow.ComputedAt}
	var before, after []analyzer.Finding
	if err := json.Unmarshal(toRow.Findings, &after); err != nil {
		return nil, fmt.Errorf("decode findings: %w", err)
	}
	if fromRow != nil {
		out.FromScore, out.FromTime = fromRow.Score, fromRow.ComputedAt
		if err := json.Unmarshal(fromRow.Findings, &before); err != nil {
			return nil, fmt.Errorf("decode findings: %w", err)
		}
	}
	out.Changes = diff(before, after)
	explained := 0
	for _, c := range out.Changes {
		explained += c.Delta
	}
	if moved := out.ToScore - out.FromScore; fromRow != nil && moved != explained {
		out.Note = fmt.Sprintf("The score moved by %+d; the findings account for %+d points (a score stays between 1 and 100, and an older scoring model counted points differently).", moved, explained)
	}
	return out, nil
}

// lastChangeWindow bounds how many earlier rows lastChange looks through.
const lastChangeWindow = 400

// lastChange returns the newest row before to that differs from it (in
// score, band, scored state or the findings that cost points) and, when
// moveTo is set, the oldest row of the run of rows equal to to (when the
// change happened). When none of the earlier rows within lastChangeWindow
// differs, it returns the row just before to, and to.
func (s *Service) lastChange(ctx context.Context, deviceID uuid.UUID, to *ent.HealthHistory, moveTo bool) (*ent.HealthHistory, *ent.HealthHistory, error) {
	rows, err := s.st.Ent.HealthHistory.Query().
		Where(healthhistory.KindEQ(healthhistory.KindDevice), healthhistory.EntityID(deviceID),
			healthhistory.Or(healthhistory.ComputedAtLT(to.ComputedAt),
				healthhistory.And(healthhistory.ComputedAt(to.ComputedAt), healthhistory.IDLT(to.ID)))).
		Order(ent.Desc(healthhistory.FieldComputedAt), ent.Desc(healthhistory.FieldID)).Limit(lastChangeWindow).All(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load history: %w", err)
	}
	run := to
	for _, r := range rows {
		if r.Score != to.Score || r.Band != to.Band || r.Scored != to.Scored || !sameFindings(r.Findings, to.Findings) {
			if moveTo {
				return r, run, nil
			}
			return r, to, nil
		}
		run = r
	}
	if len(rows) == 0 {
		return nil, to, nil
	}
	return rows[0], to, nil
}

// diff lists the findings that gained or lost points between two lists.
func diff(before, after []analyzer.Finding) []Change {
	key := func(f analyzer.Finding) string { return f.CheckID + "\x00" + f.Subject }
	old := map[string]analyzer.Finding{}
	for _, f := range before {
		old[key(f)] = f
	}
	var out []Change
	seen := map[string]bool{}
	for _, f := range after {
		k := key(f)
		seen[k] = true
		p, had := old[k]
		switch {
		case f.Penalty > 0 && (!had || p.Penalty == 0):
			out = append(out, Change{Delta: -f.Penalty, Kind: "new", CheckID: f.CheckID, Subject: f.Subject, Text: text(-f.Penalty, f.Title, "new")})
		case had && p.Penalty > 0 && f.Penalty == 0:
			out = append(out, Change{Delta: p.Penalty, Kind: "resolved", CheckID: f.CheckID, Subject: f.Subject, Text: text(p.Penalty, p.Title, "resolved")})
		case had && p.Penalty != f.Penalty:
			out = append(out, Change{Delta: p.Penalty - f.Penalty, Kind: "changed", CheckID: f.CheckID, Subject: f.Subject, Text: text(p.Penalty-f.Penalty, f.Title, "changed")})
		}
	}
	for _, f := range before {
		if !seen[key(f)] && f.Penalty > 0 {
			out = append(out, Change{Delta: f.Penalty, Kind: "resolved", CheckID: f.CheckID, Subject: f.Subject, Text: text(f.Penalty, f.Title, "resolved")})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		ai, aj := abs(out[i].Delta), abs(out[j].Delta)
		if ai != aj {
			return ai > aj
		}
		return out[i].CheckID+out[i].Subject < out[j].CheckID+out[j].Subject
	})
	return out
}

func text(delta int, title, kind string) string {
	sign := "+"
	if delta < 0 {
		sign = "−"
	}
	return fmt.Sprintf("%s%d: %s (%s)", sign, abs(delta), strings.TrimSuffix(title, "."), kind)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Worst lists the lowest-scoring scored devices of an entity.
func (s *Service) Worst(ctx context.Context, ref Ref, limit int) ([]DeviceScore, error) {
	_, _, hp, err := s.resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	rows, err := s.st.Ent.DeviceHealth.Query().Where(append(hp, devicehealth.Scored(true))...).
		Order(ent.Asc(devicehealth.FieldScore), ent.Asc(devicehealth.FieldDeviceID)).Limit(limit).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load worst devices: %w", err)
	}
	names, err := s.hostnames(ctx, rows)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]DeviceScore, len(rows))
	for i, h := range rows {
		out[i] = DeviceScore{DeviceID: h.DeviceID, Hostname: names[h.DeviceID], OrganisationID: h.OrganisationID, Score: h.Score,
			TopCheckID: h.TopCheckID,
			Band:       analyzer.Band(h.Band), Server: h.Server, Scored: h.Scored, Stale: h.SnapshotReceivedAt == nil || now.Sub(*h.SnapshotReceivedAt) > StaleAfter,
			NeedsAttention: h.Scored && (h.NeedsAttention || needsAttention(analyzer.Band(h.Band))), Reason: h.CapReason}
	}
	return out, nil
}

// addReasons fills in the check of each device's top reason from its
// current health (a device the viewer cannot see, or without health, keeps
// none).
func (s *Service) addReasons(ctx context.Context, ds []DeviceScore) error {
	ids := make([]uuid.UUID, len(ds))
	for i, d := range ds {
		ids[i] = d.DeviceID
	}
	rows, err := s.st.Ent.DeviceHealth.Query().Where(devicehealth.DeviceIDIn(ids...)).
		Select(devicehealth.FieldDeviceID, devicehealth.FieldTopCheckID).All(ctx)
	if err != nil {
		return fmt.Errorf("load top reasons: %w", err)
	}
	byID := make(map[uuid.UUID]*ent.DeviceHealth, len(rows))
	for _, r := range rows {
		byID[r.DeviceID] = r
	}
	for i := range ds {
		if r := byID[ds[i].DeviceID]; r != nil {
			ds[i].TopCheckID = r.TopCheckID
		}
	}
	return nil
}

// Recompute queues analysis of every device of an entity.
func (s *Service) Recompute(ctx context.Context, ref Ref) (int, error) {
	_, dp, _, err := s.resolve(ctx, ref)
	if err != nil {
		return 0, err
	}
	ids, err := s.st.Ent.Device.Query().Where(dp...).IDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("list devices: %w", err)
	}
	tenantID := viewer.FromContext(ctx).TenantID
	for _, id := range ids {
		if err := s.jobs.Enqueue(ctx, jobs.Recompute(tenantID, id)); err != nil { // SnapshotID nil: always re-analyse
			return 0, err
		}
	}
	return len(ids), nil
}

// OrganisationView is an organisation with its health and baseline.
type OrganisationView struct {
	ID        uuid.UUID
	Name      string
	View      View
	Baseline  float64
	Regressed bool
}

// Median returns the median score of the scored organisations.
func Median(orgs []OrganisationView) float64 {
	var scores []int
	for _, o := range orgs {
		if o.View.Scored {
			scores = append(scores, o.View.Score)
		}
	}
	return median(scores)
}

// Organisations lists every organisation the viewer can see with its
// health, lowest score first and unscored last.
func (s *Service) Organisations(ctx context.Context) ([]OrganisationView, error) {
	orgs, err := s.st.Ent.Organisation.Query().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	rows, err := s.st.Ent.EntityHealth.Query().Where(entityhealth.KindEQ(entityhealth.KindOrganisation)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load organisation health: %w", err)
	}
	byID := make(map[uuid.UUID]*ent.EntityHealth, len(rows))
	for _, r := range rows {
		byID[r.EntityID] = r
	}
	out := make([]OrganisationView, len(orgs))
	for i, o := range orgs {
		v := View{Ref: Ref{Kind: KindOrganisation, ID: o.ID}, Bands: map[analyzer.Band]int{}}
		if h := byID[o.ID]; h != nil {
			v.Score, v.Band, v.Scored, v.CapReason, v.NeedsAttention = h.Score, analyzer.Band(h.Band), h.Scored, h.CapReason, h.NeedsAttention
			v.Coverage, v.Freshness, v.DeviceCount, v.ComputedAt, v.Bands = h.Coverage, h.Freshness, h.DeviceCount, h.ComputedAt, typedBands(h.Bands)
		}
		out[i] = OrganisationView{ID: o.ID, Name: o.Name, View: v}
		base, n, err := s.Baseline(ctx, s.st.Ent, healthhistory.KindOrganisation, o.ID)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			out[i].Baseline = base
			out[i].Regressed = n >= 3 && v.Scored && float64(v.Score) < RegressionShare*base
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].View, out[j].View
		if a.Scored != b.Scored {
			return a.Scored
		}
		if a.Score != b.Score {
			return a.Score < b.Score
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// typedBands returns stored counts per band name as counts per band.
func typedBands(m map[string]int) map[analyzer.Band]int {
	out := make(map[analyzer.Band]int, len(m))
	for b, n := range m {
		out[analyzer.Band(b)] = n
	}
	return out
}
