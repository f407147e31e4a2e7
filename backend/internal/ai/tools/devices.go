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
	"github.com/wegweiser/wegweiser/backend/internal/device"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/ent"
	entdevice "github.com/wegweiser/wegweiser/ent/device"
)

// maxScan bounds how many devices a tool reads for one result.
const maxScan = 2000

// DeviceRow is a device in a tool result.
type DeviceRow struct {
	Ref            string `json:"ref"`
	ID             string `json:"id"`
	Hostname       string `json:"hostname"`
	Organisation   string `json:"organisation,omitempty"`
	OS             string `json:"os,omitempty"`
	Role           string `json:"role,omitempty"`
	Score          int    `json:"score,omitempty"`
	Band           string `json:"band"`
	Scored         bool   `json:"scored"`
	NeedsAttention bool   `json:"needs_attention,omitempty"`
	Stale          bool   `json:"stale,omitempty"`
	TopCheckID     string `json:"top_check_id,omitempty"`
	TopReason      string `json:"top_reason,omitempty"`
	Issues         int    `json:"issues,omitempty"`
	LastSnapshot   string `json:"last_snapshot,omitempty"`
}

// DeviceList is the data of search_devices.
type DeviceList struct {
	Note    string      `json:"note"`
	Scope   string      `json:"scope"`
	Filters string      `json:"filters,omitempty"`
	Total   int         `json:"total"`
	Devices []DeviceRow `json:"devices"`
	Omitted string      `json:"omitted,omitempty"`
}

type searchArgs struct {
	Target
	Band           string `json:"band,omitempty"`
	NeedsAttention bool   `json:"needs_attention,omitempty"`
	FailingCheck   string `json:"failing_check,omitempty"`
	OS             string `json:"os,omitempty"`
	Role           string `json:"role,omitempty"`
	Hostname       string `json:"hostname,omitempty"`
	Stale          bool   `json:"stale,omitempty"`
	Limit          int    `json:"limit,omitempty"`
}

// checkIDs returns the ids of the analyzer's checks.
func checkIDs() []string {
	var ids []string
	for _, c := range analyzer.Catalogue() {
		ids = append(ids, c.ID)
	}
	return ids
}

func (k *kit) searchDevices() Tool {
	return Tool{
		Name: "search_devices",
		Description: "Lists devices in the conversation's scope, worst health score first (devices without a score last), " +
			"with score, band, whether they need attention and their top reason. Filters: band, needs attention, a failing check, " +
			"OS, server or workstation, host name text, stale data. Use it for 'worst devices', 'what needs attention', " +
			"'which devices fail check X'.",
		Parameters: schema(map[string]any{
			"band":            map[string]any{"type": "string", "enum": []string{"healthy", "fair", "poor", "critical", "unscored"}},
			"needs_attention": map[string]any{"type": "boolean", "description": "Only devices that need attention."},
			"failing_check":   map[string]any{"type": "string", "description": "Only devices with a warning or failure of this check id.", "enum": checkIDs()},
			"os":              map[string]any{"type": "string", "description": "windows, macos, linux, or text of the OS name."},
			"role":            map[string]any{"type": "string", "enum": []string{"server", "workstation"}},
			"hostname":        map[string]any{"type": "string", "description": "Text the host name contains."},
			"stale":           map[string]any{"type": "boolean", "description": "Only devices whose data is stale."},
			"limit":           map[string]any{"type": "integer", "minimum": 1, "maximum": 200},
		}, true),
		Run: func(ctx context.Context, scope health.Ref, raw json.RawMessage) (Result, error) {
			var a searchArgs
			if err := decode(raw, &a); err != nil {
				return Result{}, err
			}
			return k.runSearchDevices(ctx, scope, a)
		},
	}
}

