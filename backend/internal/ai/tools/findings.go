package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/ent"
	entdevice "github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/devicehealth"
	"github.com/wegweiser/wegweiser/ent/predicate"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// FindingRow is a finding in a tool result.
type FindingRow struct {
	Ref            string     `json:"ref"`
	DeviceID       string     `json:"device_id"`
	Hostname       string     `json:"hostname"`
	CheckID        string     `json:"check_id"`
	Subject        string     `json:"subject,omitempty"`
	Domain         string     `json:"domain"`
	Title          string     `json:"title"`
	Status         string     `json:"status"`
	Severity       string     `json:"severity"`
	Penalty        int        `json:"penalty"`
	Detail         string     `json:"detail,omitempty"`
	Evidence       []Evidence `json:"evidence,omitempty"`
	Recommendation string     `json:"recommendation,omitempty"`
}

// Evidence is a measured value behind a finding.
type Evidence struct {
	Label  string `json:"label"`
	Value  string `json:"value"`
	Source string `json:"source,omitempty"`
}

// FindingList is the data of device_findings.
type FindingList struct {
	Note     string       `json:"note"`
	Scope    string       `json:"scope"`
	Total    int          `json:"total"`
	Findings []FindingRow `json:"findings"`
	Omitted  string       `json:"omitted,omitempty"`
}

type findingArgs struct {
	Target
	Check  string `json:"check,omitempty"`
	Domain string `json:"domain,omitempty"`
	Role   string `json:"role,omitempty"`
	Limit  int    `json:"limit,omitempty"`
}

var domains = []string{"security", "storage", "system", "performance", "hardware", "network", "logs", "software", "platform"}

func (k *kit) deviceFindings() Tool {
	return Tool{
		Name: "device_findings",
		Description: "The open findings (warnings and failures) behind health scores, costliest first, each with its evidence " +
			"(measured values and where they come from) and the recommendation. For one device (device) or every device in scope; " +
			"optionally only one check or domain.",
		Parameters: schema(map[string]any{
			"check":  map[string]any{"type": "string", "description": "Only findings of this check id.", "enum": checkIDs()},
			"domain": map[string]any{"type": "string", "enum": domains},
			"role":   map[string]any{"type": "string", "enum": []string{"server", "workstation"}, "description": "Only findings of servers or of workstations."},
			"limit":  map[string]any{"type": "integer", "minimum": 1, "maximum": 200},
		}, true),
		Run: func(ctx context.Context, scope health.Ref, raw json.RawMessage) (Result, error) {
			var a findingArgs
			if err := decode(raw, &a); err != nil {
				return Result{}, err
			}
			if a.Check != "" && !slices.Contains(checkIDs(), a.Check) {
				return Result{}, apperr.Invalid("check", "is not a check id of the catalogue")
			}
			if a.Domain != "" && !slices.Contains(domains, a.Domain) {
				return Result{}, apperr.Invalid("domain", "must be one of %v", domains)
			}
			var err error
			if a.Limit, err = limit(a.Limit, 100, 200); err != nil {
				return Result{}, err
			}
			if a.Role != "" && a.Role != "server" && a.Role != "workstation" {
				return Result{}, apperr.Invalid("role", "must be server or workstation")
			}
			target, err := k.narrow(ctx, scope, a.Target)
			if err != nil {
				return Result{}, err
			}
			fs, err := k.findings(ctx, target, a.Domain)
			if err != nil {
				return Result{}, err
			}
			if a.Check != "" {
				fs = slices.DeleteFunc(fs, func(f health.DeviceFinding) bool { return f.CheckID != a.Check })
			}
			if a.Role != "" {
				roles, err := k.roles(ctx, fs)
				if err != nil {
					return Result{}, err
				}
				fs = slices.DeleteFunc(fs, func(f health.DeviceFinding) bool { return roles[f.DeviceID] != a.Role })
			}
			name := k.scopeName(ctx, target)
			if len(fs) == 0 {
				analysed, err := k.d.Store.Ent.DeviceHealth.Query().Where(healthPreds(target)...).Exist(ctx)
				if err != nil {
					return Result{}, fmt.Errorf("load device health: %w", err)
				}
				switch {
				case !analysed && target.Kind == health.KindDevice:
					return empty(fmt.Sprintf("no health data for %s: it has not sent a snapshot that was analysed yet", name)), nil
				case !analysed:
					return empty(fmt.Sprintf("no health data in %s: no device has sent a snapshot that was analysed yet", name)), nil
				case a.Check != "" || a.Domain != "" || a.Role != "":
					return empty(fmt.Sprintf("no open findings match in %s: the check passes everywhere it was measured", name)), nil
				}
				return empty(fmt.Sprintf("no open findings in %s: every check passed or is suppressed", name)), nil
			}
			costliestFirst(fs)
			total := len(fs)
			fs = fs[:min(len(fs), a.Limit)]
			rows := make([]FindingRow, len(fs))
			recs := make([]Record, len(fs))
			for i, f := range fs {
				host := clip(f.Hostname, clipName)
				rows[i] = findingRow(f, ref(i+1))
				recs[i] = findingRecord(f.DeviceID, host, f.Finding)
			}
			kept, data := k.fit(len(rows), func(n int) any {
				return FindingList{Note: DataNote, Scope: name, Total: total, Findings: rows[:n], Omitted: omittedNote(total-n, "findings")}
			})
			return Result{Summary: plural(total, "finding", "findings"), Data: data, Records: recs[:kept]}, nil
		},
	}
}

