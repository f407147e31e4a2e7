// Package device reads and arranges devices for the viewer in the context:
// filtered, sorted keyset pages, moves between groups and organisations,
// bulk tagging (rejected whole if any id is not visible) and deletion.
package device

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/sqljson"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/devicedata"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/pagetoken"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	entdevice "github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/predicate"
)

// Service implements device operations.
type Service struct {
	st   *store.Store
	jobs *jobs.Client
	now  func() time.Time
	can  PermissionCheck
}

// NewService returns a device service; jc queues re-analysis and roll-ups
// after moves and deletions.
func NewService(st *store.Store, jc *jobs.Client) *Service {
	return &Service{st: st, jobs: jc, now: func() time.Time { return time.Now().UTC() }}
}

// Order is the sort key of List.
type Order int

// Sort keys.
const (
	OrderHostname Order = iota
	OrderLastSeen
	// OrderScore sorts by health score, worst first ascending; devices
	// without a score come last either way.
	OrderScore
)

// Filter selects devices; zero values do not filter.
type Filter struct {
	OrganisationID uuid.UUID
	GroupID        uuid.UUID
	Platform       string
	Tag            string
	Query          string
	Order          Order
	Descending     bool
	// Bands keeps devices in these bands (names; Unscored for devices
	// without a score), normalised by NormaliseBands.
	Bands []string
	// StaleOnly keeps devices whose data is stale.
	StaleOnly bool
	// FailingCheck keeps devices with an unsuppressed warning or failure
	// of this check.
	FailingCheck string
	// NeedsAttention keeps devices that need attention (see needsAttention).
	NeedsAttention bool
	// Software keeps devices that run this name and version.
	Software *Software
	// Role keeps devices of this role (server, workstation, unknown).
	Role string
	// IncludeRetired keeps retired devices too (left out by default).
	IncludeRetired bool
}

func (f Filter) fingerprint() string {
	sw := ""
	if f.Software != nil {
		sw = strconv.Quote(f.Software.Name) + "@" + strconv.Quote(f.Software.Version)
	}
	fp := fmt.Sprintf("o=%s g=%s p=%s t=%s q=%s s=%d d=%t b=%s st=%t c=%s a=%t sw=%s", f.OrganisationID, f.GroupID, f.Platform,
		f.Tag, f.Query, f.Order, f.Descending, bandsKey(f.Bands), f.StaleOnly, f.FailingCheck, f.NeedsAttention, sw)
	if f.Role != "" {
		fp += " r=" + strconv.Quote(f.Role)
	}
	if f.IncludeRetired {
		fp += " retired"
	}
	return fp
}

// List returns one keyset page of devices, each with its health summary,
// and the token of the next.
func (s *Service) List(ctx context.Context, f Filter, pageSize int, token string) ([]Item, string, error) {
	cur, err := pagetoken.Decode(token, f.fingerprint())
	if err != nil {
		return nil, "", err
	}
	preds, err := s.predicates(ctx, f)
	if err != nil {
		return nil, "", err
	}
	if cur != nil {
		p, err := after(f, cur)
		if err != nil {
			return nil, "", err
		}
		preds = append(preds, p)
	}
	q := s.st.Ent.Device.Query().Where(preds...).Limit(pageSize + 1)
	q = q.Order(ordering(f)...)
	devices, err := q.All(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("list devices: %w", err)
	}
	more := len(devices) > pageSize
	if more {
		devices = devices[:pageSize]
	}
	items, err := s.Summaries(ctx, devices)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if more {
		next = pagetoken.Encode(cursorOf(f, items[len(items)-1]))
	}
	return items, next, nil
}

// Count returns how many devices match f (its order is ignored): the
// number of devices List would return across all of its pages.
func (s *Service) Count(ctx context.Context, f Filter) (int, error) {
	preds, err := s.predicates(ctx, f)
	if err != nil {
		return 0, err
	}
	n, err := s.st.Ent.Device.Query().Where(preds...).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count devices: %w", err)
	}
	return n, nil
}