func (k *kit) runSearchDevices(ctx context.Context, scope health.Ref, a searchArgs) (Result, error) {
	var err error
	if a.Limit, err = limit(a.Limit, 50, 200); err != nil {
		return Result{}, err
	}
	f := device.Filter{Order: device.OrderScore, NeedsAttention: a.NeedsAttention, StaleOnly: a.Stale, Query: strings.TrimSpace(a.Hostname)}
	var filters []string
	if a.Band != "" {
		b := strings.ToLower(a.Band)
		if b == "unscored" {
			b = device.Unscored
		}
		bands, err := device.NormaliseBands([]string{b})
		if err != nil {
			return Result{}, apperr.Invalid("band", "must be healthy, fair, poor, critical or unscored")
		}
		f.Bands = bands
		filters = append(filters, "band "+a.Band)
	}
	if a.FailingCheck != "" {
		if !slices.Contains(checkIDs(), a.FailingCheck) {
			return Result{}, apperr.Invalid("failing_check", "is not a check id of the catalogue")
		}
		f.FailingCheck = a.FailingCheck
		filters = append(filters, "failing "+a.FailingCheck)
	}
	os := strings.ToLower(strings.TrimSpace(a.OS))
	switch os {
	case "":
	case "windows", "macos", "linux":
		f.Platform = os
		filters = append(filters, "OS "+os)
	case "mac", "osx", "mac os":
		f.Platform, os = "macos", "macos"
		filters = append(filters, "OS macos")
	default:
		filters = append(filters, "OS "+clip(a.OS, 40))
	}
	role := strings.ToLower(a.Role)
	if role != "" && role != "server" && role != "workstation" {
		return Result{}, apperr.Invalid("role", "must be server or workstation")
	}
	if role != "" {
		filters = append(filters, role+"s")
	}
	if a.NeedsAttention {
		filters = append(filters, "needs attention")
	}
	if a.Stale {
		filters = append(filters, "stale")
	}
	if f.Query != "" {
		filters = append(filters, "host name contains "+clip(f.Query, 40))
	}
	target, err := k.narrow(ctx, scope, a.Target)
	if err != nil {
		return Result{}, err
	}
	var only uuid.UUID
	switch target.Kind {
	case health.KindOrganisation:
		f.OrganisationID = target.ID
	case health.KindGroup:
		f.GroupID = target.ID
	case health.KindDevice:
		only = target.ID
	}
	f.Role = role
	var items []device.Item
	total := 0
	if only == uuid.Nil && (os == "" || f.Platform != "") {
		// Every filter is SQL: read one page of limit and count the rest.
		items, _, err = k.d.Devices.List(ctx, f, a.Limit, "")
		if err != nil {
			return Result{}, err
		}
		if total = len(items); total == a.Limit {
			if total, err = k.d.Devices.Count(ctx, f); err != nil {
				return Result{}, err
			}
		}
	} else {
		items, err = k.listDevices(ctx, f, only, func(d *ent.Device) bool {
			return os == "" || f.Platform != "" || strings.Contains(strings.ToLower(d.OsName+" "+d.OsVersion), os)
		})
		if err != nil {
			return Result{}, err
		}
		total = len(items)
	}
	if len(items) == 0 {
		n, err := k.d.Store.Ent.Device.Query().Where(devicePreds(target)...).Count(ctx)
		if err != nil {
			return Result{}, fmt.Errorf("count devices: %w", err)
		}
		if n == 0 {
			return empty("no devices have enrolled in this scope yet"), nil
		}
		return empty(fmt.Sprintf("no devices match (%s) among the %s in scope", strings.Join(filters, ", "), plural(n, "device", "devices"))), nil
	}
	orgs := k.orgNames(ctx)
	items = items[:min(len(items), a.Limit)]
	rows := make([]DeviceRow, len(items))
	recs := make([]Record, len(items))
	for i, it := range items {
		rows[i] = deviceRow(it, orgs)
		rows[i].Ref = ref(i + 1)
		recs[i] = Record{Kind: RecordDevice, ID: it.Device.ID.String(), Entity: deviceRef(it.Device.ID), Label: deviceLabel(it)}
	}
	kept, data := k.fit(len(rows), func(n int) any {
		return DeviceList{Note: DataNote, Scope: k.scopeName(ctx, target), Filters: strings.Join(filters, ", "), Total: total,
			Devices: rows[:n], Omitted: omittedNote(total-n, "devices")}
	})
	return Result{Summary: plural(total, "device", "devices"), Data: data, Records: recs[:kept]}, nil
}

