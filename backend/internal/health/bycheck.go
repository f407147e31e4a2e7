package health

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"entgo.io/ent/dialect/sql"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/devicedata"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/devicefinding"
	"github.com/wegweiser/wegweiser/ent/predicate"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// CheckSummary is one check across the devices of a scope.
type CheckSummary struct {
	CheckID string
	Title   string
	Domain  analyzer.Domain
	// Severity is the most severe severity among the check's findings.
	Severity analyzer.Severity
	// DevicesFailing counts devices with a failure of the check;
	// DevicesWarning those with only warnings.
	DevicesFailing, DevicesWarning int
	// Impact is the sum over devices of the most each loses to the check.
	Impact int
	// Worst is the costliest finding of the check (no evidence or detail).
	Worst DeviceFinding
}

// CheckSummaries is the "by check" view of a tenant, an organisation or a
// group: every check with an unsuppressed warning or failure on a device
// in scope, highest impact first, and how many devices are in scope. The
// tenant scope means every device the viewer can see, so a user limited
// to some organisations gets the view of theirs (every read below runs
// under the viewer's privacy rules).
func (s *Service) CheckSummaries(ctx context.Context, ref Ref, domain string) ([]CheckSummary, int, error) {
	var fp []predicate.DeviceFinding
	devices := s.st.Ent.Device.Query()
	switch ref.Kind {
	case KindTenant:
		if ref.ID != uuid.Nil && ref.ID != viewer.FromContext(ctx).TenantID {
			return nil, 0, apperr.NotFound("tenant")
		}
	case KindOrganisation, KindGroup:
		_, dp, _, err := s.resolve(ctx, ref)
		if err != nil {
			return nil, 0, err
		}
		devices = devices.Where(dp...)
		if ref.Kind == KindOrganisation {
			fp = append(fp, devicefinding.OrganisationID(ref.ID))
		} else {
			fp = append(fp, devicefinding.GroupID(ref.ID))
		}
	case KindDevice:
		// Not a scope; but a device the viewer cannot see is not_found, as
		// everywhere, before the kind is refused.
		if _, _, _, err := s.resolve(ctx, ref); err != nil {
			return nil, 0, err
		}
		return nil, 0, apperr.Invalid("entity.kind", "must be tenant, organisation or group (ListFindings lists a device's findings)")
	default:
		return nil, 0, apperr.Invalid("entity.kind", "must be tenant, organisation or group")
	}
	// Retired devices are left out of every summary.
	devices = devices.Where(devicedata.Active())
	fp = append(fp, devicedata.ActiveFindings())
	if domain != "" {
		fp = append(fp, devicefinding.Domain(domain))
	}
	count, err := devices.Count(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("count devices: %w", err)
	}
	out, err := s.summarise(ctx, fp)
	if err != nil {
		return nil, 0, err
	}
	if err := s.nameWorst(ctx, out); err != nil {
		return nil, 0, err
	}
	return out, count, nil
}

// severitySQL is severityRank in SQL, for the selector's finding rows.
func severitySQL(sel *sql.Selector) string {
	var b strings.Builder
	b.WriteString("CASE " + sel.C(devicefinding.FieldSeverity))
	for sev, rank := range severityRank {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", sev, rank)
	}
	b.WriteString(" ELSE 0 END")
	return b.String()
}

// failSQL is 1 for a failure, 0 for a warning.
func failSQL(sel *sql.Selector) string {
	return "CASE WHEN " + sel.C(devicefinding.FieldStatus) + " = '" + string(analyzer.Fail) + "' THEN 1 ELSE 0 END"
}

