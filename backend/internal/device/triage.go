package device

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/pagetoken"
	"github.com/wegweiser/wegweiser/ent"
	entdevice "github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/devicefinding"
	"github.com/wegweiser/wegweiser/ent/devicehealth"
	"github.com/wegweiser/wegweiser/ent/installedsoftware"
	"github.com/wegweiser/wegweiser/ent/predicate"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Unscored is the band name a Filter uses for devices without a score.
const Unscored = ""

// Band names a Filter accepts besides Unscored.
var bandNames = []string{"healthy", "fair", "poor", "critical"}

// attentionBands are the bands that need a technician whatever the reason.
var attentionBands = []any{"poor", "critical"}

// needsAttention is the health service's definition (analyzer's
// Result.NeedsAttention, stored with the device's health; the band also
// counts for rows stored before that column existed): a scored device in
// the poor or critical band or with an unsuppressed high or critical
// finding. Stale data is a filter of its own. The list filter of the same
// name is its SQL twin (attention below); a test holds them together.
func needsAttention(h *ent.DeviceHealth) bool {
	return h.Scored && (h.NeedsAttention || slices.Contains(attentionBands, any(h.Band)))
}

// knownCheck reports whether id is a check of the catalogue.
func knownCheck(id string) bool {
	for _, c := range analyzer.Catalogue() {
		if c.ID == id {
			return true
		}
	}
	return false
}

// Software selects the devices that run one version of a program.
type Software struct {
	Name    string
	Version string
}

// Summary is a device's current health in brief.
type Summary struct {
	Score          int
	Band           string
	Scored         bool
	Stale          bool
	NeedsAttention bool
	TopCheckID     string
	TopTitle       string
	TopSeverity    string
	IssueCount     int
	CapReason      string
	ComputedAt     *time.Time
}

// Item is a device with its health summary.
type Item struct {
	Device *ent.Device
	Health Summary
}

// Summaries returns the health summary of each device (unscored and stale
// for devices never analysed).
func (s *Service) Summaries(ctx context.Context, devices []*ent.Device) ([]Item, error) {
	ids := make([]uuid.UUID, len(devices))
	for i, d := range devices {
		ids[i] = d.ID
	}
	byDevice := map[uuid.UUID]*ent.DeviceHealth{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		hs, err := s.st.Ent.DeviceHealth.Query().Where(devicehealth.DeviceIDIn(chunk...)).
			Select(devicehealth.FieldDeviceID, devicehealth.FieldScore, devicehealth.FieldBand, devicehealth.FieldScored,
				devicehealth.FieldSnapshotReceivedAt, devicehealth.FieldTopCheckID, devicehealth.FieldTopTitle,
				devicehealth.FieldTopSeverity, devicehealth.FieldIssueCount, devicehealth.FieldCapReason,
				devicehealth.FieldNeedsAttention, devicehealth.FieldComputedAt).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load device health: %w", err)
		}
		for _, h := range hs {
			byDevice[h.DeviceID] = h
		}
	}
	cutoff := s.now().Add(-health.StaleAfter)
	out := make([]Item, len(devices))
	for i, d := range devices {
		sum := Summary{Stale: true}
		if h := byDevice[d.ID]; h != nil {
			sum = Summary{
				Score: h.Score, Band: h.Band, Scored: h.Scored,
				Stale:      h.SnapshotReceivedAt == nil || h.SnapshotReceivedAt.Before(cutoff),
				TopCheckID: h.TopCheckID, TopTitle: h.TopTitle, TopSeverity: h.TopSeverity, IssueCount: h.IssueCount,
				CapReason: h.CapReason, ComputedAt: &h.ComputedAt, NeedsAttention: needsAttention(h),
			}
			if !h.Scored {
				sum.Score, sum.Band = 0, Unscored
			}
		}
		out[i] = Item{Device: d, Health: sum}
	}
	return out, nil
}