func findingRow(f health.DeviceFinding, r string) FindingRow {
	row := FindingRow{Ref: r, DeviceID: f.DeviceID.String(), Hostname: clip(f.Hostname, clipName), CheckID: f.CheckID,
		Subject: clip(f.Subject, clipName), Domain: string(f.Domain), Title: clip(f.Title, clipText), Status: string(f.Status),
		Severity: string(f.Severity), Penalty: f.Penalty, Detail: clip(f.Detail, clipMessage), Recommendation: clip(f.Recommendation, clipMessage)}
	for _, e := range f.Evidence {
		row.Evidence = append(row.Evidence, Evidence{Label: clip(e.Label, 60), Value: clip(e.Value, clipText), Source: clip(e.Source, clipText)})
	}
	return row
}

// findings lists the open findings of a checked entity through the
// health service; a scoped viewer's tenant is the union of its
// organisations.
func (k *kit) findings(ctx context.Context, ref health.Ref, domain string) ([]health.DeviceFinding, error) {
	const limit = 100000
	if ref.Kind == health.KindTenant && viewer.FromContext(ctx).Scoped() {
		orgs, err := k.d.Store.Ent.Organisation.Query().IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("list organisations: %w", err)
		}
		var out []health.DeviceFinding
		for _, id := range orgs {
			fs, err := k.d.Health.Findings(ctx, health.Ref{Kind: health.KindOrganisation, ID: id}, false, domain, limit)
			if err != nil {
				return nil, err
			}
			out = append(out, fs...)
		}
		return out, nil
	}
	return k.d.Health.Findings(ctx, ref, false, domain, limit)
}

// roles maps the devices of findings to their roles.
func (k *kit) roles(ctx context.Context, fs []health.DeviceFinding) (map[uuid.UUID]string, error) {
	ids := make([]uuid.UUID, 0, len(fs))
	for _, f := range fs {
		ids = append(ids, f.DeviceID)
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	ids = slices.Compact(ids)
	out := make(map[uuid.UUID]string, len(ids))
	for s := 0; s < len(ids); s += 500 {
		devs, err := k.d.Store.Ent.Device.Query().Where(entdevice.IDIn(ids[s:min(s+500, len(ids))]...)).Select(entdevice.FieldID, entdevice.FieldRole).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load device roles: %w", err)
		}
		for _, d := range devs {
			out[d.ID] = string(d.Role)
		}
	}
	return out, nil
}

// healthPreds selects the device health rows of a checked entity.
func healthPreds(ref health.Ref) []predicate.DeviceHealth {
	switch ref.Kind {
	case health.KindDevice:
		return []predicate.DeviceHealth{devicehealth.DeviceID(ref.ID)}
	case health.KindGroup:
		return []predicate.DeviceHealth{devicehealth.GroupID(ref.ID)}
	case health.KindOrganisation:
		return []predicate.DeviceHealth{devicehealth.OrganisationID(ref.ID)}
	}
	return nil
}

// Distribution is the data of fleet_distribution.
type Distribution struct {
	Note           string         `json:"note"`
	Ref            string         `json:"ref"`
	Scope          string         `json:"scope"`
	Score          *int           `json:"score,omitempty"`
	Band           string         `json:"band,omitempty"`
	Devices        int            `json:"devices"`
	Bands          map[string]int `json:"bands"`
	NeedsAttention int            `json:"needs_attention"`
	Stale          int            `json:"stale"`
	TopChecks      []CheckRow     `json:"top_failing_checks"`
	Omitted        string         `json:"omitted,omitempty"`
}

