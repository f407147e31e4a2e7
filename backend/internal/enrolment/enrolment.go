// Package enrolment manages how devices join a tenant: enrolment keys
// (per organisation and optionally group, with expiry and a use limit),
// enrolling a device with a key, and the device tokens that identify agents
// from then on. Secrets are stored as SHA-256 hashes only.
package enrolment

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/identity"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/enrolmentkey"
	"github.com/wegweiser/wegweiser/ent/preregistration"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Token prefixes make leaked secrets recognisable (and scannable).
const (
	KeyPrefix         = "wwe_"
	DeviceTokenPrefix = "wwd_"
	maxUsesLimit      = 100_000
)

// Service implements enrolment.
type Service struct {
	st  *store.Store
	now func() time.Time
}

// NewService returns an enrolment service.
func NewService(st *store.Store) *Service {
	return &Service{st: st, now: func() time.Time { return time.Now().UTC() }}
}

// KeyInput describes a new key.
type KeyInput struct {
	OrganisationID uuid.UUID
	GroupID        uuid.UUID
	Description    string
	ExpiresAt      *time.Time
	MaxUses        int
}

// CreateKey makes a key and returns it with its secret (shown only once).
func (s *Service) CreateKey(ctx context.Context, in KeyInput) (*ent.EnrolmentKey, string, error) {
	desc, err := validate.Description("description", in.Description)
	if err != nil {
		return nil, "", err
	}
	if len([]rune(desc)) > validate.MaxNameLen {
		return nil, "", apperr.Invalid("description", "must be at most %d characters", validate.MaxNameLen)
	}
	if in.MaxUses < 0 || in.MaxUses > maxUsesLimit {
		return nil, "", apperr.Invalid("max_uses", "must be between 0 and %d", maxUsesLimit)
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(s.now()) {
		return nil, "", apperr.Invalid("expire_time", "must be in the future")
	}
	secret, hash, err := identity.NewOpaqueToken(KeyPrefix)
	if err != nil {
		return nil, "", err
	}
	v := viewer.FromContext(ctx)
	var key *ent.EnrolmentKey
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Organisation.Get(ctx, in.OrganisationID); err != nil {
			return apperr.NotFoundIf(err, "organisation")
		}
		c := tx.EnrolmentKey.Create().SetTenantID(v.TenantID).SetOrganisationID(in.OrganisationID).
			SetDescription(desc).SetSecretHash(hash).SetPrefix(secret[:len(KeyPrefix)+6]).
			SetMaxUses(in.MaxUses).SetNillableExpiresAt(in.ExpiresAt)
		if v.UserID != uuid.Nil {
			c.SetCreatedBy(v.UserID)
		}
		if in.GroupID != uuid.Nil {
			g, err := tx.Group.Get(ctx, in.GroupID)
			if err != nil {
				return apperr.NotFoundIf(err, "group")
			}
			if g.OrganisationID != in.OrganisationID {
				return apperr.Invalid("group_id", "group does not belong to the organisation")
			}
			c.SetGroupID(in.GroupID)
		}
		key, err = c.Save(ctx)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return key, secret, nil
}

// ListKeys returns keys newest first, optionally of one organisation.
func (s *Service) ListKeys(ctx context.Context, orgID uuid.UUID, includeInactive bool) ([]*ent.EnrolmentKey, error) {
	q := s.st.Ent.EnrolmentKey.Query()
	if orgID != uuid.Nil {
		if _, err := s.st.Ent.Organisation.Get(ctx, orgID); err != nil {
			return nil, apperr.NotFoundIf(err, "organisation")
		}
		q = q.Where(enrolmentkey.OrganisationID(orgID))
	}
	keys, err := q.Order(ent.Desc(enrolmentkey.FieldCreatedAt), ent.Desc(enrolmentkey.FieldID)).Limit(1000).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list enrolment keys: %w", err)
	}
	if includeInactive {
		return keys, nil
	}
	out := keys[:0]
	for _, k := range keys {
		if Active(k, s.now()) {
			out = append(out, k)
		}
	}
	return out, nil
}

// Active reports whether a key can enrol a device at now.
func Active(k *ent.EnrolmentKey, now time.Time) bool {
	return k.RevokedAt == nil && (k.ExpiresAt == nil || now.Before(*k.ExpiresAt)) && (k.MaxUses == 0 || k.Uses < k.MaxUses)
}