// triagePredicates are the health and software filters of f, as
// subqueries on the device's rows in the viewer's tenant (each table's
// tenant-leading index serves them; the device query itself carries the
// viewer's organisation scope).
func (s *Service) triagePredicates(ctx context.Context, f Filter) []predicate.Device {
	tenantID := viewer.FromContext(ctx).TenantID
	var preds []predicate.Device
	if len(f.Bands) > 0 {
		var named []any
		unscored := false
		for _, b := range f.Bands {
			if b == Unscored {
				unscored = true
			} else {
				named = append(named, b)
			}
		}
		preds = append(preds, func(sel *sql.Selector) {
			var ors []*sql.Predicate
			if len(named) > 0 {
				ors = append(ors, sql.In(sel.C(entdevice.FieldID), healthIDs(sel, tenantID,
					func(t *sql.SelectTable) *sql.Predicate {
						return sql.And(sql.EQ(t.C(devicehealth.FieldScored), true), sql.In(t.C(devicehealth.FieldBand), named...))
					})))
			}
			if unscored {
				ors = append(ors, sql.NotIn(sel.C(entdevice.FieldID), healthIDs(sel, tenantID,
					func(t *sql.SelectTable) *sql.Predicate { return sql.EQ(t.C(devicehealth.FieldScored), true) })))
			}
			sel.Where(sql.Or(ors...))
		})
	}
	cutoff := s.now().Add(-health.StaleAfter)
	if f.StaleOnly {
		preds = append(preds, func(sel *sql.Selector) { sel.Where(stale(sel, tenantID, cutoff)) })
	}
	if f.NeedsAttention {
		preds = append(preds, func(sel *sql.Selector) {
			sel.Where(sql.In(sel.C(entdevice.FieldID), healthIDs(sel, tenantID, func(t *sql.SelectTable) *sql.Predicate {
				return sql.And(sql.EQ(t.C(devicehealth.FieldScored), true), sql.Or(
					sql.EQ(t.C(devicehealth.FieldNeedsAttention), true),
					sql.In(t.C(devicehealth.FieldBand), attentionBands...),
				))
			})))
		})
	}
	if f.FailingCheck != "" {
		check := f.FailingCheck
		preds = append(preds, func(sel *sql.Selector) {
			sel.Where(sql.In(sel.C(entdevice.FieldID), findingIDs(sel, tenantID, func(t *sql.SelectTable) *sql.Predicate {
				return sql.EQ(t.C(devicefinding.FieldCheckID), check)
			})))
		})
	}
	if f.Software != nil {
		sw := *f.Software
		preds = append(preds, func(sel *sql.Selector) {
			t := sql.Table(installedsoftware.Table).As("sw")
			sub := sql.Select(t.C(installedsoftware.FieldDeviceID)).From(t).Where(sql.And(
				sql.EQ(t.C(installedsoftware.FieldTenantID), tenantID),
				sql.EQ(t.C(installedsoftware.FieldName), sw.Name),
				sql.EQ(t.C(installedsoftware.FieldVersion), sw.Version),
			))
			sub.SetDialect(sel.Dialect())
			sel.Where(sql.In(sel.C(entdevice.FieldID), sub))
		})
	}
	return preds
}

// stale is "the device has no health analysed from a snapshot received
// since cutoff" — never analysed, or silent for longer than StaleAfter.
func stale(sel *sql.Selector, tenantID uuid.UUID, cutoff time.Time) *sql.Predicate {
	return sql.NotIn(sel.C(entdevice.FieldID), healthIDs(sel, tenantID, func(t *sql.SelectTable) *sql.Predicate {
		return sql.GTE(t.C(devicehealth.FieldSnapshotReceivedAt), cutoff)
	}))
}

// healthIDs selects the device ids of the tenant's health rows matching where.
func healthIDs(sel *sql.Selector, tenantID uuid.UUID, where func(*sql.SelectTable) *sql.Predicate) *sql.Selector {
	t := sql.Table(devicehealth.Table).As("dh")
	sub := sql.Select(t.C(devicehealth.FieldDeviceID)).From(t).
		Where(sql.And(sql.EQ(t.C(devicehealth.FieldTenantID), tenantID), where(t)))
	sub.SetDialect(sel.Dialect())
	return sub
}

// findingIDs selects the device ids of the tenant's finding rows matching where.
func findingIDs(sel *sql.Selector, tenantID uuid.UUID, where func(*sql.SelectTable) *sql.Predicate) *sql.Selector {
	t := sql.Table(devicefinding.Table).As("df")
	sub := sql.Select(t.C(devicefinding.FieldDeviceID)).From(t).
		Where(sql.And(sql.EQ(t.C(devicefinding.FieldTenantID), tenantID), where(t)))
	sub.SetDialect(sel.Dialect())
	return sub
}

