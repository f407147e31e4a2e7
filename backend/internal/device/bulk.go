package device

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/authz"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/bulkoperation"
	entdevice "github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/membership"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Bulk operation limits.
const (
	// MaxBulkDevices is the most devices one bulk operation may select.
	MaxBulkDevices = 10_000
	// BulkBatch is how many devices a run works through between two
	// progress updates.
	BulkBatch = 50
	// MaxBulkErrors is how many failures an operation keeps.
	MaxBulkErrors = 20
	// idChunk bounds the ids of one IN (...) query.
	idChunk = 500
)

// Bulk actions.
const (
	BulkMove      = "move"
	BulkTag       = "tag"
	BulkRetire    = "retire"
	BulkReanalyse = "reanalyse"
)

// PermissionCheck reports whether a viewer holds a permission (the
// server's authz.Enforcer.Allowed).
type PermissionCheck func(*viewer.Viewer, authz.Permission) (bool, error)

// SetPermissionCheck gives the service the check that retiring needs
// authz.DeviceDelete on top of the device.write every bulk operation needs.
// Without it retiring is refused.
func (s *Service) SetPermissionCheck(can PermissionCheck) { s.can = can }

// Selection is a bulk operation's devices: these ids, or, when Filter is
// set, every device that matches it (its order and paging are ignored).
type Selection struct {
	IDs    []uuid.UUID
	Filter *Filter
}

// BulkAction is what a bulk operation does with each device. Tags are
// normalised by the caller (NormaliseTags).
type BulkAction struct {
	// Kind is BulkMove, BulkTag, BulkRetire or BulkReanalyse.
	Kind string
	// Move: the destination organisation and/or group.
	OrganisationID, GroupID uuid.UUID
	// Tag: the tags to add and to remove.
	AddTags, RemoveTags []string
}

// StartBulk resolves the selection as the viewer now, checks the action
// the way the single-device operations do, and stores and queues the
// operation. If any id is unknown or outside the viewer's reach, the
// request is refused whole (not_found) and nothing is stored.
func (s *Service) StartBulk(ctx context.Context, sel Selection, act BulkAction) (*ent.BulkOperation, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.UserID == uuid.Nil {
		return nil, apperr.PermissionDenied("bulk operations are started by members")
	}
	if err := s.checkAction(ctx, v, &act); err != nil {
		return nil, err
	}
	ids, err := s.resolve(ctx, sel)
	if err != nil {
		return nil, err
	}
	var op *ent.BulkOperation
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		c := tx.BulkOperation.Create().SetTenantID(v.TenantID).SetCreatedBy(v.UserID).
			SetAction(bulkoperation.Action(act.Kind)).SetDeviceIds(ids).SetTotal(len(ids)).
			SetAddTags(nonNil(act.AddTags)).SetRemoveTags(nonNil(act.RemoveTags)).SetErrors([]string{})
		if act.OrganisationID != uuid.Nil {
			c.SetOrganisationID(act.OrganisationID)
		}
		if act.GroupID != uuid.Nil {
			c.SetGroupID(act.GroupID)
		}
		op, err = c.Save(ctx)
		if err != nil {
			return fmt.Errorf("store bulk operation: %w", err)
		}
		_, err = s.jobs.EnqueueTx(ctx, tx, jobs.BulkOperationArgs{TenantID: v.TenantID, OperationID: op.ID})
		return err
	})
	if err != nil {
		return nil, err
	}
	return op, nil
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// checkAction validates the action and the viewer's right to it.
func (s *Service) checkAction(ctx context.Context, v *viewer.Viewer, act *BulkAction) error {
	switch act.Kind {
	case BulkMove:
		if act.OrganisationID == uuid.Nil && act.GroupID == uuid.Nil {
			return apperr.Invalid("move.organisation_id", "organisation_id or group_id is required")
		}
		// The destination the way Move checks it: every id looked up
		// before any is compared.
		if act.OrganisationID != uuid.Nil {
			if _, err := s.st.Ent.Organisation.Get(ctx, act.OrganisationID); err != nil {
				return apperr.NotFoundIf(err, "organisation")
			}
		}
		if act.GroupID != uuid.Nil {
			g, err := s.st.Ent.Group.Get(ctx, act.GroupID)
			if err != nil {
				return apperr.NotFoundIf(err, "group")
			}
			if act.OrganisationID != uuid.Nil && act.OrganisationID != g.OrganisationID {
				return apperr.Invalid("move.group_id", "group does not belong to organisation_id")
			}
			act.OrganisationID = g.OrganisationID
		}
	case BulkTag:
		if len(act.AddTags) == 0 && len(act.RemoveTags) == 0 {
			return apperr.Invalid("tag.add_tags", "add_tags or remove_tags is required")
		}
		if len(act.AddTags) > validate.MaxTagsPerDevice {
			return apperr.Invalid("tag.add_tags", "a device can have at most %d tags", validate.MaxTagsPerDevice)
		}
		if len(act.RemoveTags) > validate.MaxTagsPerDevice {
			return apperr.Invalid("tag.remove_tags", "at most %d tags", validate.MaxTagsPerDevice)
		}
	case BulkRetire:
		return s.mayRetire(v)
	case BulkReanalyse:
	default:
		return apperr.Invalid("action", "one of move, tag, retire or reanalyse is required")
	}
	return nil
}