// listDevices pages through device.Service.List (worst first) and keeps
// the devices keep accepts, up to maxScan.
func (k *kit) listDevices(ctx context.Context, f device.Filter, only uuid.UUID, keep func(*ent.Device) bool) ([]device.Item, error) {
	if only != uuid.Nil {
		d, err := k.d.Store.Ent.Device.Get(ctx, only)
		if err != nil {
			return nil, apperr.NotFoundIf(err, "device")
		}
		f.OrganisationID, f.GroupID = d.OrganisationID, uuid.Nil
		if f.Query == "" || strings.Contains(strings.ToLower(d.Hostname), strings.ToLower(f.Query)) {
			f.Query = d.Hostname
		}
	}
	var out []device.Item
	token := ""
	for scanned := 0; scanned < maxScan; {
		page, next, err := k.d.Devices.List(ctx, f, 200, token)
		if err != nil {
			return nil, err
		}
		scanned += len(page)
		for _, it := range page {
			if only != uuid.Nil && it.Device.ID != only {
				continue
			}
			if keep == nil || keep(it.Device) {
				out = append(out, it)
			}
		}
		if next == "" {
			break
		}
		token = next
	}
	return out, nil
}

// orgNames maps the organisations the viewer can see to their names.
func (k *kit) orgNames(ctx context.Context) map[uuid.UUID]string {
	out := map[uuid.UUID]string{}
	orgs, err := k.d.Store.Ent.Organisation.Query().All(ctx)
	if err != nil {
		return out
	}
	for _, o := range orgs {
		out[o.ID] = clip(o.Name, clipName)
	}
	return out
}

func deviceRow(it device.Item, orgs map[uuid.UUID]string) DeviceRow {
	d, h := it.Device, it.Health
	r := DeviceRow{ID: d.ID.String(), Hostname: clip(d.Hostname, clipName), Organisation: orgs[d.OrganisationID],
		OS: clip(strings.TrimSpace(d.OsName+" "+d.OsVersion), clipName), Role: string(d.Role),
		Score: h.Score, Band: h.Band, Scored: h.Scored, NeedsAttention: h.NeedsAttention, Stale: h.Stale,
		TopCheckID: h.TopCheckID, TopReason: clip(h.TopTitle, clipText), Issues: h.IssueCount}
	if !h.Scored {
		r.Band = "unscored"
	}
	if d.LastSnapshotAt != nil {
		r.LastSnapshot = d.LastSnapshotAt.UTC().Format(time.RFC3339)
	}
	return r
}

func deviceLabel(it device.Item) string {
	if !it.Health.Scored {
		return clip(it.Device.Hostname, clipName) + " · no score yet"
	}
	l := fmt.Sprintf("%s · score %d (%s)", clip(it.Device.Hostname, clipName), it.Health.Score, it.Health.Band)
	if it.Health.TopTitle != "" {
		l += " · " + clip(it.Health.TopTitle, 80)
	}
	return l
}

// DeviceHealthData is the data of device_health.
type DeviceHealthData struct {
	Note           string         `json:"note"`
	Ref            string         `json:"ref"`
	Hostname       string         `json:"hostname"`
	Score          int            `json:"score"`
	Band           string         `json:"band"`
	Scored         bool           `json:"scored"`
	NeedsAttention bool           `json:"needs_attention"`
	Stale          bool           `json:"stale"`
	CapReason      string         `json:"cap_reason,omitempty"`
	Coverage       float64        `json:"coverage"`
	ComputedAt     string         `json:"computed_at,omitempty"`
	Domains        []DomainScore  `json:"domains"`
	Reasons        []FindingBrief `json:"reasons"`
	Omitted        string         `json:"omitted,omitempty"`
}

// DomainScore is a domain's score.
type DomainScore struct {
	Domain string `json:"domain"`
	Score  int    `json:"score"`
	Scored bool   `json:"scored"`
}

