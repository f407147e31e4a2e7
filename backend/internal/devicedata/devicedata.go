// Package devicedata keeps every row that carries a device's data with its
// device. Software, event logs, crashes, sections, snapshots, health, history,
// device-level policy and notifications all hold the device's organisation
// (that is what scopes them for customers and scoped technicians), so when a
// device moves they move with it, in the mover's transaction; when a device,
// a group or an organisation is deleted, its rows go with it.
//
// Tables holds the list of tables and how each is handled; a test fails when
// a table with an organisation_id or device_id column is missing from it, so a
// new table cannot be forgotten.
package devicedata

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent/auditevent"
	"github.com/wegweiser/wegweiser/ent/bulkoperation"
	"github.com/wegweiser/wegweiser/ent/chatmessage"
	"github.com/wegweiser/wegweiser/ent/conversation"
	"github.com/wegweiser/wegweiser/ent/crashreport"
	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/devicefinding"
	"github.com/wegweiser/wegweiser/ent/devicehealth"
	"github.com/wegweiser/wegweiser/ent/devicesection"
	"github.com/wegweiser/wegweiser/ent/enrolmentkey"
	"github.com/wegweiser/wegweiser/ent/entityhealth"
	"github.com/wegweiser/wegweiser/ent/eventloggroup"
	"github.com/wegweiser/wegweiser/ent/group"
	"github.com/wegweiser/wegweiser/ent/healthhistory"
	"github.com/wegweiser/wegweiser/ent/installedsoftware"
	"github.com/wegweiser/wegweiser/ent/memory"
	"github.com/wegweiser/wegweiser/ent/narrative"
	"github.com/wegweiser/wegweiser/ent/notification"
	"github.com/wegweiser/wegweiser/ent/notificationreceipt"
	"github.com/wegweiser/wegweiser/ent/policyaudit"
	"github.com/wegweiser/wegweiser/ent/policyguidance"
	"github.com/wegweiser/wegweiser/ent/policyoverride"
	"github.com/wegweiser/wegweiser/ent/predicate"
	"github.com/wegweiser/wegweiser/ent/preregistration"
	"github.com/wegweiser/wegweiser/ent/reportschedule"
	"github.com/wegweiser/wegweiser/ent/snapshot"
	"github.com/wegweiser/wegweiser/ent/webhookdelivery"
)

// Handling says what happens to a table's rows when their device moves or
// is deleted.
type Handling string

// How tables are handled.
const (
	// Follows: rows move with their device and are deleted with it.
	Follows Handling = "follows the device"
	// Entity: rows of a group or organisation, deleted with it.
	Entity Handling = "belongs to a group or organisation; deleted with it"
	// Kept: rows kept as a record until retention prunes them.
	Kept Handling = "kept as a record until retention"
	// FollowsKept: rows move with their device but stay as a record (until
	// retention) when it is deleted.
	FollowsKept Handling = "follows the device; kept as a record after deletion"
	// Owner: the device, group or organisation table itself.
	Owner Handling = "the owning table"
)

// Tables lists every table with an organisation_id or device_id column and
// how this package handles it.
var Tables = map[string]Handling{
	device.Table:              Owner,
	group.Table:               Owner,
	devicesection.Table:       Follows,
	snapshot.Table:            Follows,
	installedsoftware.Table:   Follows,
	eventloggroup.Table:       Follows,
	crashreport.Table:         Follows,
	devicehealth.Table:        Follows,
	devicefinding.Table:       Follows,
	healthhistory.Table:       Follows,
	policyoverride.Table:      Follows,
	policyguidance.Table:      Follows,
	notification.Table:        Follows,
	policyaudit.Table:         FollowsKept,
	entityhealth.Table:        Entity,
	narrative.Table:           Follows, // device narratives follow; group and organisation ones are deleted with them
	enrolmentkey.Table:        Entity,
	preregistration.Table:     Entity, // loses a deleted group, deleted with its organisation
	auditevent.Table:          Kept,
	webhookdelivery.Table:     Follows, // via its notification
	notificationreceipt.Table: Follows, // via its notification
	conversation.Table:        Follows, // a device's follow it; a group's or organisation's go with it
	chatmessage.Table:         Follows, // via its conversation
	memory.Table:              Follows, // like conversations
	bulkoperation.Table:       Kept,    // a move's destination, named in the record
	reportschedule.Table:      Entity,
}