// mayRetire fails with permission_denied unless v holds device.delete.
func (s *Service) mayRetire(v *viewer.Viewer) error {
	if s.can == nil {
		return apperr.PermissionDenied("retiring devices is not available")
	}
	ok, err := s.can(v, authz.DeviceDelete)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.PermissionDenied("retiring devices needs the %s permission", authz.DeviceDelete)
	}
	return nil
}

// resolve turns a selection into device ids as the viewer: ids that are
// not all visible are not_found; a filter goes through List's predicates.
func (s *Service) resolve(ctx context.Context, sel Selection) ([]uuid.UUID, error) {
	if sel.Filter != nil {
		ids, err := s.IDs(ctx, *sel.Filter, MaxBulkDevices+1)
		if err != nil {
			return nil, err
		}
		if len(ids) > MaxBulkDevices {
			return nil, apperr.Invalid("selection.filter", "matches more than %d devices; narrow it", MaxBulkDevices)
		}
		if len(ids) == 0 {
			return nil, apperr.Invalid("selection.filter", "matches no devices")
		}
		return ids, nil
	}
	if len(sel.IDs) == 0 {
		return nil, apperr.Invalid("selection", "ids or a filter is required")
	}
	if len(sel.IDs) > MaxBulkDevices {
		return nil, apperr.Invalid("selection.ids", "at most %d devices", MaxBulkDevices)
	}
	for start := 0; start < len(sel.IDs); start += idChunk {
		chunk := sel.IDs[start:min(start+idChunk, len(sel.IDs))]
		n, err := s.st.Ent.Device.Query().Where(entdevice.IDIn(chunk...)).Count(ctx)
		if err != nil {
			return nil, fmt.Errorf("check devices: %w", err)
		}
		if n != len(chunk) {
			return nil, apperr.NotFound("device")
		}
	}
	return sel.IDs, nil
}

// IDs returns the ids of the devices that match f, in List's order, at
// most limit of them.
func (s *Service) IDs(ctx context.Context, f Filter, limit int) ([]uuid.UUID, error) {
	preds, err := s.predicates(ctx, f)
	if err != nil {
		return nil, err
	}
	f.Order, f.Descending = OrderHostname, false
	ids, err := s.st.Ent.Device.Query().Where(preds...).Order(ordering(f)...).Limit(limit).IDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("select devices: %w", err)
	}
	return ids, nil
}

// GetBulk returns one operation. Members limited to chosen organisations
// see only the operations they started.
func (s *Service) GetBulk(ctx context.Context, id uuid.UUID) (*ent.BulkOperation, error) {
	q := s.st.Ent.BulkOperation.Query().Where(bulkoperation.ID(id))
	if v := viewer.FromContext(ctx); v != nil && v.Scoped() {
		q.Where(bulkoperation.CreatedBy(v.UserID))
	}
	op, err := q.Only(ctx)
	if err != nil {
		return nil, apperr.NotFoundIf(err, "bulk operation")
	}
	return op, nil
}

