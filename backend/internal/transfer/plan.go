package transfer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/device"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	entdevice "github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// insertChunk is how many rows one INSERT writes (well under SQLite's
// bound on statement parameters).
const insertChunk = 500

// maxHostLen bounds host names and serial numbers as enrolment does.
const maxHostLen = 255

// op is one write of an import: a create (id is zero) or an update.
type op struct {
	id                                  uuid.UUID
	org                                 uuid.UUID
	group                               *uuid.UUID
	name, description, hostname, serial string
	tags                                []string
	setDescription, setGroup, setTags   bool
}

// plan is what an import would do: every row with its action or errors,
// and the writes.
type plan struct {
	kind Kind
	rows []Row
	ops  []op
}

// world is what the viewer can see, read once per plan: organisations,
// their groups and, for device files, devices and pre-registrations.
type world struct {
	orgByID                map[uuid.UUID]*ent.Organisation
	orgByName              map[string]*ent.Organisation
	groupByID              map[uuid.UUID]*ent.Group
	groupByKey             map[string]*ent.Group // org id + "/" + lower name
	devBySerial, devByHost map[string]*ent.Device
	preBySerial, preByHost map[string]*ent.Preregistration
}

func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func groupKey(org uuid.UUID, name string) string { return org.String() + "/" + fold(name) }

func loadWorld(ctx context.Context, c *ent.Client, kind Kind) (*world, error) {
	w := &world{
		orgByID: map[uuid.UUID]*ent.Organisation{}, orgByName: map[string]*ent.Organisation{},
		groupByID: map[uuid.UUID]*ent.Group{}, groupByKey: map[string]*ent.Group{},
		devBySerial: map[string]*ent.Device{}, devByHost: map[string]*ent.Device{},
		preBySerial: map[string]*ent.Preregistration{}, preByHost: map[string]*ent.Preregistration{},
	}
	orgs, err := c.Organisation.Query().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load organisations: %w", err)
	}
	for _, o := range orgs {
		w.orgByID[o.ID] = o
		w.orgByName[fold(o.Name)] = o
	}
	if kind == KindOrganisations {
		return w, nil
	}
	groups, err := c.Group.Query().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load groups: %w", err)
	}
	for _, g := range groups {
		w.groupByID[g.ID] = g
		w.groupByKey[groupKey(g.OrganisationID, g.Name)] = g
	}
	if kind == KindGroups {
		return w, nil
	}
	devs, err := c.Device.Query().Select(entdevice.FieldOrganisationID, entdevice.FieldGroupID, entdevice.FieldHostname,
		entdevice.FieldSerialNumber, entdevice.FieldTags).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load devices: %w", err)
	}
	for _, d := range devs {
		if d.SerialNumber != "" {
			w.devBySerial[fold(d.SerialNumber)] = d
		}
		w.devByHost[fold(d.Hostname)] = d
	}
	pres, err := c.Preregistration.Query().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load pre-registrations: %w", err)
	}
	for _, p := range pres {
		if p.SerialNumber != "" {
			w.preBySerial[fold(p.SerialNumber)] = p
		}
		if p.Hostname != "" {
			w.preByHost[fold(p.Hostname)] = p
		}
	}
	return w, nil
}

// org resolves an organisation reference (name or id). Organisations the
// viewer cannot see are not found, whether or not they exist elsewhere.
func (w *world) org(ref string) (*ent.Organisation, string) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, "organisation: must not be empty"
	}
	if id, err := uuid.Parse(ref); err == nil {
		if o := w.orgByID[id]; o != nil {
			return o, ""
		}
	} else if o := w.orgByName[fold(ref)]; o != nil {
		return o, ""
	}
	return nil, fmt.Sprintf("organisation %q not found (import organisations first)", validate.Clip(ref, 80))
}

// group resolves a group reference (name or id) inside org.
func (w *world) group(org *ent.Organisation, ref string) (*ent.Group, string) {
	ref = strings.TrimSpace(ref)
	if id, err := uuid.Parse(ref); err == nil {
		if g := w.groupByID[id]; g != nil && g.OrganisationID == org.ID {
			return g, ""
		}
	} else if g := w.groupByKey[groupKey(org.ID, ref)]; g != nil {
		return g, ""
	}
	return nil, fmt.Sprintf("group %q not found in organisation %q (import groups first)", validate.Clip(ref, 80), org.Name)
}

