package narrative

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/devicefinding"
	"github.com/wegweiser/wegweiser/ent/devicehealth"
)

// Limits of a discovery report.
const (
	MaxRisks        = 20
	MaxRiskDevices  = 50
	MaxRiskEvidence = 5
)

// Risk is one check failing across an organisation's devices.
type Risk struct {
	health.CheckSummary
	Effort         Effort
	Recommendation string
	// Evidence from up to MaxRiskEvidence devices, e.g. "PC-07: free
	// space 3.0 %".
	Evidence []string
	// Devices concerned, worst first (up to MaxRiskDevices).
	Devices []health.DeviceScore
}

// Report is the discovery report of an organisation.
type Report struct {
	OrganisationID   uuid.UUID
	OrganisationName string
	GeneratedAt      time.Time
	Health           *health.View
	Risks            []Risk
	Narrative        *Narrative
	UnscoredDevices  int
}

// Discovery puts together the discovery report of an organisation the
// viewer can see: its health, its top risks grouped by check with effort,
// advice, evidence and the devices concerned, and its narrative.
func (s *Service) Discovery(ctx context.Context, orgID uuid.UUID) (*Report, error) {
	org, err := s.st.Ent.Organisation.Get(ctx, orgID)
	if err != nil {
		return nil, apperr.NotFoundIf(err, "organisation")
	}
	ref := health.Ref{Kind: health.KindOrganisation, ID: orgID}
	view, err := s.health.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	sums, total, err := s.health.CheckSummaries(ctx, ref, "")
	if err != nil {
		return nil, err
	}
	scored, err := s.st.Ent.DeviceHealth.Query().Where(devicehealth.OrganisationID(orgID), devicehealth.Scored(true)).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("count scored devices: %w", err)
	}
	rep := &Report{OrganisationID: orgID, OrganisationName: org.Name, GeneratedAt: s.now(), Health: view, UnscoredDevices: max(total-scored, 0)}
	if len(sums) > MaxRisks {
		sums = sums[:MaxRisks]
	}
	if err := s.fillRisks(ctx, orgID, sums, rep); err != nil {
		return nil, err
	}
	if rep.Narrative, err = s.Get(ctx, ref); err != nil {
		return nil, err
	}
	return rep, nil
}

// fillRisks adds the devices, evidence and advice of each check summary.
func (s *Service) fillRisks(ctx context.Context, orgID uuid.UUID, sums []health.CheckSummary, rep *Report) error {
	if len(sums) == 0 {
		return nil
	}
	ids := make([]string, len(sums))
	for i, c := range sums {
		ids[i] = c.CheckID
	}
	rows, err := s.st.Ent.DeviceFinding.Query().Where(devicefinding.OrganisationID(orgID), devicefinding.CheckIDIn(ids...)).
		Select(devicefinding.FieldDeviceID, devicefinding.FieldCheckID, devicefinding.FieldStatus, devicefinding.FieldPenalty).All(ctx)
	if err != nil {
		return fmt.Errorf("load device findings: %w", err)
	}
	type hit struct {
		fail    bool
		penalty int
	}
	byCheck := map[string]map[uuid.UUID]*hit{}
	var devIDs []uuid.UUID
	seen := map[uuid.UUID]bool{}
	for _, r := range rows {
		m := byCheck[r.CheckID]
		if m == nil {
			m = map[uuid.UUID]*hit{}
			byCheck[r.CheckID] = m
		}
		h := m[r.DeviceID]
		if h == nil {
			h = &hit{}
			m[r.DeviceID] = h
		}
		h.fail = h.fail || r.Status == string(analyzer.Fail)
		h.penalty = max(h.penalty, r.Penalty)
		if !seen[r.DeviceID] {
			seen[r.DeviceID] = true
			devIDs = append(devIDs, r.DeviceID)
		}
	}
	scores, err := s.deviceScores(ctx, devIDs)
	if err != nil {
		return err
	}
	// Worst first: failing before warning, more points lost, lower score,
	// then host name.
	order := make(map[string][]uuid.UUID, len(sums))
	for check, m := range byCheck {
		list := make([]uuid.UUID, 0, len(m))
		for id := range m {
			list = append(list, id)
		}
		sort.Slice(list, func(i, j int) bool {
			a, b := m[list[i]], m[list[j]]
			if a.fail != b.fail {
				return a.fail
			}
			if a.penalty != b.penalty {
				return a.penalty > b.penalty
			}
			sa, sb := scores[list[i]], scores[list[j]]
			if sa.Score != sb.Score {
				return sa.Score < sb.Score
			}
			return sa.Hostname < sb.Hostname
		})
		order[check] = list
	}
	// Evidence and advice from the first devices of each risk.
	var evidenceIDs []uuid.UUID
	want := map[uuid.UUID]bool{}
	for _, c := range sums {
		for _, id := range order[c.CheckID][:min(MaxRiskEvidence, len(order[c.CheckID]))] {
			if !want[id] {
				want[id] = true
				evidenceIDs = append(evidenceIDs, id)
			}
		}
	}
	findings, err := s.deviceFindings(ctx, evidenceIDs)
	if err != nil {
		return err
	}
	for _, c := range sums {
		r := Risk{CheckSummary: c, Effort: EffortFor(c.CheckID, c.Domain)}
		list := order[c.CheckID]
		for i, id := range list {
			if i >= MaxRiskDevices {
				break
			}
			r.Devices = append(r.Devices, scores[id])
		}
		for _, id := range list[:min(MaxRiskEvidence, len(list))] {
			for _, f := range findings[id] {
				if f.CheckID != c.CheckID || f.Suppressed || (f.Status != analyzer.Warn && f.Status != analyzer.Fail) {
					continue
				}
				if r.Recommendation == "" {
					r.Recommendation = f.Recommendation
				}
				r.Evidence = append(r.Evidence, evidenceLine(scores[id].Hostname, f))
				break
			}
		}
		if r.Recommendation == "" {
			r.Recommendation = "Review the devices listed and the check's findings on each."
		}
		rep.Risks = append(rep.Risks, r)
	}
	return nil
}