// ListBulk returns the newest operations (only their own for members
// limited to chosen organisations).
func (s *Service) ListBulk(ctx context.Context, limit int) ([]*ent.BulkOperation, error) {
	q := s.st.Ent.BulkOperation.Query()
	if v := viewer.FromContext(ctx); v != nil && v.Scoped() {
		q.Where(bulkoperation.CreatedBy(v.UserID))
	}
	ops, err := q.Order(ent.Desc(bulkoperation.FieldCreatedAt), ent.Desc(bulkoperation.FieldID)).Limit(limit).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list bulk operations: %w", err)
	}
	return ops, nil
}

// BulkWorker returns the worker of jobs.BulkOperationArgs.
func (s *Service) BulkWorker() jobs.Registration { return jobs.Work(&bulkWorker{s: s}) }

type bulkWorker struct {
	river.WorkerDefaults[jobs.BulkOperationArgs]
	s *Service
}

// Timeout implements river.Worker.
func (w *bulkWorker) Timeout(*river.Job[jobs.BulkOperationArgs]) time.Duration {
	return jobs.BulkTimeout
}

// Work implements river.Worker.
func (w *bulkWorker) Work(ctx context.Context, job *river.Job[jobs.BulkOperationArgs]) error {
	return w.s.RunBulk(ctx, job.Args.TenantID, job.Args.OperationID)
}

// RunBulk works through an operation from where it stopped, as the member
// who started it (their role and organisations as they are now), a batch
// at a time, recording progress after each batch. A device that is gone or
// out of the member's reach, or that the action fails on, counts as
// failed; the others go on.
func (s *Service) RunBulk(ctx context.Context, tenantID, opID uuid.UUID) error {
	sys := bypass.AsTenant(ctx, tenantID, "bulk operation: read and record the progress of an operation of its tenant")
	op, err := s.st.Ent.BulkOperation.Get(sys, opID)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load bulk operation: %w", err)
	}
	if op.State == bulkoperation.StateSucceeded || op.State == bulkoperation.StateFailed {
		return nil
	}
	p := progress{processed: op.Processed, failed: op.Failed, errors: op.Errors}
	vctx, why := s.creator(sys, op)
	if why != "" {
		// Nothing more can be done as that member: the rest fails.
		for _, id := range op.DeviceIds[p.processed:] {
			p.fail(id.String(), why)
		}
		return s.record(sys, op, p, true)
	}
	if err := s.record(sys, op, p, false); err != nil {
		return err
	}
	for p.processed < len(op.DeviceIds) {
		end := min(p.processed+BulkBatch, len(op.DeviceIds))
		batch := op.DeviceIds[p.processed:end]
		if op.Action == bulkoperation.ActionReanalyse {
			s.reanalyse(vctx, tenantID, batch, &p)
		} else {
			for _, id := range batch {
				if name, err := s.applyOne(vctx, op, id); err != nil {
					if !isDomain(err) && ctx.Err() != nil {
						return err // cut off: resume from the last recorded batch
					}
					p.fail(name, message(err))
				}
			}
		}
		p.processed = end
		if err := s.record(sys, op, p, p.processed == len(op.DeviceIds)); err != nil {
			return err
		}
	}
	return nil
}

// progress is an operation's counters while it runs.
type progress struct {
	processed, failed int
	errors            []string
}

func (p *progress) fail(name, why string) {
	p.failed++
	if len(p.errors) < MaxBulkErrors {
		p.errors = append(p.errors, validate.Clip(name+": "+why, 300))
	}
}

// record stores the progress; done finishes the operation.
func (s *Service) record(ctx context.Context, op *ent.BulkOperation, p progress, done bool) error {
	upd := s.st.Ent.BulkOperation.UpdateOneID(op.ID).SetProcessed(p.processed).SetFailed(p.failed).SetErrors(nonNil(p.errors))
	switch {
	case !done:
		upd.SetState(bulkoperation.StateRunning)
	case p.failed > 0:
		upd.SetState(bulkoperation.StateFailed).SetFinishedAt(s.now())
	default:
		upd.SetState(bulkoperation.StateSucceeded).SetFinishedAt(s.now())
	}
	if err := upd.Exec(ctx); err != nil {
		return fmt.Errorf("record bulk progress: %w", err)
	}
	return nil
}

