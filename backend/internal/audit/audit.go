// Package audit records who changed what in a tenant: moves and deletions,
// AI settings, and the report mails that send data out of the tenant (each
// recorded by its package). Events are append-only (the ent policy refuses
// updates) and are pruned past the tenant's audit retention.
package audit

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Actions recorded.
const (
	DeviceMove         = "device.move"
	DeviceDelete       = "device.delete"
	DeviceRetire       = "device.retire"
	GroupDelete        = "group.delete"
	OrganisationDelete = "organisation.delete"
	TransferImport     = "transfer.import"
)

// Event is one audited change.
type Event struct {
	Action         string
	TargetKind     string
	TargetID       uuid.UUID
	TargetName     string
	OrganisationID *uuid.UUID
	Detail         string
}

// Record stores e in tx, with the viewer of ctx as the actor.
func Record(ctx context.Context, tx *store.Tx, e Event) error {
	v := viewer.FromContext(ctx)
	if v == nil {
		return fmt.Errorf("audit %s: no viewer", e.Action)
	}
	c := tx.AuditEvent.Create().SetTenantID(v.TenantID).SetAction(e.Action).SetTargetKind(e.TargetKind).
		SetTargetID(e.TargetID).SetTargetName(validate.Clip(e.TargetName, 255)).
		SetNillableOrganisationID(e.OrganisationID).SetDetail(validate.Clip(e.Detail, 4000)).
		SetActor(actor(ctx, tx, v))
	if v.UserID != uuid.Nil {
		c.SetActorID(v.UserID)
	}
	if err := c.Exec(ctx); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// actor is the email of the viewer's user, or "system".
func actor(ctx context.Context, tx *store.Tx, v *viewer.Viewer) string {
	if v.UserID == uuid.Nil {
		return "system"
	}
	u, err := tx.User.Get(ctx, v.UserID)
	if err != nil {
		return v.UserID.String()
	}
	return u.Email
}