// planFile checks every record of f against what the viewer sees through c.
func planFile(ctx context.Context, c *ent.Client, kind Kind, f *file) (*plan, error) {
	w, err := loadWorld(ctx, c, kind)
	if err != nil {
		return nil, err
	}
	p := &plan{kind: kind}
	seen := map[string]int{} // row key → line of its first row
	scoped := viewer.FromContext(ctx).Scoped()
	for _, rec := range f.records {
		row := Row{Line: rec.line, Values: rec.cells}
		if rec.err != "" {
			row.Errors = append(row.Errors, rec.err)
			p.rows = append(p.rows, row)
			continue
		}
		var o op
		var key string
		var errs []string
		switch kind {
		case KindOrganisations:
			o, key, row.Action, errs = w.planOrganisation(f, rec, scoped)
		case KindGroups:
			o, key, row.Action, errs = w.planGroup(f, rec)
		case KindDevices:
			o, key, row.Action, errs = w.planDevice(f, rec)
		}
		if len(errs) == 0 && key != "" {
			if first, dup := seen[key]; dup {
				errs = append(errs, fmt.Sprintf("duplicate of line %d", first))
			} else {
				seen[key] = rec.line
			}
		}
		if len(errs) > 0 {
			row.Action, row.Errors = ActionNone, errs
		} else if row.Action != ActionUnchanged {
			p.ops = append(p.ops, o)
		}
		p.rows = append(p.rows, row)
	}
	return p, nil
}

func errText(err error) string { return err.Error() }

func (w *world) planOrganisation(f *file, rec record, scoped bool) (op, string, Action, []string) {
	name, err := validate.Name("name", rec.cells["name"])
	if err != nil {
		return op{}, "", ActionNone, []string{errText(err)}
	}
	o := op{name: name, setDescription: f.has("description")}
	if o.setDescription {
		if o.description, err = validate.Description("description", rec.cells["description"]); err != nil {
			return op{}, "", ActionNone, []string{errText(err)}
		}
	}
	key := fold(name)
	existing := w.orgByName[key]
	if existing == nil {
		if scoped {
			return op{}, "", ActionNone, []string{"your access is limited to some organisations, so you cannot create organisations"}
		}
		return o, key, ActionCreate, nil
	}
	o.id = existing.ID
	if existing.Name == name && (!o.setDescription || existing.Description == o.description) {
		return o, key, ActionUnchanged, nil
	}
	return o, key, ActionUpdate, nil
}

func (w *world) planGroup(f *file, rec record) (op, string, Action, []string) {
	var errs []string
	org, msg := w.org(rec.cells["organisation"])
	if msg != "" {
		errs = append(errs, msg)
	}
	name, err := validate.Name("name", rec.cells["name"])
	if err != nil {
		errs = append(errs, errText(err))
	}
	o := op{name: name, setDescription: f.has("description")}
	if o.setDescription {
		if o.description, err = validate.Description("description", rec.cells["description"]); err != nil {
			errs = append(errs, errText(err))
		}
	}
	if len(errs) > 0 {
		return op{}, "", ActionNone, errs
	}
	o.org = org.ID
	key := groupKey(org.ID, name)
	existing := w.groupByKey[key]
	if existing == nil {
		return o, key, ActionCreate, nil
	}
	o.id = existing.ID
	if existing.Name == name && (!o.setDescription || existing.Description == o.description) {
		return o, key, ActionUnchanged, nil
	}
	return o, key, ActionUpdate, nil
}

// hostField checks a host name or serial number cell as enrolment would
// accept it.
func hostField(field, s string) (string, string) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > maxHostLen {
		return "", fmt.Sprintf("%s: must be at most %d characters", field, maxHostLen)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", field + ": must not contain control characters"
	}
	return s, ""
}