// EventWindow is how far back a device's stored event-log groups and
// crashes reach: ingest keeps what snapshots report for this long (pruning
// what is older), retention prunes quiet devices, the analysis judges this
// window and the inventory lists it.
const EventWindow = 7 * 24 * time.Hour

// LockKey is the advisory lock every writer of one device's data takes
// (ingest, analysis, move, delete), so none of them writes a stale
// organisation.
func LockKey(deviceID uuid.UUID) string { return "device:" + deviceID.String() }

// step is one statement of a move or deletion: what it touches, and the
// statement (returning the rows it affected).
type step struct {
	what string
	run  func() (int, error)
}

// runSteps runs steps in order and stops at the first error, naming it.
func runSteps(verb string, steps []step) error {
	for _, s := range steps {
		if _, err := s.run(); err != nil {
			return fmt.Errorf("%s %s: %w", verb, s.what, err)
		}
	}
	return nil
}

// Relocate moves every row of a device's data to orgID and groupID (nil: no
// group) in tx. The device row itself is the caller's.
func Relocate(ctx context.Context, tx *store.Tx, tenantID, deviceID, orgID uuid.UUID, groupID *uuid.UUID) error {
	ctx = bypass.AsTenant(ctx, tenantID, "device data: move a device's data rows with it (the move is authorised)")
	steps := []step{
		{"sections", func() (int, error) {
			return tx.DeviceSection.Update().Where(devicesection.DeviceID(deviceID)).SetOrganisationID(orgID).Save(ctx)
		}},
		{"snapshots", func() (int, error) {
			return tx.Snapshot.Update().Where(snapshot.DeviceID(deviceID)).SetOrganisationID(orgID).Save(ctx)
		}},
		{"software", func() (int, error) {
			return tx.InstalledSoftware.Update().Where(installedsoftware.DeviceID(deviceID)).SetOrganisationID(orgID).Save(ctx)
		}},
		{"event logs", func() (int, error) {
			return tx.EventLogGroup.Update().Where(eventloggroup.DeviceID(deviceID)).SetOrganisationID(orgID).Save(ctx)
		}},
		{"crashes", func() (int, error) {
			return tx.CrashReport.Update().Where(crashreport.DeviceID(deviceID)).SetOrganisationID(orgID).Save(ctx)
		}},
		{"health", func() (int, error) {
			upd := tx.DeviceHealth.Update().Where(devicehealth.DeviceID(deviceID)).SetOrganisationID(orgID)
			if groupID == nil {
				upd.ClearGroupID()
			} else {
				upd.SetGroupID(*groupID)
			}
			return upd.Save(ctx)
		}},
		{"findings", func() (int, error) {
			upd := tx.DeviceFinding.Update().Where(devicefinding.DeviceID(deviceID)).SetOrganisationID(orgID)
			if groupID == nil {
				upd.ClearGroupID()
			} else {
				upd.SetGroupID(*groupID)
			}
			return upd.Save(ctx)
		}},
		{"history", func() (int, error) {
			return tx.HealthHistory.Update().
				Where(healthhistory.KindEQ(healthhistory.KindDevice), healthhistory.EntityID(deviceID)).
				SetOrganisationID(orgID).Save(ctx)
		}},
		{"policy overrides", func() (int, error) {
			return tx.PolicyOverride.Update().
				Where(policyoverride.LevelEQ(policyoverride.LevelDevice), policyoverride.TargetID(deviceID)).
				SetOrganisationID(orgID).Save(ctx)
		}},
		{"policy guidance", func() (int, error) {
			return tx.PolicyGuidance.Update().
				Where(policyguidance.LevelEQ(policyguidance.LevelDevice), policyguidance.TargetID(deviceID)).
				SetOrganisationID(orgID).Save(ctx)
		}},
		{"policy audit", func() (int, error) {
			return tx.PolicyAudit.Update().
				Where(policyaudit.Level("device"), policyaudit.TargetID(deviceID)).
				SetOrganisationID(orgID).Save(ctx)
		}},
		{"notifications", func() (int, error) {
			return tx.Notification.Update().
				Where(notification.EntityKind("device"), notification.EntityID(deviceID)).
				SetOrganisationID(orgID).Save(ctx)
		}},
		{"conversations", func() (int, error) {
			return tx.Conversation.Update().
				Where(conversation.ScopeKindEQ(conversation.ScopeKindDevice), conversation.ScopeID(deviceID)).
				SetOrganisationID(orgID).Save(ctx)
		}},
		{"memories", func() (int, error) {
			return tx.Memory.Update().
				Where(memory.ScopeKindEQ(memory.ScopeKindDevice), memory.ScopeID(deviceID)).
				SetOrganisationID(orgID).Save(ctx)
		}},
		{"narratives", func() (int, error) {
			return tx.Narrative.Update().
				Where(narrative.EntityKindEQ(narrative.EntityKindDevice), narrative.EntityID(deviceID)).
				SetOrganisationID(orgID).Save(ctx)
		}},
	}
	return runSteps("move", steps)
}