// FindingBrief is a reason for a score.
type FindingBrief struct {
	Ref      string `json:"ref"`
	CheckID  string `json:"check_id"`
	Subject  string `json:"subject,omitempty"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	Severity string `json:"severity"`
	Penalty  int    `json:"penalty"`
}

type deviceArgs struct {
	Device string `json:"device,omitempty"`
}

var deviceParam = map[string]any{"type": "string", "description": "A device id or host name inside the conversation's scope (default: the conversation's device)."}

func (k *kit) deviceHealth() Tool {
	return Tool{
		Name:        "device_health",
		Description: "A device's health: score, band, domain scores, whether it needs attention, and the findings that cost it most points.",
		Parameters:  schema(map[string]any{"device": deviceParam}, false),
		Run: func(ctx context.Context, scope health.Ref, raw json.RawMessage) (Result, error) {
			var a deviceArgs
			if err := decode(raw, &a); err != nil {
				return Result{}, err
			}
			d, err := k.deviceArg(ctx, scope, a.Device)
			if err != nil {
				return Result{}, err
			}
			v, err := k.d.Health.Get(ctx, deviceRef(d.ID))
			if err != nil {
				return Result{}, err
			}
			host := clip(d.Hostname, clipName)
			if !v.Scored && v.ComputedAt.IsZero() {
				return empty(fmt.Sprintf("no health data for %s: it has not sent a snapshot that was analysed yet", host)), nil
			}
			fs, err := k.d.Health.Findings(ctx, deviceRef(d.ID), false, "", 500)
			if err != nil {
				return Result{}, err
			}
			costliestFirst(fs)
			recs := []Record{{Kind: RecordDevice, ID: d.ID.String(), Entity: deviceRef(d.ID), Label: fmt.Sprintf("%s · score %d (%s)", host, v.Score, v.Band)}}
			reasons := make([]FindingBrief, len(fs))
			for i, f := range fs {
				reasons[i] = brief(f.Finding, ref(i+2))
				recs = append(recs, findingRecord(d.ID, host, f.Finding))
			}
			data := DeviceHealthData{Note: DataNote, Ref: "R1", Hostname: host, Score: v.Score, Band: string(v.Band), Scored: v.Scored,
				NeedsAttention: v.NeedsAttention > 0, Stale: v.Stale, CapReason: clip(v.CapReason, clipText), Coverage: v.Coverage}
			if !v.Scored {
				data.Band = "unscored"
			}
			if !v.ComputedAt.IsZero() {
				data.ComputedAt = v.ComputedAt.UTC().Format(time.RFC3339)
			}
			for _, ds := range v.Domains {
				data.Domains = append(data.Domains, DomainScore{Domain: string(ds.Domain), Score: ds.Score, Scored: ds.Scored})
			}
			kept, out := k.fit(len(reasons), func(n int) any {
				c := data
				c.Reasons = reasons[:n]
				c.Omitted = omittedNote(len(reasons)-n, "findings")
				return c
			})
			sum := fmt.Sprintf("%s: score %d (%s)", host, v.Score, data.Band)
			return Result{Summary: sum, Data: out, Records: recs[:1+kept]}, nil
		},
	}
}

func brief(f analyzer.Finding, r string) FindingBrief {
	return FindingBrief{Ref: r, CheckID: f.CheckID, Subject: clip(f.Subject, clipName), Title: clip(f.Title, clipText),
		Status: string(f.Status), Severity: string(f.Severity), Penalty: f.Penalty}
}

func findingRecord(deviceID uuid.UUID, host string, f analyzer.Finding) Record {
	return Record{Kind: RecordFinding, ID: f.CheckID, Entity: deviceRef(deviceID), Label: host + " · " + clip(f.Title, 100)}
}

// costliestFirst orders findings by the points they cost (the health
// service's order among equals).
func costliestFirst(fs []health.DeviceFinding) {
	slices.SortStableFunc(fs, func(a, b health.DeviceFinding) int { return b.Penalty - a.Penalty })
}

// SilentData is the data of silent_agents.
type SilentData struct {
	Note     string      `json:"note"`
	Scope    string      `json:"scope"`
	Limit    string      `json:"freshness_limit"`
	Total    int         `json:"total"`
	Devices  []SilentRow `json:"devices"`
	Omitted  string      `json:"omitted,omitempty"`
	InScope  int         `json:"devices_in_scope"`
	Reported int         `json:"devices_reporting"`
}

// SilentRow is a device whose agent went silent.
type SilentRow struct {
	Ref          string `json:"ref"`
	ID           string `json:"id"`
	Hostname     string `json:"hostname"`
	Organisation string `json:"organisation,omitempty"`
	LastSnapshot string `json:"last_snapshot"`
	SilentFor    string `json:"silent_for"`
}

func (k *kit) silentAgents() Tool {
	return Tool{
		Name:        "silent_agents",
		Description: fmt.Sprintf("Devices in scope whose last snapshot is older than the freshness limit (%s) or that never reported, silent longest first.", hours(health.StaleAfter)),
		Parameters:  schema(map[string]any{"limit": map[string]any{"type": "integer", "minimum": 1, "maximum": 200}}, true),
		Run: func(ctx context.Context, scope health.Ref, raw json.RawMessage) (Result, error) {
			var a struct {
				Target
				Limit int `json:"limit,omitempty"`
			}
			if err := decode(raw, &a); err != nil {
				return Result{}, err
			}
			var err error
			if a.Limit, err = limit(a.Limit, 50, 200); err != nil {
				return Result{}, err
			}
			target, err := k.narrow(ctx, scope, a.Target)
			if err != nil {
				return Result{}, err
			}
			now := time.Now().UTC()
			cutoff := now.Add(-health.StaleAfter)
			c := k.d.Store.Ent
			all, err := c.Device.Query().Where(devicePreds(target)...).Count(ctx)
			if err != nil {
				return Result{}, fmt.Errorf("count devices: %w", err)
			}
			if all == 0 {
				return empty("no devices have enrolled in this scope yet"), nil
			}
			devs, err := c.Device.Query().Where(append(devicePreds(target),
				entdevice.Or(entdevice.LastSnapshotAtIsNil(), entdevice.LastSnapshotAtLT(cutoff)))...).
				Order(ent.Asc(entdevice.FieldLastSnapshotAt), ent.Asc(entdevice.FieldHostname)).Limit(maxScan).All(ctx)
			if err != nil {
				return Result{}, fmt.Errorf("list silent devices: %w", err)
			}
			if len(devs) == 0 {
				return empty(fmt.Sprintf("no devices are silent: all %s in scope sent a snapshot within the last %s", plural(all, "device", "devices"), hours(health.StaleAfter))), nil
			}
			// Never reported first, then oldest first.
			slices.SortStableFunc(devs, func(a, b *ent.Device) int {
				switch {
				case a.LastSnapshotAt == nil && b.LastSnapshotAt != nil:
					return -1
				case a.LastSnapshotAt != nil && b.LastSnapshotAt == nil:
					return 1
				}
				return 0
			})
			orgs := k.orgNames(ctx)
			total := len(devs)
			devs = devs[:min(len(devs), a.Limit)]
			rows := make([]SilentRow, len(devs))
			recs := make([]Record, len(devs))
			for i, d := range devs {
				r := SilentRow{Ref: ref(i + 1), ID: d.ID.String(), Hostname: clip(d.Hostname, clipName), Organisation: orgs[d.OrganisationID],
					LastSnapshot: "never", SilentFor: "never reported"}
				if d.LastSnapshotAt != nil {
					r.LastSnapshot = d.LastSnapshotAt.UTC().Format(time.RFC3339)
					r.SilentFor = age(now.Sub(*d.LastSnapshotAt))
				}
				rows[i] = r
				recs[i] = Record{Kind: RecordDevice, ID: d.ID.String(), Entity: deviceRef(d.ID), Label: r.Hostname + " · last snapshot " + r.SilentFor}
			}
			kept, data := k.fit(len(rows), func(n int) any {
				return SilentData{Note: DataNote, Scope: k.scopeName(ctx, target), Limit: hours(health.StaleAfter), Total: total,
					Devices: rows[:n], Omitted: omittedNote(total-n, "devices"), InScope: all, Reported: all - total}
			})
			return Result{Summary: plural(total, "silent device", "silent devices"), Data: data, Records: recs[:kept]}, nil
		},
	}
}

// hours writes a duration in whole hours.
func hours(d time.Duration) string { return plural(int(d.Hours()), "hour", "hours") }

// age says how long ago, in days or hours.
func age(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days ago", int(d.Hours()/24))
	}
	return fmt.Sprintf("%d hours ago", int(d.Hours()))
}