// RevokeKey stops a key from enrolling further devices.
func (s *Service) RevokeKey(ctx context.Context, id uuid.UUID) (*ent.EnrolmentKey, error) {
	k, err := s.st.Ent.EnrolmentKey.Get(ctx, id)
	if err != nil {
		return nil, apperr.NotFoundIf(err, "enrolment key")
	}
	if k.RevokedAt != nil {
		return k, nil
	}
	k, err = s.st.Ent.EnrolmentKey.UpdateOneID(id).SetRevokedAt(s.now()).Save(ctx)
	return k, apperr.NotFoundIf(err, "enrolment key")
}

// RevokeDeviceToken cuts a device's agent off until it enrols again.
func (s *Service) RevokeDeviceToken(ctx context.Context, deviceID uuid.UUID) error {
	err := s.st.Ent.Device.UpdateOneID(deviceID).ClearTokenHash().Exec(ctx)
	return apperr.NotFoundIf(err, "device")
}

// EnrollInput is what an agent presents.
type EnrollInput struct {
	Key, Hostname, Platform, AgentVersion, SerialNumber string
}

// Enrolled is a new device and its token (shown only once).
type Enrolled struct {
	Device *ent.Device
	Token  string
}

var errBadKey = apperr.PermissionDenied("enrolment key is invalid, expired, revoked or used up")

func checkKeyForm(key string) error {
	if !strings.HasPrefix(key, KeyPrefix) {
		return apperr.Invalid("enrolment_key", "is not an enrolment key")
	}
	return nil
}

// activeKey returns the key with this secret if it can enrol a device now.
func (s *Service) activeKey(ctx context.Context, secret string) (*ent.EnrolmentKey, error) {
	sys := bypass.Allow(ctx, "enrolment: find the enrolment key by its secret")
	k, err := s.st.Ent.EnrolmentKey.Query().Where(enrolmentkey.SecretHash(identity.HashToken(secret))).Only(sys)
	if ent.IsNotFound(err) {
		return nil, errBadKey
	}
	if err != nil {
		return nil, fmt.Errorf("find enrolment key: %w", err)
	}
	if !Active(k, s.now()) {
		return nil, errBadKey
	}
	return k, nil
}

// VerifyEnrolmentKey checks a key the way Enroll does (form, existence,
// not revoked, expired or used up) without using it; the API checks a key
// sent as the bearer credential with it before reading the request body.
func (s *Service) VerifyEnrolmentKey(ctx context.Context, key string) error {
	if err := checkKeyForm(key); err != nil {
		return err
	}
	_, err := s.activeKey(ctx, key)
	return err
}