// scoreKey writes the score sort key of the selector's device: its score
// when it has one, NULL otherwise (a correlated subquery on the unique
// (tenant_id, device_id) index of the health rows).
func scoreKey(sel *sql.Selector) func(*sql.Builder) {
	return func(b *sql.Builder) {
		t := sql.Table(devicehealth.Table).As("dhk")
		sub := sql.Select(t.C(devicehealth.FieldScore)).From(t).Where(sql.And(
			sql.ColumnsEQ(t.C(devicehealth.FieldTenantID), sel.C(entdevice.FieldTenantID)),
			sql.ColumnsEQ(t.C(devicehealth.FieldDeviceID), sel.C(entdevice.FieldID)),
			sql.EQ(t.C(devicehealth.FieldScored), true),
		))
		sub.SetDialect(sel.Dialect())
		b.Wrap(func(b *sql.Builder) { b.Join(sub) })
	}
}

// scoreOrdering sorts by score (NULLs — unscored — last both ways), then
// id. The score comes from the device's health row joined once (on the
// unique (tenant_id, device_id) index), not from a subquery per use.
func scoreOrdering(desc bool) []entdevice.OrderOption {
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	return []entdevice.OrderOption{func(sel *sql.Selector) {
		t := sql.Table(devicehealth.Table).As("dho")
		sel.LeftJoin(t).OnP(sql.And(
			sql.ColumnsEQ(t.C(devicehealth.FieldTenantID), sel.C(entdevice.FieldTenantID)),
			sql.ColumnsEQ(t.C(devicehealth.FieldDeviceID), sel.C(entdevice.FieldID)),
			sql.EQ(t.C(devicehealth.FieldScored), true),
		))
		score := t.C(devicehealth.FieldScore)
		sel.OrderExpr(sql.Expr("CASE WHEN " + score + " IS NULL THEN 1 ELSE 0 END, " + score + dir + ", " + sel.C(entdevice.FieldID) + dir))
	}}
}

// scoreAfter is the keyset predicate "after the cursor" in score order.
func scoreAfter(c *pagetoken.Cursor, id uuid.UUID, desc bool) (predicate.Device, error) {
	op := sql.OpGT
	if desc {
		op = sql.OpLT
	}
	if c.Null {
		return func(sel *sql.Selector) {
			key := scoreKey(sel)
			sel.Where(sql.And(
				sql.P(func(b *sql.Builder) { key(b); b.WriteString(" IS NULL") }),
				sql.P(func(b *sql.Builder) { b.Ident(sel.C(entdevice.FieldID)).WriteOp(op).Arg(id) }),
			))
		}, nil
	}
	score, err := strconv.Atoi(c.Key)
	if err != nil {
		return nil, apperr.Invalid("page_token", "is malformed")
	}
	return func(sel *sql.Selector) {
		key := scoreKey(sel)
		sel.Where(sql.Or(
			sql.P(func(b *sql.Builder) { key(b); b.WriteString(" IS NULL") }),
			sql.P(func(b *sql.Builder) { key(b); b.WriteOp(op).Arg(score) }),
			sql.And(
				sql.P(func(b *sql.Builder) { key(b); b.WriteOp(sql.OpEQ).Arg(score) }),
				sql.P(func(b *sql.Builder) { b.Ident(sel.C(entdevice.FieldID)).WriteOp(op).Arg(id) }),
			),
		))
	}, nil
}

// NormaliseBands checks band names (Unscored included) and sorts them, so
// the filter's fingerprint does not depend on their order.
func NormaliseBands(bands []string) ([]string, error) {
	out := make([]string, 0, len(bands))
	for _, b := range bands {
		if b != Unscored && !slices.Contains(bandNames, b) {
			return nil, apperr.Invalid("bands", "unknown band %q", b)
		}
		if !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	slices.Sort(out)
	return out, nil
}

func bandsKey(bands []string) string {
	q := make([]string, len(bands))
	for i, b := range bands {
		q[i] = strconv.Quote(b)
	}
	return strings.Join(q, ",")
}