// predicates checks f and returns its device predicates (without a
// cursor), shared by List and Count.
func (s *Service) predicates(ctx context.Context, f Filter) ([]predicate.Device, error) {
	// A filter naming an organisation or group the viewer cannot see is
	// not_found, not an empty page: callers learn their id was wrong.
	if f.OrganisationID != uuid.Nil {
		if _, err := s.st.Ent.Organisation.Get(ctx, f.OrganisationID); err != nil {
			return nil, apperr.NotFoundIf(err, "organisation")
		}
	}
	if f.GroupID != uuid.Nil {
		if _, err := s.st.Ent.Group.Get(ctx, f.GroupID); err != nil {
			return nil, apperr.NotFoundIf(err, "group")
		}
	}
	if f.FailingCheck != "" && !knownCheck(f.FailingCheck) {
		return nil, apperr.Invalid("failing_check_id", "is not a check of the catalogue (see HealthService.ListChecks)")
	}
	var preds []predicate.Device
	if !f.IncludeRetired {
		preds = append(preds, devicedata.Active())
	}
	if f.OrganisationID != uuid.Nil {
		preds = append(preds, entdevice.OrganisationID(f.OrganisationID))
	}
	if f.GroupID != uuid.Nil {
		preds = append(preds, entdevice.GroupID(f.GroupID))
	}
	if f.Platform != "" {
		preds = append(preds, entdevice.PlatformEQ(entdevice.Platform(f.Platform)))
	}
	if f.Role != "" {
		preds = append(preds, entdevice.RoleEQ(entdevice.Role(f.Role)))
	}
	if f.Tag != "" {
		tag := f.Tag
		preds = append(preds, func(sel *sql.Selector) {
			sel.Where(sqljson.ValueContains(sel.C(entdevice.FieldTags), tag))
		})
	}
	if f.Query != "" {
		preds = append(preds, entdevice.HostnameContainsFold(f.Query))
	}
	preds = append(preds, s.triagePredicates(ctx, f)...)
	return preds, nil
}

// ordering sorts by the key, then id; devices that never reported sort last
// either way.
func ordering(f Filter) []entdevice.OrderOption {
	dir := sql.OrderAsc()
	if f.Descending {
		dir = sql.OrderDesc()
	}
	switch f.Order {
	case OrderScore:
		return scoreOrdering(f.Descending)
	case OrderLastSeen:
		return []entdevice.OrderOption{
			func(sel *sql.Selector) {
				// NULLs last in both directions, on both dialects.
				sel.OrderExpr(sql.Expr("CASE WHEN " + sel.C(entdevice.FieldLastSeenAt) + " IS NULL THEN 1 ELSE 0 END"))
			},
			entdevice.ByLastSeenAt(dir), entdevice.ByID(dir),
		}
	default:
		return []entdevice.OrderOption{entdevice.ByHostname(dir), entdevice.ByID(dir)}
	}
}

func cursorOf(f Filter, it Item) pagetoken.Cursor {
	d := it.Device
	c := pagetoken.Cursor{ID: d.ID.String(), Filter: f.fingerprint()}
	switch f.Order {
	case OrderScore:
		if it.Health.Scored {
			c.Key = strconv.Itoa(it.Health.Score)
		} else {
			c.Null = true
		}
	case OrderLastSeen:
		if d.LastSeenAt == nil {
			c.Null = true
		} else {
			c.Key = d.LastSeenAt.UTC().Format(time.RFC3339Nano)
		}
	default:
		c.Key = d.Hostname
	}
	return c
}

// after is the keyset predicate "rows after the cursor".
func after(f Filter, c *pagetoken.Cursor) (predicate.Device, error) {
	id, err := uuid.Parse(c.ID)
	if err != nil {
		return nil, apperr.Invalid("page_token", "is malformed")
	}
	cmp := sql.GT
	if f.Descending {
		cmp = sql.LT
	}
	switch f.Order {
	case OrderScore:
		return scoreAfter(c, id, f.Descending)
	case OrderLastSeen:
		if c.Null {
			return func(sel *sql.Selector) {
				sel.Where(sql.And(sql.IsNull(sel.C(entdevice.FieldLastSeenAt)), cmp(sel.C(entdevice.FieldID), id)))
			}, nil
		}
		t, err := time.Parse(time.RFC3339Nano, c.Key)
		if err != nil {
			return nil, apperr.Invalid("page_token", "is malformed")
		}
		return func(sel *sql.Selector) {
			col := sel.C(entdevice.FieldLastSeenAt)
			sel.Where(sql.Or(
				sql.IsNull(col),
				cmp(col, t),
				sql.And(sql.EQ(col, t), cmp(sel.C(entdevice.FieldID), id)),
			))
		}, nil
	default:
		return pagetoken.After(entdevice.FieldHostname, entdevice.FieldID, c.Key, id, f.Descending), nil
	}
}