// CheckRow is a check across the devices of a scope.
type CheckRow struct {
	Ref            string `json:"ref"`
	CheckID        string `json:"check_id"`
	Title          string `json:"title"`
	Severity       string `json:"severity"`
	DevicesFailing int    `json:"devices_failing"`
	DevicesWarning int    `json:"devices_warning"`
	Impact         int    `json:"impact_points"`
	WorstDevice    string `json:"worst_device,omitempty"`
}

func (k *kit) fleetDistribution() Tool {
	return Tool{
		Name: "fleet_distribution",
		Description: "A health summary of the scope: its score, how many devices are in each band, how many need attention or are stale, " +
			"and the checks failing on most devices (highest impact first).",
		Parameters: schema(map[string]any{}, true),
		Run: func(ctx context.Context, scope health.Ref, raw json.RawMessage) (Result, error) {
			var a Target
			if err := decode(raw, &a); err != nil {
				return Result{}, err
			}
			target, err := k.narrow(ctx, scope, a)
			if err != nil {
				return Result{}, err
			}
			return k.distribution(ctx, target)
		},
	}
}

func (k *kit) distribution(ctx context.Context, target health.Ref) (Result, error) {
	c := k.d.Store.Ent
	count, err := c.Device.Query().Where(devicePreds(target)...).Count(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("count devices: %w", err)
	}
	name := k.scopeName(ctx, target)
	if count == 0 {
		return empty(fmt.Sprintf("no devices have enrolled in %s yet", name)), nil
	}
	// Counted in SQL, as the viewer: one row per (scored, band,
	// needs_attention) and a count of the stale rows.
	var groups []struct {
		Scored         bool   `json:"scored"`
		Band           string `json:"band"`
		NeedsAttention bool   `json:"needs_attention"`
		Count          int    `json:"count"`
	}
	err = c.DeviceHealth.Query().Where(healthPreds(target)...).
		GroupBy(devicehealth.FieldScored, devicehealth.FieldBand, devicehealth.FieldNeedsAttention).
		Aggregate(ent.Count()).Scan(ctx, &groups)
	if err != nil {
		return Result{}, fmt.Errorf("count device health: %w", err)
	}
	d := Distribution{Note: DataNote, Ref: "R1", Scope: name, Devices: count, Bands: map[string]int{}}
	cutoff := time.Now().Add(-health.StaleAfter)
	scored, analysed := 0, 0
	for _, g := range groups {
		analysed += g.Count
		if !g.Scored {
			continue
		}
		scored += g.Count
		d.Bands[g.Band] += g.Count
		if g.NeedsAttention || g.Band == string(analyzer.BandPoor) || g.Band == string(analyzer.BandCritical) {
			d.NeedsAttention += g.Count
		}
	}
	if n := count - scored; n > 0 {
		d.Bands["unscored"] = n
	}
	stale, err := c.DeviceHealth.Query().Where(healthPreds(target)...).
		Where(devicehealth.Or(devicehealth.SnapshotReceivedAtIsNil(), devicehealth.SnapshotReceivedAtLT(cutoff))).Count(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("count stale device health: %w", err)
	}
	d.Stale = stale + count - analysed
	if !(target.Kind == health.KindTenant && viewer.FromContext(ctx).Scoped()) {
		if v, err := k.d.Health.Get(ctx, target); err == nil && v.Scored {
			d.Score, d.Band = &v.Score, string(v.Band)
		}
	}
	recs := []Record{k.entityRecord(ctx, target)}
	var checks []CheckRow
	if target.Kind != health.KindDevice {
		sums, _, err := k.d.Health.CheckSummaries(ctx, target, "")
		if err != nil {
			return Result{}, err
		}
		for i, s := range sums {
			checks = append(checks, CheckRow{Ref: ref(i + 2), CheckID: s.CheckID, Title: clip(s.Title, clipText), Severity: string(s.Severity),
				DevicesFailing: s.DevicesFailing, DevicesWarning: s.DevicesWarning, Impact: s.Impact, WorstDevice: clip(s.Worst.Hostname, clipName)})
			recs = append(recs, Record{Kind: RecordCheck, ID: s.CheckID, Entity: target,
				Label: fmt.Sprintf("%s · %s on %d devices", clip(s.Title, 80), "failing or warning", s.DevicesFailing+s.DevicesWarning)})
		}
	} else {
		fs, err := k.d.Health.Findings(ctx, target, false, "", 1000)
		if err != nil {
			return Result{}, err
		}
		costliestFirst(fs)
		for i, f := range fs {
			row := CheckRow{Ref: ref(i + 2), CheckID: f.CheckID, Title: clip(f.Title, clipText), Severity: string(f.Severity), Impact: f.Penalty}
			if f.Status == analyzer.Fail {
				row.DevicesFailing = 1
			} else {
				row.DevicesWarning = 1
			}
			checks = append(checks, row)
			recs = append(recs, findingRecord(f.DeviceID, clip(f.Hostname, clipName), f.Finding))
		}
	}
	kept, data := k.fit(len(checks), func(n int) any {
		c := d
		c.TopChecks = checks[:n]
		c.Omitted = omittedNote(len(checks)-n, "checks")
		return c
	})
	sum := fmt.Sprintf("%s, %d need attention", plural(count, "device", "devices"), d.NeedsAttention)
	return Result{Summary: sum, Data: data, Records: recs[:1+kept]}, nil
}