// PurgeDevice deletes a device and every row of its data in tx.
func PurgeDevice(ctx context.Context, tx *store.Tx, tenantID, deviceID uuid.UUID) error {
	ctx = bypass.AsTenant(ctx, tenantID, "device data: purge a deleted device's data rows (the deletion is authorised)")
	notes := []predicate.Notification{notification.EntityKind("device"), notification.EntityID(deviceID)}
	if err := purgeNotifications(ctx, tx, tenantID, notes); err != nil {
		return err
	}
	steps := []step{
		{"sections", func() (int, error) {
			return tx.DeviceSection.Delete().Where(devicesection.DeviceID(deviceID)).Exec(ctx)
		}},
		{"snapshots", func() (int, error) { return tx.Snapshot.Delete().Where(snapshot.DeviceID(deviceID)).Exec(ctx) }},
		{"software", func() (int, error) {
			return tx.InstalledSoftware.Delete().Where(installedsoftware.DeviceID(deviceID)).Exec(ctx)
		}},
		{"event logs", func() (int, error) {
			return tx.EventLogGroup.Delete().Where(eventloggroup.DeviceID(deviceID)).Exec(ctx)
		}},
		{"crashes", func() (int, error) {
			return tx.CrashReport.Delete().Where(crashreport.DeviceID(deviceID)).Exec(ctx)
		}},
		{"health", func() (int, error) {
			return tx.DeviceHealth.Delete().Where(devicehealth.DeviceID(deviceID)).Exec(ctx)
		}},
		{"findings", func() (int, error) {
			return tx.DeviceFinding.Delete().Where(devicefinding.DeviceID(deviceID)).Exec(ctx)
		}},
		{"history", func() (int, error) {
			return tx.HealthHistory.Delete().
				Where(healthhistory.KindEQ(healthhistory.KindDevice), healthhistory.EntityID(deviceID)).Exec(ctx)
		}},
		{"policy overrides", func() (int, error) {
			return tx.PolicyOverride.Delete().
				Where(policyoverride.LevelEQ(policyoverride.LevelDevice), policyoverride.TargetID(deviceID)).Exec(ctx)
		}},
		{"policy guidance", func() (int, error) {
			return tx.PolicyGuidance.Delete().
				Where(policyguidance.LevelEQ(policyguidance.LevelDevice), policyguidance.TargetID(deviceID)).Exec(ctx)
		}},
		{"conversations", func() (int, error) {
			return purgeConversations(ctx, tx, tenantID, conversation.ScopeKindEQ(conversation.ScopeKindDevice), conversation.ScopeID(deviceID))
		}},
		{"memories", func() (int, error) {
			return tx.Memory.Delete().Where(memory.ScopeKindEQ(memory.ScopeKindDevice), memory.ScopeID(deviceID)).Exec(ctx)
		}},
		{"narratives", func() (int, error) {
			return tx.Narrative.Delete().
				Where(narrative.EntityKindEQ(narrative.EntityKindDevice), narrative.EntityID(deviceID)).Exec(ctx)
		}},
		{"device", func() (int, error) { return tx.Device.Delete().Where(device.ID(deviceID)).Exec(ctx) }},
	}
	return runSteps("delete", steps)
}

