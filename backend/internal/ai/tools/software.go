package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/ent"
	entdevice "github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/installedsoftware"
	"github.com/wegweiser/wegweiser/ent/predicate"
)

// SoftwareRow is a program on a device.
type SoftwareRow struct {
	Ref       string `json:"ref"`
	DeviceID  string `json:"device_id"`
	Hostname  string `json:"hostname"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	Publisher string `json:"publisher,omitempty"`
}

// VersionCount is how many devices in scope run one version.
type VersionCount struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Devices int    `json:"devices"`
}

// MissingRow is a device in scope without the program.
type MissingRow struct {
	Ref      string `json:"ref"`
	DeviceID string `json:"device_id"`
	Hostname string `json:"hostname"`
}

// SoftwareData is the data of search_software.
type SoftwareData struct {
	Note     string         `json:"note"`
	Scope    string         `json:"scope"`
	Query    string         `json:"query"`
	Mode     string         `json:"mode"`
	Versions []VersionCount `json:"versions,omitempty"`
	Total    int            `json:"total"`
	Present  []SoftwareRow  `json:"installations,omitempty"`
	Missing  []MissingRow   `json:"devices_without,omitempty"`
	// NoInventory counts devices in scope that reported no software list,
	// which are neither "with" nor "without".
	NoInventory int    `json:"devices_without_inventory"`
	Omitted     string `json:"omitted,omitempty"`
}

type softwareArgs struct {
	Target
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	Mode    string `json:"mode,omitempty"`
	Limit   int    `json:"limit,omitempty"`
}

func (k *kit) searchSoftware() Tool {
	return Tool{
		Name: "search_software",
		Description: "Who runs which version of a program: mode 'present' lists the devices in scope with software whose name contains the text, " +
			"with versions counted; mode 'missing' lists the devices in scope WITHOUT it (devices that reported no software list are counted apart).",
		Parameters: schema(map[string]any{
			"name":    map[string]any{"type": "string", "description": "Text the program's name contains, e.g. 'Chrome'."},
			"version": map[string]any{"type": "string", "description": "Text the version contains (mode present)."},
			"mode":    map[string]any{"type": "string", "enum": []string{"present", "missing"}},
			"limit":   map[string]any{"type": "integer", "minimum": 1, "maximum": 500},
		}, true, "name"),
		Run: func(ctx context.Context, scope health.Ref, raw json.RawMessage) (Result, error) {
			var a softwareArgs
			if err := decode(raw, &a); err != nil {
				return Result{}, err
			}
			a.Name = strings.TrimSpace(a.Name)
			if a.Name == "" {
				return Result{}, apperr.Invalid("name", "is required: text of the program's name")
			}
			if len([]rune(a.Name)) > 200 {
				return Result{}, apperr.Invalid("name", "must be at most 200 characters")
			}
			a.Mode = strings.ToLower(a.Mode)
			if a.Mode == "" {
				a.Mode = "present"
			}
			if a.Mode != "present" && a.Mode != "missing" {
				return Result{}, apperr.Invalid("mode", "must be present or missing")
			}
			var err error
			if a.Limit, err = limit(a.Limit, 200, 500); err != nil {
				return Result{}, err
			}
			target, err := k.narrow(ctx, scope, a.Target)
			if err != nil {
				return Result{}, err
			}
			return k.runSoftware(ctx, target, a)
		},
	}
}

func (k *kit) runSoftware(ctx context.Context, target health.Ref, a softwareArgs) (Result, error) {
	c := k.d.Store.Ent
	devs, err := c.Device.Query().Where(devicePreds(target)...).Select(entdevice.FieldID, entdevice.FieldHostname).
		Order(ent.Asc(entdevice.FieldHostname)).All(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("list devices: %w", err)
	}
	name := k.scopeName(ctx, target)
	if len(devs) == 0 {
		return empty(fmt.Sprintf("no devices have enrolled in %s yet", name)), nil
	}
	var scopePred []predicate.InstalledSoftware
	switch target.Kind {
	case health.KindDevice:
		scopePred = append(scopePred, installedsoftware.DeviceID(target.ID))
	case health.KindOrganisation:
		scopePred = append(scopePred, installedsoftware.OrganisationID(target.ID))
	case health.KindGroup:
		ids := make([]uuid.UUID, len(devs))
		for i, d := range devs {
			ids[i] = d.ID
		}
		scopePred = append(scopePred, installedsoftware.DeviceIDIn(ids...))
	}
	// Devices that reported a software list at all.
	var withInventory []uuid.UUID
	if err := c.InstalledSoftware.Query().Where(scopePred...).Unique(true).Select(installedsoftware.FieldDeviceID).Scan(ctx, &withInventory); err != nil {
		return Result{}, fmt.Errorf("list devices with software: %w", err)
	}
	inv := map[uuid.UUID]bool{}
	for _, id := range withInventory {
		inv[id] = true
	}
	if len(inv) == 0 {
		return empty(fmt.Sprintf("no software inventory was reported by the devices in %s", name)), nil
	}
	match := append(slices.Clone(scopePred), installedsoftware.NameContainsFold(a.Name))
	if a.Version != "" && a.Mode == "present" {
		match = append(match, installedsoftware.VersionContainsFold(a.Version))
	}
	rows, err := c.InstalledSoftware.Query().Where(match...).
		Order(ent.Asc(installedsoftware.FieldName), ent.Desc(installedsoftware.FieldVersion), ent.Asc(installedsoftware.FieldID)).
		Limit(maxScan * 5).All(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("search software: %w", err)
	}
	hosts := map[uuid.UUID]string{}
	for _, d := range devs {
		hosts[d.ID] = clip(d.Hostname, clipName)
	}
	noInv := len(devs) - len(inv)
	data := SoftwareData{Note: DataNote, Scope: name, Query: clip(a.Name, 100), Mode: a.Mode, NoInventory: noInv}
	q := fmt.Sprintf("%q", clip(a.Name, 100))
	if a.Mode == "missing" {
		has := map[uuid.UUID]bool{}
		for _, r := range rows {
			has[r.DeviceID] = true
		}
		var miss []MissingRow
		var recs []Record
		for _, d := range devs {
			if !inv[d.ID] || has[d.ID] {
				continue
			}
			miss = append(miss, MissingRow{Ref: ref(len(miss) + 1), DeviceID: d.ID.String(), Hostname: hosts[d.ID]})
			recs = append(recs, Record{Kind: RecordDevice, ID: d.ID.String(), Entity: deviceRef(d.ID), Label: hosts[d.ID] + " · no " + clip(a.Name, 60)})
		}
		if len(miss) == 0 {
			return empty(fmt.Sprintf("every device in %s that reported its software has %s (%d without a software list)", name, q, noInv)), nil
		}
		total := len(miss)
		miss = miss[:min(len(miss), a.Limit)]
		kept, out := k.fit(len(miss), func(n int) any {
			c := data
			c.Total, c.Missing, c.Omitted = total, miss[:n], omittedNote(total-n, "devices")
			return c
		})
		return Result{Summary: plural(total, "device without it", "devices without it"), Data: out, Records: recs[:kept]}, nil
	}
	if len(rows) == 0 {
		return empty(fmt.Sprintf("no device in %s has software matching %s (%s reported a software list)", name, q, plural(len(inv), "device", "devices"))), nil
	}
	counts := map[[2]string]map[uuid.UUID]bool{}
	var order [][2]string
	present := make([]SoftwareRow, 0, len(rows))
	var recs []Record
	for _, r := range rows {
		key := [2]string{clip(r.Name, clipName), clip(r.Version, 60)}
		if counts[key] == nil {
			counts[key] = map[uuid.UUID]bool{}
			order = append(order, key)
		}
		counts[key][r.DeviceID] = true
		present = append(present, SoftwareRow{DeviceID: r.DeviceID.String(), Hostname: hosts[r.DeviceID], Name: key[0], Version: key[1], Publisher: clip(r.Publisher, clipName)})
		recs = append(recs, Record{Kind: RecordSoftware, ID: r.ID.String(), Entity: deviceRef(r.DeviceID), Label: hosts[r.DeviceID] + " · " + key[0] + " " + key[1]})
	}
	for _, key := range order {
		data.Versions = append(data.Versions, VersionCount{Name: key[0], Version: key[1], Devices: len(counts[key])})
	}
	for i := range present {
		present[i].Ref = ref(i + 1)
	}
	total := len(present)
	present = present[:min(len(present), a.Limit)]
	kept, out := k.fit(len(present), func(n int) any {
		c := data
		c.Total, c.Present, c.Omitted = total, present[:n], omittedNote(total-n, "installations")
		return c
	})
	return Result{Summary: plural(total, "installation", "installations"), Data: out, Records: recs[:kept]}, nil
}