// OrgComparison is the data of compare_organisations.
type OrgComparison struct {
	Note          string   `json:"note"`
	Median        float64  `json:"median_score"`
	MedianOf      int      `json:"median_of_organisations"`
	Organisations []OrgRow `json:"organisations"`
	Omitted       string   `json:"omitted,omitempty"`
}

// OrgRow is an organisation's health against the median and its baseline.
type OrgRow struct {
	Ref            string  `json:"ref"`
	ID             string  `json:"id"`
	Name           string  `json:"name"`
	Score          int     `json:"score"`
	Band           string  `json:"band"`
	Scored         bool    `json:"scored"`
	VsMedian       float64 `json:"vs_median"`
	Baseline       float64 `json:"baseline_14d,omitempty"`
	Regressed      bool    `json:"regressed"`
	Devices        int     `json:"devices"`
	NeedsAttention int     `json:"needs_attention"`
}

func (k *kit) compareOrganisations() Tool {
	return Tool{
		Name: "compare_organisations",
		Description: "Organisations' health against the median of the organisations the caller can see, with each one's 14-day baseline " +
			"and whether it regressed below it; lowest score first. In an organisation's (or its groups' and devices') conversation only that organisation is listed.",
		Parameters: schema(map[string]any{}, false),
		Run: func(ctx context.Context, scope health.Ref, raw json.RawMessage) (Result, error) {
			var a struct{}
			if err := decode(raw, &a); err != nil {
				return Result{}, err
			}
			scope, err := k.checkScope(ctx, scope)
			if err != nil {
				return Result{}, err
			}
			only := uuid.Nil
			switch scope.Kind {
			case health.KindOrganisation:
				only = scope.ID
			case health.KindGroup:
				g, err := k.d.Store.Ent.Group.Get(ctx, scope.ID)
				if err != nil {
					return Result{}, apperr.NotFoundIf(err, "group")
				}
				only = g.OrganisationID
			case health.KindDevice:
				d, err := k.d.Store.Ent.Device.Get(ctx, scope.ID)
				if err != nil {
					return Result{}, apperr.NotFoundIf(err, "device")
				}
				only = d.OrganisationID
			}
			orgs, err := k.d.Health.Organisations(ctx)
			if err != nil {
				return Result{}, err
			}
			med := health.Median(orgs)
			scoredN := 0
			for _, o := range orgs {
				if o.View.Scored {
					scoredN++
				}
			}
			var rows []OrgRow
			var recs []Record
			for _, o := range orgs {
				if only != uuid.Nil && o.ID != only {
					continue
				}
				r := OrgRow{Ref: ref(len(rows) + 1), ID: o.ID.String(), Name: clip(o.Name, clipName), Score: o.View.Score, Band: string(o.View.Band),
					Scored: o.View.Scored, Baseline: o.Baseline, Regressed: o.Regressed, Devices: o.View.DeviceCount, NeedsAttention: o.View.NeedsAttention}
				if o.View.Scored {
					r.VsMedian = float64(o.View.Score) - med
				} else {
					r.Band = "unscored"
				}
				rows = append(rows, r)
				label := fmt.Sprintf("%s · score %d (%s)", r.Name, r.Score, r.Band)
				if r.Regressed {
					label += fmt.Sprintf(" · below its baseline %.0f", r.Baseline)
				}
				recs = append(recs, Record{Kind: RecordOrganisation, ID: o.ID.String(), Entity: health.Ref{Kind: health.KindOrganisation, ID: o.ID}, Label: label})
			}
			if len(rows) == 0 {
				return empty("no organisations to compare: none is visible in this scope"), nil
			}
			kept, data := k.fit(len(rows), func(n int) any {
				return OrgComparison{Note: DataNote, Median: med, MedianOf: scoredN, Organisations: rows[:n], Omitted: omittedNote(len(rows)-n, "organisations")}
			})
			return Result{Summary: plural(len(rows), "organisation", "organisations"), Data: data, Records: recs[:kept]}, nil
		},
	}
}
