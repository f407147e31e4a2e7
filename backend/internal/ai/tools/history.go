package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/healthhistory"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// HistoryData is the data of score_history.
type HistoryData struct {
	Note        string       `json:"note"`
	Ref         string       `json:"ref"`
	Scope       string       `json:"scope"`
	Days        int          `json:"days"`
	FromScore   *int         `json:"from_score,omitempty"`
	ToScore     *int         `json:"to_score,omitempty"`
	Points      []PointRow   `json:"points,omitempty"`
	Explanation *Explanation `json:"explanation,omitempty"`
	Movers      []MoverRow   `json:"devices_that_moved,omitempty"`
	Omitted     string       `json:"omitted,omitempty"`
}

// PointRow is a score at a time.
type PointRow struct {
	Time  string `json:"time"`
	Score int    `json:"score"`
	Band  string `json:"band"`
}

// Explanation says what changed on a device and why, finding by finding.
type Explanation struct {
	FromScore int         `json:"from_score"`
	ToScore   int         `json:"to_score"`
	FromTime  string      `json:"from_time,omitempty"`
	ToTime    string      `json:"to_time"`
	Changes   []ChangeRow `json:"changes"`
	Note      string      `json:"note,omitempty"`
}

// ChangeRow is one finding's part in a score change.
type ChangeRow struct {
	Ref     string `json:"ref"`
	Kind    string `json:"kind"`
	CheckID string `json:"check_id"`
	Subject string `json:"subject,omitempty"`
	Points  int    `json:"points"`
	Text    string `json:"text"`
}

// MoverRow is a device whose score moved within the span.
type MoverRow struct {
	Ref       string      `json:"ref"`
	DeviceID  string      `json:"device_id"`
	Hostname  string      `json:"hostname"`
	FromScore int         `json:"from_score"`
	ToScore   int         `json:"to_score"`
	Change    int         `json:"change"`
	Why       []ChangeRow `json:"why,omitempty"`
}

const maxMovers = 8

func (k *kit) scoreHistory() Tool {
	return Tool{
		Name: "score_history",
		Description: "How a score changed over the last 7, 30 or 90 days, and why: for a device, the findings that appeared, were resolved " +
			"or changed and the points each cost; for a group, organisation or tenant, its score points and the devices whose scores moved most, each explained.",
		Parameters: schema(map[string]any{"days": map[string]any{"type": "integer", "enum": []int{7, 30, 90}}}, true),
		Run: func(ctx context.Context, scope health.Ref, raw json.RawMessage) (Result, error) {
			var a struct {
				Target
				Days int `json:"days,omitempty"`
			}
			if err := decode(raw, &a); err != nil {
				return Result{}, err
			}
			if a.Days == 0 {
				a.Days = 7
			}
			if a.Days != 7 && a.Days != 30 && a.Days != 90 {
				return Result{}, apperr.Invalid("days", "must be 7, 30 or 90")
			}
			target, err := k.narrow(ctx, scope, a.Target)
			if err != nil {
				return Result{}, err
			}
			return k.runHistory(ctx, target, a.Days)
		},
	}
}

func (k *kit) runHistory(ctx context.Context, target health.Ref, days int) (Result, error) {
	span := time.Duration(days) * 24 * time.Hour
	start := time.Now().UTC().Add(-span)
	name := k.scopeName(ctx, target)
	data := HistoryData{Note: DataNote, Ref: "R1", Scope: name, Days: days}
	recs := []Record{{Kind: RecordHistory, ID: target.ID.String(), Entity: target}}
	var pts []health.Point
	if !(target.Kind == health.KindTenant && viewer.FromContext(ctx).Scoped()) {
		var err error
		pts, err = k.d.Health.History(ctx, target, span)
		if err != nil {
			return Result{}, err
		}
	}
	if len(pts) > 0 {
		first, last := pts[0].Score, pts[len(pts)-1].Score
		data.FromScore, data.ToScore = &first, &last
		step := max(1, (len(pts)+29)/30)
		for i, p := range pts {
			if i%step == 0 || i == len(pts)-1 {
				data.Points = append(data.Points, PointRow{Time: p.Time.UTC().Format(time.RFC3339), Score: p.Score, Band: string(p.Band)})
			}
		}
	}
	label := fmt.Sprintf("%s · score history, last %d days", name, days)
	if data.FromScore != nil {
		label = fmt.Sprintf("%s · score %d → %d over %d days", name, *data.FromScore, *data.ToScore, days)
	}
	recs[0].Label = label
	if target.Kind == health.KindDevice {
		if len(pts) == 0 {
			return empty(fmt.Sprintf("no score history for %s in the last %d days: it has not been analysed yet", name, days)), nil
		}
		ex, err := k.d.Health.Explain(ctx, target.ID, start, time.Time{})
		if err != nil && !apperr.Is(err, apperr.KindFailedPrecondition) {
			return Result{}, err
		}
		if ex != nil {
			data.Explanation = explanation(ex)
			for i := range data.Explanation.Changes {
				c := &data.Explanation.Changes[i]
				c.Ref = ref(len(recs) + 1)
				recs = append(recs, Record{Kind: RecordFinding, ID: c.CheckID, Entity: target, Label: name + " · " + c.Text})
			}
		}
		return Result{Summary: label, Data: k.fitHistory(&data, &recs), Records: recs}, nil
	}
	movers, err := k.movers(ctx, target, start)
	if err != nil {
		return Result{}, err
	}
	if len(pts) == 0 && len(movers) == 0 {
		return empty(fmt.Sprintf("no score history for %s in the last %d days", name, days)), nil
	}
	for i := range movers {
		m := &movers[i]
		m.Ref = ref(len(recs) + 1)
		id, _ := uuid.Parse(m.DeviceID)
		recs = append(recs, Record{Kind: RecordDevice, ID: m.DeviceID, Entity: deviceRef(id),
			Label: fmt.Sprintf("%s · score %d → %d", m.Hostname, m.FromScore, m.ToScore)})
		if i < 4 {
			ex, err := k.d.Health.Explain(ctx, id, start, time.Time{})
			if err != nil && !apperr.Is(err, apperr.KindFailedPrecondition) {
				return Result{}, err
			}
			if ex != nil {
				e := explanation(ex)
				for j := range e.Changes[:min(3, len(e.Changes))] {
					c := e.Changes[j]
					c.Ref = ref(len(recs) + 1)
					recs = append(recs, Record{Kind: RecordFinding, ID: c.CheckID, Entity: deviceRef(id), Label: m.Hostname + " · " + c.Text})
					m.Why = append(m.Why, c)
				}
			}
		}
	}
	data.Movers = movers
	return Result{Summary: label, Data: k.fitHistory(&data, &recs), Records: recs}, nil
}

