package health

import (
	"context"
	"fmt"
	"sort"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
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
	if domain != "" {
		fp = append(fp, devicefinding.Domain(domain))
	}
	count, err := devices.Count(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("count devices: %w", err)
	}
	rows, err := s.st.Ent.DeviceFinding.Query().Where(fp...).
		Select(devicefinding.FieldDeviceID, devicefinding.FieldCheckID, devicefinding.FieldSubject, devicefinding.FieldDomain,
			devicefinding.FieldStatus, devicefinding.FieldSeverity, devicefinding.FieldPenalty, devicefinding.FieldTitle).All(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("load device findings: %w", err)
	}
	out := summarise(rows)
	if err := s.nameWorst(ctx, out); err != nil {
		return nil, 0, err
	}
	return out, count, nil
}

// summarise groups finding rows by check, highest impact first (ties: more
// devices, then check id).
func summarise(rows []*ent.DeviceFinding) []CheckSummary {
	titles := map[string]string{}
	for _, c := range analyzer.Catalogue() {
		titles[c.ID] = c.Title
	}
	type perDevice struct {
		fail bool
		cost int
	}
	byCheck := map[string]*CheckSummary{}
	devices := map[string]map[uuid.UUID]*perDevice{}
	worst := map[string]*ent.DeviceFinding{}
	for _, r := range rows {
		cs := byCheck[r.CheckID]
		if cs == nil {
			title := titles[r.CheckID]
			if title == "" {
				title = r.Title
			}
			cs = &CheckSummary{CheckID: r.CheckID, Title: title, Domain: analyzer.Domain(r.Domain)}
			byCheck[r.CheckID] = cs
			devices[r.CheckID] = map[uuid.UUID]*perDevice{}
		}
		if severityRank[analyzer.Severity(r.Severity)] > severityRank[cs.Severity] {
			cs.Severity = analyzer.Severity(r.Severity)
		}
		d := devices[r.CheckID][r.DeviceID]
		if d == nil {
			d = &perDevice{}
			devices[r.CheckID][r.DeviceID] = d
		}
		d.fail = d.fail || r.Status == string(analyzer.Fail)
		d.cost = max(d.cost, r.Penalty)
		if w := worst[r.CheckID]; w == nil || costlier(r, w) {
			worst[r.CheckID] = r
		}
	}
	out := make([]CheckSummary, 0, len(byCheck))
	for id, cs := range byCheck {
		for _, d := range devices[id] {
			if d.fail {
				cs.DevicesFailing++
			} else {
				cs.DevicesWarning++
			}
			cs.Impact += d.cost
		}
		w := worst[id]
		cs.Worst = DeviceFinding{DeviceID: w.DeviceID, Finding: analyzer.Finding{
			CheckID: w.CheckID, Subject: w.Subject, Domain: analyzer.Domain(w.Domain), Status: analyzer.Status(w.Status),
			Severity: analyzer.Severity(w.Severity), Penalty: w.Penalty, Title: w.Title,
		}}
		out = append(out, *cs)
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
	return out
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