// PurgeGroup deletes a group in tx. Its devices stay in the organisation
// without a group (their data follows: only health records the group);
// the group's own health, history, policy and notifications are deleted and
// its enrolment keys with it, so nothing enrols into a group that is gone.
func PurgeGroup(ctx context.Context, tx *store.Tx, tenantID, groupID uuid.UUID) error {
	ctx = bypass.AsTenant(ctx, tenantID, "device data: purge a deleted group's data rows (the deletion is authorised)")
	if err := purgeNotifications(ctx, tx, tenantID, []predicate.Notification{notification.EntityKind("group"), notification.EntityID(groupID)}); err != nil {
		return err
	}
	steps := []step{
		{"device groups", func() (int, error) {
			return tx.Device.Update().Where(device.GroupID(groupID)).ClearGroupID().Save(ctx)
		}},
		{"device health groups", func() (int, error) {
			return tx.DeviceHealth.Update().Where(devicehealth.GroupID(groupID)).ClearGroupID().Save(ctx)
		}},
		{"device finding groups", func() (int, error) {
			return tx.DeviceFinding.Update().Where(devicefinding.GroupID(groupID)).ClearGroupID().Save(ctx)
		}},
		{"health", func() (int, error) {
			return tx.EntityHealth.Delete().
				Where(entityhealth.KindEQ(entityhealth.KindGroup), entityhealth.EntityID(groupID)).Exec(ctx)
		}},
		{"history", func() (int, error) {
			return tx.HealthHistory.Delete().
				Where(healthhistory.KindEQ(healthhistory.KindGroup), healthhistory.EntityID(groupID)).Exec(ctx)
		}},
		{"policy overrides", func() (int, error) {
			return tx.PolicyOverride.Delete().
				Where(policyoverride.LevelEQ(policyoverride.LevelGroup), policyoverride.TargetID(groupID)).Exec(ctx)
		}},
		{"policy guidance", func() (int, error) {
			return tx.PolicyGuidance.Delete().
				Where(policyguidance.LevelEQ(policyguidance.LevelGroup), policyguidance.TargetID(groupID)).Exec(ctx)
		}},
		{"narratives", func() (int, error) {
			return tx.Narrative.Delete().
				Where(narrative.EntityKindEQ(narrative.EntityKindGroup), narrative.EntityID(groupID)).Exec(ctx)
		}},
		{"enrolment keys", func() (int, error) {
			return tx.EnrolmentKey.Delete().Where(enrolmentkey.GroupID(groupID)).Exec(ctx)
		}},
		{"pre-registration groups", func() (int, error) {
			return tx.Preregistration.Update().Where(preregistration.GroupID(groupID)).ClearGroupID().Save(ctx)
		}},
		{"conversations", func() (int, error) {
			return purgeConversations(ctx, tx, tenantID, conversation.ScopeKindEQ(conversation.ScopeKindGroup), conversation.ScopeID(groupID))
		}},
		{"memories", func() (int, error) {
			return tx.Memory.Delete().Where(memory.ScopeKindEQ(memory.ScopeKindGroup), memory.ScopeID(groupID)).Exec(ctx)
		}},
		{"group", func() (int, error) { return tx.Group.Delete().Where(group.ID(groupID)).Exec(ctx) }},
	}
	return runSteps("delete", steps)
}

