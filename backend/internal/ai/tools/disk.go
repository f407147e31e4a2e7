package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"

	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/ent"
	entdevice "github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/devicefinding"
	"github.com/wegweiser/wegweiser/ent/devicesection"
	"github.com/wegweiser/wegweiser/ent/healthhistory"
	"github.com/wegweiser/wegweiser/ent/predicate"
)

// Disk forecast limits.
const (
	// lowFree is the free share below which a volume is listed even
	// without a trend.
	lowFree = 25.0
	// trendDays is how far back the trend looks.
	trendDays = 30
	// maxDiskDevices bounds how many devices' volumes one forecast reads.
	maxDiskDevices = 500
	gib            = 1 << 30
)

// VolumeRow is a volume and how fast it fills.
type VolumeRow struct {
	Ref      string  `json:"ref"`
	DeviceID string  `json:"device_id"`
	Hostname string  `json:"hostname"`
	Volume   string  `json:"volume"`
	FreePct  float64 `json:"free_percent"`
	FreeGiB  float64 `json:"free_gib"`
	SizeGiB  float64 `json:"size_gib"`
	// TrendPctPerDay is the change of the free share per day over the
	// trend window (negative: filling), when history has it.
	TrendPctPerDay *float64 `json:"trend_percent_per_day,omitempty"`
	// DaysToFull projects when the volume is full at that trend.
	DaysToFull *int `json:"days_to_full,omitempty"`
}

// DiskData is the data of disk_forecast.
type DiskData struct {
	Note    string      `json:"note"`
	Scope   string      `json:"scope"`
	Method  string      `json:"method"`
	Total   int         `json:"total"`
	Volumes []VolumeRow `json:"volumes"`
	Omitted string      `json:"omitted,omitempty"`
}

func (k *kit) diskForecast() Tool {
	return Tool{
		Name: "disk_forecast",
		Description: fmt.Sprintf("Volumes running out of space in scope: free share now and, where the score history recorded it, the trend "+
			"of free space over %d days with the days until full; soonest full first, then least free. Lists volumes under %.0f %% free or shrinking.", trendDays, lowFree),
		Parameters: schema(map[string]any{"limit": map[string]any{"type": "integer", "minimum": 1, "maximum": 200}}, true),
		Run: func(ctx context.Context, scope health.Ref, raw json.RawMessage) (Result, error) {
			var a struct {
				Target
				Limit int `json:"limit,omitempty"`
			}
			if err := decode(raw, &a); err != nil {
				return Result{}, err
			}
			var err error
			if a.Limit, err = limit(a.Limit, 20, 200); err != nil {
				return Result{}, err
			}
			target, err := k.narrow(ctx, scope, a.Target)
			if err != nil {
				return Result{}, err
			}
			return k.runDisk(ctx, target, a.Limit)
		},
	}
}

func (k *kit) runDisk(ctx context.Context, target health.Ref, limit int) (Result, error) {
	c := k.d.Store.Ent
	name := k.scopeName(ctx, target)
	ids, err := k.diskCandidates(ctx, target)
	if err != nil {
		return Result{}, err
	}
	if len(ids) == 0 {
		return empty(fmt.Sprintf("no devices have enrolled in %s yet", name)), nil
	}
	hosts, err := k.hostnamesOf(ctx, slices.Clone(ids))
	if err != nil {
		return Result{}, err
	}
	var vols []VolumeRow
	reported := 0
	for s := 0; s < len(ids); s += 200 {
		rows, err := c.DeviceSection.Query().Where(devicesection.DeviceIDIn(ids[s:min(s+200, len(ids))]...), devicesection.Name("storage")).
			Order(ent.Asc(devicesection.FieldDeviceID)).All(ctx)
		if err != nil {
			return Result{}, fmt.Errorf("load volumes: %w", err)
		}
		for _, row := range rows {
			part := &agentv1.Snapshot{}
			if err := proto.Unmarshal(row.Data, part); err != nil {
				return Result{}, fmt.Errorf("decode volumes: %w", err)
			}
			for _, v := range part.GetStorage().GetVolumes() {
				if v.GetSizeBytes() < gib || strings.HasPrefix(v.GetMountPoint(), "/snap/") || strings.HasPrefix(v.GetMountPoint(), "/boot") {
					continue
				}
				reported++
				vn := v.GetMountPoint()
				if vn == "" {
					vn = v.GetLabel()
				}
				free := float64(v.GetFreeBytes()) * 100 / float64(v.GetSizeBytes())
				vols = append(vols, VolumeRow{DeviceID: row.DeviceID.String(), Hostname: hosts[row.DeviceID], Volume: clip(vn, 60),
					FreePct: round1(free), FreeGiB: round1(float64(v.GetFreeBytes()) / gib), SizeGiB: round1(float64(v.GetSizeBytes()) / gib)})
			}
		}
	}
	if reported == 0 {
		return empty(fmt.Sprintf("no volumes were reported by the devices in %s", name)), nil
	}
	trends, err := k.volumeTrends(ctx, ids)
	if err != nil {
		return Result{}, err
	}
	withTrend := 0
	for i := range vols {
		v := &vols[i]
		t, ok := trends[v.DeviceID+"\x00volume "+v.Volume]
		if !ok {
			continue
		}
		days := time.Since(t.at).Hours() / 24
		if days < 1 {
			continue
		}
		slope := math.Round((v.FreePct-t.pct)/days*100) / 100
		v.TrendPctPerDay = &slope
		withTrend++
		if slope < 0 {
			d := int(math.Ceil(v.FreePct / -slope))
			v.DaysToFull = &d
		}
	}
	vols = slices.DeleteFunc(vols, func(v VolumeRow) bool {
		return v.FreePct >= lowFree && (v.TrendPctPerDay == nil || *v.TrendPctPerDay >= 0)
	})
	if len(vols) == 0 {
		return empty(fmt.Sprintf("no volume is running out in %s: all %d volumes have at least %.0f %% free and none is shrinking in the history", name, reported, lowFree)), nil
	}
	slices.SortStableFunc(vols, func(a, b VolumeRow) int {
		switch {
		case a.DaysToFull != nil && b.DaysToFull == nil:
			return -1
		case a.DaysToFull == nil && b.DaysToFull != nil:
			return 1
		case a.DaysToFull != nil && *a.DaysToFull != *b.DaysToFull:
			return *a.DaysToFull - *b.DaysToFull
		}
		switch {
		case a.FreePct < b.FreePct:
			return -1
		case a.FreePct > b.FreePct:
			return 1
		}
		return 0
	})
	method := fmt.Sprintf("free space from each device's latest snapshot; trend from the free space the score history recorded over %d days (kept only while a volume warned or failed)", trendDays)
	if withTrend == 0 {
		method = "no trend data: the score history recorded no free space for these volumes, so they are ranked by free share only"
	}
	total := len(vols)
	vols = vols[:min(len(vols), limit)]
	recs := make([]Record, len(vols))
	for i := range vols {
		v := &vols[i]
		v.Ref = ref(i + 1)
		id, _ := uuid.Parse(v.DeviceID)
		l := fmt.Sprintf("%s · volume %s has %.1f %% free", v.Hostname, v.Volume, v.FreePct)
		if v.DaysToFull != nil {
			l += fmt.Sprintf(", full in about %d days", *v.DaysToFull)
		}
		recs[i] = Record{Kind: RecordDevice, ID: v.DeviceID, Entity: deviceRef(id), Label: l}
	}
	kept, data := k.fit(len(vols), func(n int) any {
		return DiskData{Note: DataNote, Scope: name, Method: method, Total: total, Volumes: vols[:n], Omitted: omittedNote(total-n, "volumes")}
	})
	return Result{Summary: plural(total, "volume", "volumes"), Data: data, Records: recs[:kept]}, nil
}