// splitTags splits a tags cell at semicolons, dropping empty pieces.
func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ";") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func sameTags(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func sameGroup(a, b *uuid.UUID) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func (w *world) planDevice(f *file, rec record) (op, string, Action, []string) {
	var errs []string
	org, msg := w.org(rec.cells["organisation"])
	if msg != "" {
		errs = append(errs, msg)
	}
	o := op{setGroup: f.has("group"), setTags: f.has("tags")}
	if org != nil {
		o.org = org.ID
		if ref := strings.TrimSpace(rec.cells["group"]); ref != "" {
			g, msg := w.group(org, ref)
			if msg != "" {
				errs = append(errs, msg)
			} else {
				o.group = &g.ID
			}
		}
	}
	if o.hostname, msg = hostField("hostname", rec.cells["hostname"]); msg != "" {
		errs = append(errs, msg)
	}
	if o.serial, msg = hostField("serial_number", rec.cells["serial_number"]); msg != "" {
		errs = append(errs, msg)
	}
	if o.hostname == "" && o.serial == "" && msg == "" {
		errs = append(errs, "needs a hostname or a serial_number")
	}
	if o.setTags {
		tags, err := device.NormaliseTags("tags", splitTags(rec.cells["tags"]))
		switch {
		case err != nil:
			errs = append(errs, errText(err))
		case len(tags) > validate.MaxTagsPerDevice:
			errs = append(errs, fmt.Sprintf("tags: a device can have at most %d tags", validate.MaxTagsPerDevice))
		}
		o.tags = tags
	}
	if len(errs) > 0 {
		return op{}, "", ActionNone, errs
	}
	key := "host:" + fold(o.hostname)
	if o.serial != "" {
		key = "serial:" + fold(o.serial)
	}
	// An enrolled device: the row is unchanged if it says what the device
	// already is; changing a device is done on the device itself.
	d := w.devByHost[fold(o.hostname)]
	if o.serial != "" {
		d = w.devBySerial[fold(o.serial)]
	}
	if d != nil {
		if d.OrganisationID == o.org && (!o.setGroup || sameGroup(d.GroupID, o.group)) && (!o.setTags || sameTags(d.Tags, o.tags)) {
			return o, key, ActionUnchanged, nil
		}
		where := w.orgByID[d.OrganisationID].Name
		return op{}, "", ActionNone, []string{fmt.Sprintf("device %q is already enrolled (in %q); move or tag it on the Devices page", d.Hostname, where)}
	}
	// A pre-registration: by serial number, else by host name (one without
	// a serial number, which the row then completes).
	var pre *ent.Preregistration
	if o.serial != "" {
		pre = w.preBySerial[fold(o.serial)]
	}
	if pre == nil && o.hostname != "" {
		if p := w.preByHost[fold(o.hostname)]; p != nil && (p.SerialNumber == "" || o.serial == "") {
			pre = p
		}
	}
	if pre == nil {
		return o, key, ActionCreate, nil
	}
	o.id = pre.ID
	if pre.OrganisationID == o.org && pre.Hostname == o.hostname && pre.SerialNumber == o.serial &&
		(!o.setGroup || sameGroup(pre.GroupID, o.group)) && (!o.setTags || sameTags(pre.Tags, o.tags)) {
		return o, key, ActionUnchanged, nil
	}
	return o, key, ActionUpdate, nil
}

// apply writes the plan's operations in tx: creates in batches, updates
// one by one.
func (p *plan) apply(ctx context.Context, tx *store.Tx, v *viewer.Viewer) error {
	var creates, updates []op
	for _, o := range p.ops {
		if o.id == uuid.Nil {
			creates = append(creates, o)
		} else {
			updates = append(updates, o)
		}
	}
	for start := 0; start < len(creates); start += insertChunk {
		chunk := creates[start:min(start+insertChunk, len(creates))]
		if err := p.create(ctx, tx, v, chunk); err != nil {
			return err
		}
	}
	for _, o := range updates {
		if err := p.update(ctx, tx, o); err != nil {
			return err
		}
	}
	return nil
}

func (p *plan) create(ctx context.Context, tx *store.Tx, v *viewer.Viewer, ops []op) error {
	var err error
	switch p.kind {
	case KindOrganisations:
		b := make([]*ent.OrganisationCreate, len(ops))
		for i, o := range ops {
			b[i] = tx.Organisation.Create().SetTenantID(v.TenantID).SetName(o.name).SetDescription(o.description)
		}
		err = tx.Organisation.CreateBulk(b...).Exec(ctx)
	case KindGroups:
		b := make([]*ent.GroupCreate, len(ops))
		for i, o := range ops {
			b[i] = tx.Group.Create().SetTenantID(v.TenantID).SetOrganisationID(o.org).SetName(o.name).SetDescription(o.description)
		}
		err = tx.Group.CreateBulk(b...).Exec(ctx)
	case KindDevices:
		b := make([]*ent.PreregistrationCreate, len(ops))
		for i, o := range ops {
			c := tx.Preregistration.Create().SetTenantID(v.TenantID).SetOrganisationID(o.org).SetNillableGroupID(o.group).
				SetHostname(o.hostname).SetSerialNumber(o.serial).SetTags(nonNil(o.tags))
			if v.UserID != uuid.Nil {
				c.SetCreatedBy(v.UserID)
			}
			b[i] = c
		}
		err = tx.Preregistration.CreateBulk(b...).Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", p.kind, err)
	}
	return nil
}

func (p *plan) update(ctx context.Context, tx *store.Tx, o op) error {
	var err error
	switch p.kind {
	case KindOrganisations:
		u := tx.Organisation.UpdateOneID(o.id).SetName(o.name)
		if o.setDescription {
			u.SetDescription(o.description)
		}
		err = u.Exec(ctx)
	case KindGroups:
		u := tx.Group.UpdateOneID(o.id).SetName(o.name)
		if o.setDescription {
			u.SetDescription(o.description)
		}
		err = u.Exec(ctx)
	case KindDevices:
		u := tx.Preregistration.UpdateOneID(o.id).SetOrganisationID(o.org).SetHostname(o.hostname).SetSerialNumber(o.serial)
		if o.setGroup {
			u.ClearGroupID().SetNillableGroupID(o.group)
		}
		if o.setTags {
			u.SetTags(nonNil(o.tags))
		}
		err = u.Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("update %s: %w", p.kind, err)
	}
	return nil
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}