// summarise groups the finding rows of fp by check in SQL, as the viewer,
// highest impact first (ties: more devices, then check id).
func (s *Service) summarise(ctx context.Context, fp []predicate.DeviceFinding) ([]CheckSummary, error) {
	titles := map[string]string{}
	for _, c := range analyzer.Catalogue() {
		titles[c.ID] = c.Title
	}
	var groups []struct {
		CheckID   string `json:"check_id"`
		Title     string `json:"title"`
		Domain    string `json:"domain"`
		Severity  int    `json:"severity"`
		Rows      int    `json:"rows"`
		Devices   int    `json:"devices"`
		Failing   int    `json:"failing"`
		Penalty   int    `json:"penalty"`
		Costliest int    `json:"costliest"`
	}
	err := s.st.Ent.DeviceFinding.Query().Where(fp...).GroupBy(devicefinding.FieldCheckID).Aggregate(
		func(sel *sql.Selector) string { return sql.As(sql.Max(sel.C(devicefinding.FieldTitle)), "title") },
		func(sel *sql.Selector) string { return sql.As(sql.Max(sel.C(devicefinding.FieldDomain)), "domain") },
		func(sel *sql.Selector) string { return sql.As("MAX("+severitySQL(sel)+")", "severity") },
		func(sel *sql.Selector) string { return sql.As("COUNT(*)", "rows") },
		func(sel *sql.Selector) string {
			return sql.As("COUNT(DISTINCT "+sel.C(devicefinding.FieldDeviceID)+")", "devices")
		},
		func(sel *sql.Selector) string {
			return sql.As("COUNT(DISTINCT CASE WHEN "+sel.C(devicefinding.FieldStatus)+" = '"+string(analyzer.Fail)+"' THEN "+
				sel.C(devicefinding.FieldDeviceID)+" END)", "failing")
		},
		func(sel *sql.Selector) string { return sql.As(sql.Sum(sel.C(devicefinding.FieldPenalty)), "penalty") },
		func(sel *sql.Selector) string { return sql.As(sql.Max(sel.C(devicefinding.FieldPenalty)), "costliest") },
	).Scan(ctx, &groups)
	if err != nil {
		return nil, fmt.Errorf("summarise device findings: %w", err)
	}
	out := make([]CheckSummary, 0, len(groups))
	var several []string // checks with more than one row on a device
	for _, g := range groups {
		title := titles[g.CheckID]
		if title == "" {
			title = g.Title
		}
		sev := analyzer.Severity("")
		for s, r := range severityRank {
			if r == g.Severity {
				sev = s
			}
		}
		cs := CheckSummary{CheckID: g.CheckID, Title: title, Domain: analyzer.Domain(g.Domain), Severity: sev,
			DevicesFailing: g.Failing, DevicesWarning: g.Devices - g.Failing, Impact: g.Penalty}
		if g.Rows != g.Devices {
			several = append(several, g.CheckID)
		}
		worst, err := s.worstOf(ctx, fp, g.CheckID, g.Costliest)
		if err != nil {
			return nil, err
		}
		cs.Worst = worst
		out = append(out, cs)
	}
	if len(several) > 0 {
		// A device loses to a check at most its costliest finding of it.
		var costs []struct {
			CheckID  string    `json:"check_id"`
			DeviceID uuid.UUID `json:"device_id"`
			Cost     int       `json:"cost"`
		}
		err := s.st.Ent.DeviceFinding.Query().Where(fp...).Where(devicefinding.CheckIDIn(several...)).
			GroupBy(devicefinding.FieldCheckID, devicefinding.FieldDeviceID).
			Aggregate(func(sel *sql.Selector) string { return sql.As(sql.Max(sel.C(devicefinding.FieldPenalty)), "cost") }).
			Scan(ctx, &costs)
		if err != nil {
			return nil, fmt.Errorf("summarise device findings per device: %w", err)
		}
		impact := map[string]int{}
		for _, c := range costs {
			impact[c.CheckID] += c.Cost
		}
		for i := range out {
			if slices.Contains(several, out[i].CheckID) {
				out[i].Impact = impact[out[i].CheckID]
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Impact != b.Impact {
			return a.Impact > b.Impact
		}
		if na, nb := a.DevicesFailing+a.DevicesWarning, b.DevicesFailing+b.DevicesWarning; na != nb {
			return na > nb
		}
		return a.CheckID < b.CheckID
	})
	return out, nil
}

// worstOf is the costliest finding of a check (see costlier) among the
// rows of fp: the device comes from SQL (its costliest rows, most severe,
// failures first, lowest id), the row among that device's in Go.
func (s *Service) worstOf(ctx context.Context, fp []predicate.DeviceFinding, checkID string, penalty int) (DeviceFinding, error) {
	q := s.st.Ent.DeviceFinding.Query().Where(fp...).Where(devicefinding.CheckID(checkID), devicefinding.Penalty(penalty))
	first, err := q.Clone().Order(func(sel *sql.Selector) {
		sel.OrderExpr(sql.Expr(severitySQL(sel) + " DESC"))
		sel.OrderExpr(sql.Expr(failSQL(sel) + " DESC"))
	}, devicefinding.ByDeviceID()).Select(devicefinding.FieldDeviceID).First(ctx)
	if err != nil {
		return DeviceFinding{}, fmt.Errorf("load the worst finding of %s: %w", checkID, err)
	}
	rows, err := q.Where(devicefinding.DeviceID(first.DeviceID)).
		Select(devicefinding.FieldDeviceID, devicefinding.FieldCheckID, devicefinding.FieldSubject, devicefinding.FieldDomain,
			devicefinding.FieldStatus, devicefinding.FieldSeverity, devicefinding.FieldPenalty, devicefinding.FieldTitle).All(ctx)
	if err != nil {
		return DeviceFinding{}, fmt.Errorf("load the worst finding of %s: %w", checkID, err)
	}
	if len(rows) == 0 {
		return DeviceFinding{}, fmt.Errorf("load the worst finding of %s: its rows went away", checkID)
	}
	w := rows[0]
	for _, r := range rows[1:] {
		if costlier(r, w) {
			w = r
		}
	}
	return DeviceFinding{DeviceID: w.DeviceID, Finding: analyzer.Finding{
		CheckID: w.CheckID, Subject: w.Subject, Domain: analyzer.Domain(w.Domain), Status: analyzer.Status(w.Status),
		Severity: analyzer.Severity(w.Severity), Penalty: w.Penalty, Title: w.Title,
	}}, nil
}

// costlier orders finding rows for the worst example: penalty, severity,
// failure before warning, then device and subject for a stable answer.
func costlier(a, b *ent.DeviceFinding) bool {
	if a.Penalty != b.Penalty {
		return a.Penalty > b.Penalty
	}
	if ra, rb := severityRank[analyzer.Severity(a.Severity)], severityRank[analyzer.Severity(b.Severity)]; ra != rb {
		return ra > rb
	}
	if (a.Status == string(analyzer.Fail)) != (b.Status == string(analyzer.Fail)) {
		return a.Status == string(analyzer.Fail)
	}
	if a.DeviceID != b.DeviceID {
		return a.DeviceID.String() < b.DeviceID.String()
	}
	return a.Subject < b.Subject
}

// nameWorst fills in the host names of the worst examples.
func (s *Service) nameWorst(ctx context.Context, out []CheckSummary) error {
	ids := make([]uuid.UUID, len(out))
	for i, cs := range out {
		ids[i] = cs.Worst.DeviceID
	}
	names, err := s.hostnamesOf(ctx, ids)
	if err != nil {
		return err
	}
	for i := range out {
		out[i].Worst.Hostname = names[out[i].Worst.DeviceID]
	}
	return nil
}