// creator returns a context acting as the member who started op, as the
// membership is now, or why it cannot.
func (s *Service) creator(sys context.Context, op *ent.BulkOperation) (context.Context, string) {
	m, err := s.st.Ent.Membership.Query().Where(membership.UserID(op.CreatedBy)).Only(sys)
	if err != nil || m.DisabledAt != nil || m.AcceptedAt == nil {
		return nil, "the member who started the operation can no longer act in this tenant"
	}
	v := &viewer.Viewer{UserID: m.UserID, TenantID: m.TenantID, Role: viewer.Role(m.Role), OrganisationIDs: m.OrganisationIds}
	if op.Action == bulkoperation.ActionRetire {
		if err := s.mayRetire(v); err != nil {
			return nil, "the member who started the operation may no longer retire devices"
		}
	}
	return viewer.NewContext(sys, v), ""
}

// applyOne moves, tags or retires one device as the viewer of ctx, in its
// own transaction; it returns the name to report a failure under.
func (s *Service) applyOne(ctx context.Context, op *ent.BulkOperation, id uuid.UUID) (string, error) {
	name := id.String()
	if d, err := s.st.Ent.Device.Get(ctx, id); err == nil {
		name = d.Hostname
	}
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		switch op.Action {
		case bulkoperation.ActionMove:
			return s.moveIn(ctx, tx, id, deref(op.OrganisationID), deref(op.GroupID))
		case bulkoperation.ActionTag:
			d, err := locked(ctx, tx, id)
			if err != nil {
				return err
			}
			_, err = tagIn(ctx, tx, d, op.AddTags, op.RemoveTags)
			return err
		case bulkoperation.ActionRetire:
			return s.retireIn(ctx, tx, id)
		}
		return fmt.Errorf("unknown bulk action %q", op.Action)
	})
	return name, err
}

// reanalyse queues a re-analysis of each visible device of the batch; the
// analyses roll their parents up (debounced, see jobs.RollUpArgs).
func (s *Service) reanalyse(ctx context.Context, tenantID uuid.UUID, batch []uuid.UUID, p *progress) {
	found, err := s.st.Ent.Device.Query().Where(entdevice.IDIn(batch...)).IDs(ctx)
	if err != nil {
		for _, id := range batch {
			p.fail(id.String(), "could not be read")
		}
		return
	}
	seen := make(map[uuid.UUID]bool, len(found))
	for _, id := range found {
		seen[id] = true
	}
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		for _, id := range found {
			if _, err := s.jobs.EnqueueTx(ctx, tx, jobs.Recompute(tenantID, id)); err != nil {
				return err
			}
		}
		return nil
	})
	for _, id := range batch {
		switch {
		case !seen[id]:
			p.fail(id.String(), message(apperr.NotFound("device")))
		case err != nil:
			p.fail(id.String(), "could not be queued for analysis")
		}
	}
}

func deref(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

// isDomain reports whether err is a domain error (apperr), as opposed to a
// failure of the database or a cancelled context.
func isDomain(err error) bool {
	var e *apperr.Error
	return errors.As(err, &e)
}

// message says why one device failed, in words for people.
func message(err error) string {
	switch {
	case apperr.Is(err, apperr.KindNotFound):
		return "device was deleted or is out of your reach"
	case isDomain(err):
		var e *apperr.Error
		errors.As(err, &e)
		return e.Error()
	default:
		return "could not be changed (internal error)"
	}
}

// retireIn retires a device in the caller's transaction: it records when,
// revokes the agent's token (like enrolment.Service.RevokeDeviceToken), is
// audited, and rolls its parents up again without it. Its data stays. A
// retired device is not brought back by its agent: an agent enrolled again
// becomes a new device. Retiring a retired device changes nothing.
func (s *Service) retireIn(ctx context.Context, tx *store.Tx, id uuid.UUID) error {
	d, err := locked(ctx, tx, id)
	if err != nil {
		return err
	}
	if d.RetiredAt != nil {
		return nil
	}
	if err := tx.Device.UpdateOneID(id).SetRetiredAt(s.now()).ClearTokenHash().Exec(ctx); err != nil {
		return fmt.Errorf("retire device: %w", err)
	}
	org := d.OrganisationID
	err = audit.Record(ctx, tx, audit.Event{
		Action: audit.DeviceRetire, TargetKind: "device", TargetID: id, TargetName: d.Hostname, OrganisationID: &org,
	})
	if err != nil {
		return err
	}
	return s.jobs.EnqueueRollUps(ctx, tx, d.TenantID, d.GroupID, d.OrganisationID)
}