// Get returns one device.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (*ent.Device, error) {
	d, err := s.st.Ent.Device.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFound("device")
	}
	return d, err
}

// Move puts a device into a group (and its organisation), or at the top of
// an organisation when groupID is nil. The viewer must see the device, the
// destination organisation and the destination group. Everything that
// carries the device's organisation moves with it in the same transaction
// (see devicedata); the device is re-analysed and both its old and its new
// parents are rolled up again. The move is audited.
func (s *Service) Move(ctx context.Context, id, orgID, groupID uuid.UUID) (*ent.Device, error) {
	if orgID == uuid.Nil && groupID == uuid.Nil {
		return nil, apperr.Invalid("organisation_id", "organisation_id or group_id is required")
	}
	err := s.st.Tx(ctx, func(tx *store.Tx) error { return s.moveIn(ctx, tx, id, orgID, groupID) })
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// moveIn is Move inside the caller's transaction (also used by bulk moves).
func (s *Service) moveIn(ctx context.Context, tx *store.Tx, id, orgID, groupID uuid.UUID) error {
	d, err := locked(ctx, tx, id)
	if err != nil {
		return err
	}
	// Every id is looked up before any is compared, so an id the viewer
	// cannot see is not_found whatever the other ids are.
	if orgID != uuid.Nil {
		if _, err := tx.Organisation.Get(ctx, orgID); err != nil {
			return apperr.NotFoundIf(err, "organisation")
		}
	}
	var newGroup *uuid.UUID
	if groupID != uuid.Nil {
		g, err := tx.Group.Get(ctx, groupID)
		if err != nil {
			return apperr.NotFoundIf(err, "group")
		}
		if orgID != uuid.Nil && orgID != g.OrganisationID {
			return apperr.Invalid("group_id", "group does not belong to organisation_id")
		}
		orgID = g.OrganisationID
		newGroup = &groupID
	}
	org, err := tx.Organisation.Get(ctx, orgID)
	if err != nil {
		return apperr.NotFoundIf(err, "organisation")
	}
	if d.OrganisationID == orgID && sameGroup(d.GroupID, newGroup) {
		return nil // already there
	}
	upd := tx.Device.UpdateOneID(id).SetOrganisationID(orgID)
	if newGroup != nil {
		upd.SetGroupID(*newGroup)
	} else {
		upd.ClearGroupID()
	}
	if err := upd.Exec(ctx); err != nil {
		return fmt.Errorf("move device: %w", err)
	}
	if err := devicedata.Relocate(ctx, tx, d.TenantID, id, orgID, newGroup); err != nil {
		return err
	}
	from := d.OrganisationID
	err = audit.Record(ctx, tx, audit.Event{
		Action: audit.DeviceMove, TargetKind: "device", TargetID: id, TargetName: d.Hostname, OrganisationID: &orgID,
		Detail: fmt.Sprintf("from organisation %s group %s to organisation %s (%s) group %s",
			from, groupString(d.GroupID), orgID, org.Name, groupString(newGroup)),
	})
	if err != nil {
		return err
	}
	if _, err := s.jobs.EnqueueTx(ctx, tx, jobs.Recompute(d.TenantID, id)); err != nil {
		return err
	}
	if err := s.jobs.EnqueueRollUps(ctx, tx, d.TenantID, d.GroupID, from); err != nil {
		return err
	}
	return s.jobs.EnqueueRollUps(ctx, tx, d.TenantID, newGroup, orgID)
}

// locked takes the device's lock in tx (serialising this change with ingest
// and analysis of the device) and reads the device again under it, so
// neither can write an organisation the device has left. A device the
// viewer cannot see is not_found before anything is locked.
func locked(ctx context.Context, tx *store.Tx, id uuid.UUID) (*ent.Device, error) {
	if _, err := tx.Device.Get(ctx, id); err != nil {
		return nil, apperr.NotFoundIf(err, "device")
	}
	if err := tx.Lock(ctx, devicedata.LockKey(id)); err != nil {
		return nil, err
	}
	d, err := tx.Device.Get(ctx, id)
	if err != nil {
		return nil, apperr.NotFoundIf(err, "device")
	}
	return d, nil
}

func sameGroup(a, b *uuid.UUID) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func groupString(g *uuid.UUID) string {
	if g == nil {
		return "(none)"
	}
	return g.String()
}

// NormaliseTags trims, de-duplicates and checks tags.
func NormaliseTags(field string, tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t == "" {
			return nil, apperr.Invalid(field, "tags must not be empty")
		}
		if utf8.RuneCountInString(t) > validate.MaxTagLen {
			return nil, apperr.Invalid(field, "tags must be at most %d characters", validate.MaxTagLen)
		}
		if strings.ContainsFunc(t, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return nil, apperr.Invalid(field, "tags must not contain control characters")
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// Tag adds and removes tags on several devices in one transaction. If any id
// is not visible to the viewer, nothing changes.
func (s *Service) Tag(ctx context.Context, ids []uuid.UUID, add, remove []string) ([]*ent.Device, error) {
	if len(ids) == 0 {
		return nil, apperr.Invalid("ids", "at least one device id is required")
	}
	if len(ids) > validate.MaxPageSize {
		return nil, apperr.Invalid("ids", "at most %d devices at once", validate.MaxPageSize)
	}
	if len(add) == 0 && len(remove) == 0 {
		return nil, apperr.Invalid("add_tags", "add_tags or remove_tags is required")
	}
	var out []*ent.Device
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		devices, err := tx.Device.Query().Where(entdevice.IDIn(ids...)).All(ctx)
		if err != nil {
			return fmt.Errorf("load devices: %w", err)
		}
		if len(devices) != len(ids) {
			return apperr.NotFound("device")
		}
		byID := make(map[uuid.UUID]*ent.Device, len(devices))
		for _, d := range devices {
			byID[d.ID] = d
		}
		for _, id := range ids {
			nd, err := tagIn(ctx, tx, byID[id], add, remove)
			if err != nil {
				return err
			}
			out = append(out, nd)
		}
		return nil
	})
	return out, err
}

// tagIn adds and removes tags on one device in the caller's transaction
// (also used by bulk tagging).
func tagIn(ctx context.Context, tx *store.Tx, d *ent.Device, add, remove []string) (*ent.Device, error) {
	tags := slices.DeleteFunc(slices.Clone(d.Tags), func(t string) bool { return slices.Contains(remove, t) })
	for _, t := range add {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	if len(tags) > validate.MaxTagsPerDevice {
		return nil, apperr.Invalid("add_tags", "a device can have at most %d tags", validate.MaxTagsPerDevice)
	}
	nd, err := tx.Device.UpdateOneID(d.ID).SetTags(tags).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("tag device: %w", err)
	}
	return nd, nil
}

// Delete removes a device with every row of its data (software, event
// logs, snapshots, health, history, device-level policy, notifications);
// its token stops working with it. Its parents are rolled up again and the
// deletion is audited.
func (s *Service) Delete(ctx context.Context, id uuid.UUID) error {
	return s.st.Tx(ctx, func(tx *store.Tx) error {
		d, err := locked(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := devicedata.PurgeDevice(ctx, tx, d.TenantID, id); err != nil {
			return err
		}
		org := d.OrganisationID
		err = audit.Record(ctx, tx, audit.Event{
			Action: audit.DeviceDelete, TargetKind: "device", TargetID: id, TargetName: d.Hostname, OrganisationID: &org,
		})
		if err != nil {
			return err
		}
		return s.jobs.EnqueueRollUps(ctx, tx, d.TenantID, d.GroupID, d.OrganisationID)
	})
}