// Enroll creates a device with a key. The key's use count goes up in the
// same transaction, conditionally, so a key with one use left enrols one
// device even under concurrent attempts. A pre-registration of the key's
// tenant matching the device is consumed in the same transaction and
// decides where the device goes (see claimPreregistration).
func (s *Service) Enroll(ctx context.Context, in EnrollInput) (*Enrolled, error) {
	if err := checkKeyForm(in.Key); err != nil {
		return nil, err
	}
	host := strings.TrimSpace(in.Hostname)
	if host == "" || len(host) > 255 {
		return nil, apperr.Invalid("hostname", "must be 1 to 255 characters")
	}
	platform := device.Platform(strings.ToLower(in.Platform))
	if err := device.PlatformValidator(platform); err != nil || platform == device.PlatformUnknown {
		return nil, apperr.Invalid("platform", "must be windows, macos or linux")
	}
	if len(in.AgentVersion) > 64 || len(in.SerialNumber) > 255 {
		return nil, apperr.Invalid("agent_version", "is too long")
	}
	k, err := s.activeKey(ctx, in.Key)
	if err != nil {
		return nil, err
	}
	now := s.now()
	token, hash, err := identity.NewOpaqueToken(DeviceTokenPrefix)
	if err != nil {
		return nil, err
	}
	tctx := bypass.AsTenant(ctx, k.TenantID, "enrolment: create the device in the key's tenant")
	var d *ent.Device
	err = s.st.Tx(tctx, func(tx *store.Tx) error {
		upd := tx.EnrolmentKey.Update().Where(enrolmentkey.ID(k.ID), enrolmentkey.RevokedAtIsNil()).AddUses(1)
		if k.MaxUses > 0 {
			upd.Where(enrolmentkey.UsesLT(k.MaxUses))
		}
		n, err := upd.Save(tctx)
		if err != nil {
			return fmt.Errorf("count key use: %w", err)
		}
		if n == 0 {
			return errBadKey
		}
		place, err := claimPreregistration(tctx, tx, k, host, in.SerialNumber)
		if err != nil {
			return err
		}
		c := tx.Device.Create().SetTenantID(k.TenantID).SetOrganisationID(place.org).SetNillableGroupID(place.group).
			SetHostname(host).SetPlatform(platform).SetAgentVersion(in.AgentVersion).SetTags(place.tags).
			SetSerialNumber(in.SerialNumber).SetTokenHash(hash).SetEnrolmentKeyID(k.ID).SetLastSeenAt(now)
		d, err = c.Save(tctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &Enrolled{Device: d, Token: token}, nil
}

// AuthenticateDevice returns the device a token belongs to, with a system
// viewer confined to the device's tenant.
func (s *Service) AuthenticateDevice(ctx context.Context, token string) (*viewer.Viewer, *ent.Device, error) {
	if !strings.HasPrefix(token, DeviceTokenPrefix) {
		return nil, nil, apperr.Unauthenticated("not a device token")
	}
	d, err := s.st.Ent.Device.Query().Where(device.TokenHash(identity.HashToken(token))).Only(bypass.Allow(ctx, "agent: find the device by its token"))
	if ent.IsNotFound(err) {
		return nil, nil, apperr.Unauthenticated("device token is invalid or revoked; enrol the agent again")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("find device: %w", err)
	}
	return bypass.TenantViewer(d.TenantID, "agent: a device acts as its tenant"), d, nil
}

// InstallCommands returns, per platform, the one line that installs and
// enrols the agent from serverURL: it fetches the install script the
// server serves (which downloads the agent, verifies its checksum, enrols
// with the key and installs the service).
func InstallCommands(serverURL, secret string) map[string]string {
	sh := fmt.Sprintf("curl -fsSL %s/install.sh | sudo sh -s -- --key %s", serverURL, secret)
	return map[string]string{
		"linux":   sh,
		"macos":   sh,
		"windows": fmt.Sprintf("& ([scriptblock]::Create((irm %s/install.ps1))) -Key '%s'", serverURL, secret),
	}
}

// placement is where an enrolling device goes.
type placement struct {
	org   uuid.UUID
	group *uuid.UUID
	tags  []string
}

// claimPreregistration finds the pre-registration (from a CSV import) of an
// enrolling device in the key's tenant, deletes it and returns where the
// device goes. The match is by serial number first (case-insensitive), then
// by host name (case-insensitive) among pre-registrations without a serial
// number or when the agent reports none; the newest wins. The device always
// takes the pre-registration's tags. It takes its organisation and group
// when the pre-registration is for the key's organisation (its group if it
// names one, else the key's) or when the key names no group; a key bound
// to a group of another organisation keeps the device in that group.
// Without a match the device goes to the key's organisation and group.
func claimPreregistration(ctx context.Context, tx *store.Tx, k *ent.EnrolmentKey, host, serial string) (placement, error) {
	place := placement{org: k.OrganisationID, group: k.GroupID, tags: []string{}}
	var pre *ent.Preregistration
	var err error
	newest := ent.Desc(preregistration.FieldCreatedAt)
	if serial = strings.TrimSpace(serial); serial != "" {
		pre, err = tx.Preregistration.Query().Where(preregistration.SerialNumberEqualFold(serial)).Order(newest).First(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return place, fmt.Errorf("find pre-registration: %w", err)
		}
	}
	if pre == nil {
		q := tx.Preregistration.Query().Where(preregistration.HostnameEqualFold(host))
		if serial != "" {
			q = q.Where(preregistration.SerialNumber(""))
		}
		pre, err = q.Order(newest).First(ctx)
		if ent.IsNotFound(err) {
			return place, nil
		}
		if err != nil {
			return place, fmt.Errorf("find pre-registration: %w", err)
		}
	}
	if err := tx.Preregistration.DeleteOneID(pre.ID).Exec(ctx); err != nil {
		return place, fmt.Errorf("consume pre-registration: %w", err)
	}
	place.tags = append(place.tags, pre.Tags...)
	switch {
	case pre.OrganisationID == k.OrganisationID:
		if pre.GroupID != nil {
			place.group = pre.GroupID
		}
	case k.GroupID == nil:
		place.org, place.group = pre.OrganisationID, pre.GroupID
	}
	return place, nil
}
