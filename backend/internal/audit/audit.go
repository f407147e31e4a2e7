// Package audit keeps the tenant's audit log: who did what, when and from
// where. Sign-ins and failed sign-ins, factor, role and policy changes,
// invitations, API keys, single sign-on configuration, moves, deletions, AI
// settings and the report mails that send data out of the tenant are each
// recorded by their package. Events are append-only (the ent policy refuses
// updates) and are pruned past the tenant's audit retention.
package audit

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/reqinfo"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
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

	// Sign-ins: a successful sign-in (any method), a failed one (wrong
	// password, second factor or passkey; recorded in every tenant the
	// account belongs to), sign-out and sessions ended by the user.
	Login          = "auth.login"
	LoginFailed    = "auth.login_failed"
	Logout         = "auth.logout"
	SessionRevoke  = "auth.session_revoke"
	PasswordReset  = "auth.password_reset"
	Reauthenticate = "auth.reauthenticate"

	// Second factors of the acting user.
	PasskeyAdd              = "factor.passkey_add"
	PasskeyRemove           = "factor.passkey_remove"
	PasskeyRename           = "factor.passkey_rename"
	TotpEnable              = "factor.totp_enable"
	TotpDisable             = "factor.totp_disable"
	RecoveryCodesRegenerate = "factor.recovery_codes_regenerate"
	RecoveryCodeUse         = "factor.recovery_code_use"

	// Members.
	UserInvite     = "user.invite"
	UserAccept     = "user.accept_invitation"
	UserRoleChange = "user.role_change"
	UserDisable    = "user.disable"
	UserEnable     = "user.enable"
	UserJoinSSO    = "user.join_sso"

	// API keys: creation, revocation and use (use is recorded at most
	// once a minute per key, with the key's last-use time).
	APIKeyCreate = "apikey.create"
	APIKeyRevoke = "apikey.revoke"
	APIKeyUse    = "apikey.use"

	// Tenant configuration.
	SSOConfigUpdate      = "sso.config_update"
	SSOConfigDelete      = "sso.config_delete"
	SecurityPolicyChange = "security.policy_change"
	PolicyChange         = "policy.change"
	RetentionChange      = "tenant.retention_change"
	TenantUpdate         = "tenant.update"
	BrandingUpdate       = "tenant.branding_update"
)

// Event is one audited action.
type Event struct {
	Action         string
	TargetKind     string
	TargetID       uuid.UUID
	TargetName     string
	OrganisationID *uuid.UUID
	Detail         string
}

// Record stores e in tx, with the viewer of ctx as the actor and the
// request's source (reqinfo) as where it came from.
func Record(ctx context.Context, tx *store.Tx, e Event) error {
	v := viewer.FromContext(ctx)
	if v == nil {
		return fmt.Errorf("audit %s: no viewer", e.Action)
	}
	return create(ctx, tx.Client, v.TenantID, actorOf(ctx, tx.Client, v), e)
}

// Actor names who acted when there is no viewer to take it from (a failed
// sign-in, a sign-in being completed).
type Actor struct {
	// ID is the member's user id; uuid.Nil for the system.
	ID uuid.UUID
	// Name is the member's email, "apikey:<prefix>" or "system".
	Name string
}

// RecordFor stores e in tenantID with an explicit actor, through c (a
// transaction's client or the store's). The caller decides that tenantID
// is right: it is for sign-in events, which happen before there is a
// viewer, and the event is written as that tenant.
func RecordFor(ctx context.Context, c *ent.Client, tenantID uuid.UUID, a Actor, e Event) error {
	ctx = bypass.AsTenant(ctx, tenantID, "audit: record a sign-in event, which has no viewer yet, in the tenant it concerns")
	return create(ctx, c, tenantID, a, e)
}

func create(ctx context.Context, c *ent.Client, tenantID uuid.UUID, a Actor, e Event) error {
	src := reqinfo.From(ctx)
	q := c.AuditEvent.Create().SetTenantID(tenantID).SetAction(e.Action).SetTargetKind(e.TargetKind).
		SetTargetID(e.TargetID).SetTargetName(validate.Clip(e.TargetName, 255)).
		SetNillableOrganisationID(e.OrganisationID).SetDetail(validate.Clip(e.Detail, 4000)).
		SetActor(validate.Clip(a.Name, 254)).
		SetSourceAddress(validate.Clip(src.Address, 64)).SetUserAgent(validate.Clip(src.UserAgent, 300))
	if a.ID != uuid.Nil {
		q.SetActorID(a.ID)
	}
	if err := q.Exec(ctx); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// actorOf is who the viewer is: the user's email, the API key, or
// "system".
func actorOf(ctx context.Context, c *ent.Client, v *viewer.Viewer) Actor {
	if v.APIKeyID != uuid.Nil {
		if k, err := c.APIKey.Get(ctx, v.APIKeyID); err == nil {
			return Actor{ID: v.UserID, Name: "apikey:" + k.Prefix}
		}
		return Actor{ID: v.UserID, Name: "apikey:" + v.APIKeyID.String()}
	}
	if v.UserID == uuid.Nil {
		return Actor{Name: "system"}
	}
	u, err := c.User.Get(ctx, v.UserID)
	if err != nil {
		return Actor{ID: v.UserID, Name: v.UserID.String()}
	}
	return Actor{ID: v.UserID, Name: u.Email}
}