// evidenceLine is one device's evidence for a risk.
func evidenceLine(host string, f analyzer.Finding) string {
	line := host + ": "
	switch {
	case len(f.Evidence) > 0:
		e := f.Evidence[0]
		line += e.Label + " " + e.Value
		if f.Subject != "" {
			line += " (" + f.Subject + ")"
		}
	case f.Detail != "":
		line += f.Detail
	default:
		line += f.Title
	}
	return clip(line, 300)
}

// deviceScores returns the devices with their scores.
func (s *Service) deviceScores(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]health.DeviceScore, error) {
	out := make(map[uuid.UUID]health.DeviceScore, len(ids))
	for start := 0; start < len(ids); start += 1000 {
		chunk := ids[start:min(start+1000, len(ids))]
		devs, err := s.st.Ent.Device.Query().Where(device.IDIn(chunk...)).
			Select(device.FieldID, device.FieldHostname, device.FieldOrganisationID, device.FieldRole).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load devices: %w", err)
		}
		for _, d := range devs {
			out[d.ID] = health.DeviceScore{DeviceID: d.ID, Hostname: d.Hostname, OrganisationID: d.OrganisationID, Server: d.Role == device.RoleServer}
		}
		hs, err := s.st.Ent.DeviceHealth.Query().Where(devicehealth.DeviceIDIn(chunk...)).
			Select(devicehealth.FieldDeviceID, devicehealth.FieldScore, devicehealth.FieldBand, devicehealth.FieldScored,
				devicehealth.FieldStale, devicehealth.FieldNeedsAttention, devicehealth.FieldCapReason, devicehealth.FieldTopCheckID).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load device health: %w", err)
		}
		for _, h := range hs {
			d, ok := out[h.DeviceID]
			if !ok {
				continue
			}
			band := analyzer.Band(h.Band)
			d.Score, d.Band, d.Scored, d.Stale = h.Score, band, h.Scored, h.Stale
			d.NeedsAttention = h.Scored && (h.NeedsAttention || band == analyzer.BandPoor || band == analyzer.BandCritical)
			d.Reason, d.TopCheckID = h.CapReason, h.TopCheckID
			out[h.DeviceID] = d
		}
	}
	return out, nil
}

// deviceFindings returns the full findings (with evidence) of devices.
func (s *Service) deviceFindings(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]analyzer.Finding, error) {
	out := map[uuid.UUID][]analyzer.Finding{}
	if len(ids) == 0 {
		return out, nil
	}
	hs, err := s.st.Ent.DeviceHealth.Query().Where(devicehealth.DeviceIDIn(ids...)).
		Select(devicehealth.FieldDeviceID, devicehealth.FieldFindings).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load device findings: %w", err)
	}
	for _, h := range hs {
		var fs []analyzer.Finding
		if err := json.Unmarshal(h.Findings, &fs); err != nil {
			return nil, fmt.Errorf("decode findings: %w", err)
		}
		out[h.DeviceID] = fs
	}
	return out, nil
}