// fitHistory cuts movers (then changes) until the result fits, keeping
// records and refs in step.
func (k *kit) fitHistory(data *HistoryData, recs *[]Record) HistoryData {
	size := func(d HistoryData) int {
		b, _ := json.Marshal(d)
		return len(b)
	}
	d := *data
	for size(d) > k.maxChars() {
		switch {
		case len(d.Movers) > 0:
			d.Movers = d.Movers[:len(d.Movers)-1]
		case d.Explanation != nil && len(d.Explanation.Changes) > 0:
			e := *d.Explanation
			e.Changes = e.Changes[:len(e.Changes)-1]
			d.Explanation = &e
		case len(d.Points) > 2:
			d.Points = append(d.Points[:1], d.Points[len(d.Points)/2+1:]...)
		default:
			return d
		}
	}
	// Keep the records still referred to, renumbered in order.
	keep := map[string]bool{"R1": true}
	for _, m := range d.Movers {
		keep[m.Ref] = true
		for _, c := range m.Why {
			keep[c.Ref] = true
		}
	}
	if d.Explanation != nil {
		for _, c := range d.Explanation.Changes {
			keep[c.Ref] = true
		}
	}
	cut := (len(data.Movers) - len(d.Movers))
	if data.Explanation != nil && d.Explanation != nil {
		cut += len(data.Explanation.Changes) - len(d.Explanation.Changes)
	}
	var out []Record
	for i, r := range *recs {
		if keep[ref(i+1)] {
			out = append(out, r)
		}
	}
	// Refs were handed out in record order and cuts drop from the end, so
	// the kept records are a prefix.
	*recs = out
	if cut > 0 {
		d.Omitted = omittedNote(cut, "devices or changes")
	}
	return d
}

func explanation(ex *health.Explanation) *Explanation {
	e := &Explanation{FromScore: ex.FromScore, ToScore: ex.ToScore, ToTime: ex.ToTime.UTC().Format(time.RFC3339), Note: ex.Note}
	if !ex.FromTime.IsZero() {
		e.FromTime = ex.FromTime.UTC().Format(time.RFC3339)
	}
	for _, c := range ex.Changes {
		e.Changes = append(e.Changes, ChangeRow{Kind: c.Kind, CheckID: c.CheckID, Subject: clip(c.Subject, clipName), Points: c.Delta, Text: clip(c.Text, clipText)})
	}
	return e
}

// movers returns the devices of a checked entity whose scores moved most
// since start (falls first), from their history.
func (k *kit) movers(ctx context.Context, target health.Ref, start time.Time) ([]MoverRow, error) {
	c := k.d.Store.Ent
	ids, err := c.Device.Query().Where(devicePreds(target)...).Limit(maxScan).IDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	type span struct{ from, to int }
	moved := map[uuid.UUID]*span{}
	for s := 0; s < len(ids); s += 500 {
		rows, err := c.HealthHistory.Query().
			Where(healthhistory.KindEQ(healthhistory.KindDevice), healthhistory.EntityIDIn(ids[s:min(s+500, len(ids))]...), healthhistory.ComputedAtGTE(start), healthhistory.Scored(true)).
			Order(ent.Asc(healthhistory.FieldComputedAt), ent.Asc(healthhistory.FieldID)).
			Select(healthhistory.FieldEntityID, healthhistory.FieldScore).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load history: %w", err)
		}
		for _, r := range rows {
			if m := moved[r.EntityID]; m != nil {
				m.to = r.Score
			} else {
				moved[r.EntityID] = &span{r.Score, r.Score}
			}
		}
	}
	var keys []uuid.UUID
	for id, m := range moved {
		if m.from != m.to {
			keys = append(keys, id)
		}
	}
	hosts, err := k.hostnamesOf(ctx, slices.Clone(keys))
	if err != nil {
		return nil, err
	}
	out := make([]MoverRow, 0, len(keys))
	for _, id := range keys {
		m := moved[id]
		out = append(out, MoverRow{DeviceID: id.String(), Hostname: hosts[id], FromScore: m.from, ToScore: m.to, Change: m.to - m.from})
	}
	slices.SortFunc(out, func(a, b MoverRow) int {
		if a.Change != b.Change {
			return a.Change - b.Change
		}
		if a.Hostname < b.Hostname {
			return -1
		}
		return 1
	})
	return out[:min(len(out), maxMovers)], nil
}