// PurgeOrganisation deletes an organisation with its groups, devices and
// every row that carries its id, in tx. Every such row holds the
// organisation's id, so this needs no list of devices however large the
// organisation is. Policy audit rows stay as a record (see Tables).
func PurgeOrganisation(ctx context.Context, tx *store.Tx, tenantID, orgID uuid.UUID) error {
	ctx = bypass.AsTenant(ctx, tenantID, "device data: purge a deleted organisation's data rows (the deletion is authorised)")
	if err := purgeNotifications(ctx, tx, tenantID, []predicate.Notification{notification.OrganisationID(orgID)}); err != nil {
		return err
	}
	steps := []step{
		{"sections", func() (int, error) {
			return tx.DeviceSection.Delete().Where(devicesection.OrganisationID(orgID)).Exec(ctx)
		}},
		{"snapshots", func() (int, error) { return tx.Snapshot.Delete().Where(snapshot.OrganisationID(orgID)).Exec(ctx) }},
		{"software", func() (int, error) {
			return tx.InstalledSoftware.Delete().Where(installedsoftware.OrganisationID(orgID)).Exec(ctx)
		}},
		{"event logs", func() (int, error) {
			return tx.EventLogGroup.Delete().Where(eventloggroup.OrganisationID(orgID)).Exec(ctx)
		}},
		{"crashes", func() (int, error) {
			return tx.CrashReport.Delete().Where(crashreport.OrganisationID(orgID)).Exec(ctx)
		}},
		{"device health", func() (int, error) {
			return tx.DeviceHealth.Delete().Where(devicehealth.OrganisationID(orgID)).Exec(ctx)
		}},
		{"device findings", func() (int, error) {
			return tx.DeviceFinding.Delete().Where(devicefinding.OrganisationID(orgID)).Exec(ctx)
		}},
		{"entity health", func() (int, error) {
			return tx.EntityHealth.Delete().Where(entityhealth.OrganisationID(orgID)).Exec(ctx)
		}},
		{"history", func() (int, error) {
			return tx.HealthHistory.Delete().Where(healthhistory.OrganisationID(orgID)).Exec(ctx)
		}},
		{"policy overrides", func() (int, error) {
			return tx.PolicyOverride.Delete().Where(policyoverride.OrganisationID(orgID)).Exec(ctx)
		}},
		{"policy guidance", func() (int, error) {
			return tx.PolicyGuidance.Delete().Where(policyguidance.OrganisationID(orgID)).Exec(ctx)
		}},
		{"narratives", func() (int, error) {
			return tx.Narrative.Delete().Where(narrative.OrganisationID(orgID)).Exec(ctx)
		}},
		{"enrolment keys", func() (int, error) {
			return tx.EnrolmentKey.Delete().Where(enrolmentkey.OrganisationID(orgID)).Exec(ctx)
		}},
		{"pre-registrations", func() (int, error) {
			return tx.Preregistration.Delete().Where(preregistration.OrganisationID(orgID)).Exec(ctx)
		}},
		{"conversations", func() (int, error) {
			return purgeConversations(ctx, tx, tenantID, conversation.OrganisationID(orgID))
		}},
		{"memories", func() (int, error) { return tx.Memory.Delete().Where(memory.OrganisationID(orgID)).Exec(ctx) }},
		{"report schedules", func() (int, error) {
			return tx.ReportSchedule.Delete().Where(reportschedule.OrganisationID(orgID)).Exec(ctx)
		}},
		{"devices", func() (int, error) { return tx.Device.Delete().Where(device.OrganisationID(orgID)).Exec(ctx) }},
		{"groups", func() (int, error) { return tx.Group.Delete().Where(group.OrganisationID(orgID)).Exec(ctx) }},
	}
	return runSteps("delete", steps)
}

// purgeNotifications deletes the notifications matching preds with their
// read receipts and webhook deliveries.
func purgeNotifications(ctx context.Context, tx *store.Tx, tenantID uuid.UUID, preds []predicate.Notification) error {
	of := func(col string) func(*sql.Selector) {
		return func(s *sql.Selector) {
			t := sql.Table(notification.Table)
			sub := sql.Select(t.C(notification.FieldID)).From(t).Where(sql.EQ(t.C(notification.FieldTenantID), tenantID))
			for _, p := range preds {
				p(sub)
			}
			s.Where(sql.In(s.C(col), sub))
		}
	}
	if _, err := tx.NotificationReceipt.Delete().Where(of(notificationreceipt.FieldNotificationID)).Exec(ctx); err != nil {
		return fmt.Errorf("delete notification receipts: %w", err)
	}
	if _, err := tx.WebhookDelivery.Delete().Where(of(webhookdelivery.FieldNotificationID)).Exec(ctx); err != nil {
		return fmt.Errorf("delete webhook deliveries: %w", err)
	}
	if _, err := tx.Notification.Delete().Where(preds...).Exec(ctx); err != nil {
		return fmt.Errorf("delete notifications: %w", err)
	}
	return nil
}

// purgeConversations deletes the conversations matching preds with their
// messages.
func purgeConversations(ctx context.Context, tx *store.Tx, tenantID uuid.UUID, preds ...predicate.Conversation) (int, error) {
	ids, err := tx.Conversation.Query().Where(preds...).IDs(ctx)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	if _, err := tx.ChatMessage.Delete().Where(chatmessage.TenantID(tenantID), chatmessage.ConversationIDIn(ids...)).Exec(ctx); err != nil {
		return 0, fmt.Errorf("delete chat messages: %w", err)
	}
	return tx.Conversation.Delete().Where(conversation.IDIn(ids...)).Exec(ctx)
}