// diskCandidates returns the devices of a checked entity whose volumes a
// forecast reads: those with a free-space finding first, then the others,
// up to maxDiskDevices.
func (k *kit) diskCandidates(ctx context.Context, target health.Ref) ([]uuid.UUID, error) {
	c := k.d.Store.Ent
	fp := []predicate.DeviceFinding{devicefinding.CheckID("storage.volume_free_space")}
	switch target.Kind {
	case health.KindDevice:
		fp = append(fp, devicefinding.DeviceID(target.ID))
	case health.KindGroup:
		fp = append(fp, devicefinding.GroupID(target.ID))
	case health.KindOrganisation:
		fp = append(fp, devicefinding.OrganisationID(target.ID))
	}
	var flagged []uuid.UUID
	if err := c.DeviceFinding.Query().Where(fp...).Unique(true).Limit(maxDiskDevices).Select(devicefinding.FieldDeviceID).Scan(ctx, &flagged); err != nil {
		return nil, fmt.Errorf("list devices low on space: %w", err)
	}
	seen := map[uuid.UUID]bool{}
	out := make([]uuid.UUID, 0, maxDiskDevices)
	for _, id := range flagged {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	rest, err := c.Device.Query().Where(devicePreds(target)...).Order(ent.Asc(entdevice.FieldHostname)).Limit(maxDiskDevices).IDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	for _, id := range rest {
		if len(out) == maxDiskDevices {
			break
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

type trendPoint struct {
	pct float64
	at  time.Time
}

// volumeTrends returns, per device and volume finding subject, the oldest
// free share the device's history recorded within trendDays.
func (k *kit) volumeTrends(ctx context.Context, ids []uuid.UUID) (map[string]trendPoint, error) {
	out := map[string]trendPoint{}
	since := time.Now().UTC().Add(-trendDays * 24 * time.Hour)
	for s := 0; s < len(ids); s += 200 {
		rows, err := k.d.Store.Ent.HealthHistory.Query().
			Where(healthhistory.KindEQ(healthhistory.KindDevice), healthhistory.EntityIDIn(ids[s:min(s+200, len(ids))]...), healthhistory.ComputedAtGTE(since)).
			Order(ent.Asc(healthhistory.FieldComputedAt), ent.Asc(healthhistory.FieldID)).
			Select(healthhistory.FieldEntityID, healthhistory.FieldFindings, healthhistory.FieldComputedAt).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load history: %w", err)
		}
		for _, r := range rows {
			var fs []analyzer.Finding
			if len(r.Findings) == 0 || json.Unmarshal(r.Findings, &fs) != nil {
				continue
			}
			for _, f := range fs {
				if f.CheckID != "storage.volume_free_space" || len(f.Evidence) == 0 {
					continue
				}
				key := r.EntityID.String() + "\x00" + f.Subject
				if _, seen := out[key]; seen {
					continue
				}
				num, _, _ := strings.Cut(f.Evidence[0].Value, " ")
				if pct, err := strconv.ParseFloat(num, 64); err == nil {
					out[key] = trendPoint{pct: pct, at: r.ComputedAt}
				}
			}
		}
	}
	return out, nil
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
