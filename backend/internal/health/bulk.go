package health

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/devicedata"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/devicehealth"
	"github.com/wegweiser/wegweiser/ent/entityhealth"
	"github.com/wegweiser/wegweiser/ent/healthhistory"
)

// entityKey names a roll-up target.
type entityKey struct {
	kind entityhealth.Kind
	id   uuid.UUID
}

// RollUpTenant recomputes every group, organisation and the tenant from one
// read of all devices and their health, and writes the results (and history
// rows where a score changed) in one transaction. It is what a full
// re-score ends with; the per-entity RollUp serves single changes.
func (s *Service) RollUpTenant(ctx context.Context, tenantID uuid.UUID) error {
	ctx = bypass.AsTenant(ctx, tenantID, "bulk roll-up: roll up every entity of one tenant")
	devs, err := s.st.Ent.Device.Query().Where(devicedata.Active()).
		Select(device.FieldID, device.FieldHostname, device.FieldOrganisationID, device.FieldGroupID, device.FieldRole).All(ctx)
	if err != nil {
		return fmt.Errorf("load devices: %w", err)
	}
	hs, err := s.st.Ent.DeviceHealth.Query().
		Select(devicehealth.FieldDeviceID, devicehealth.FieldScore, devicehealth.FieldBand, devicehealth.FieldScored,
			devicehealth.FieldSnapshotReceivedAt, devicehealth.FieldNeedsAttention, devicehealth.FieldCapReason).All(ctx)
	if err != nil {
		return fmt.Errorf("load device health: %w", err)
	}
	byDevice := make(map[uuid.UUID]*ent.DeviceHealth, len(hs))
	for _, h := range hs {
		byDevice[h.DeviceID] = h
	}
	now := s.now()
	members := map[entityKey][]analyzer.Member{}
	scores := make(map[string]DeviceScore, len(devs))
	orgOf := map[entityKey]uuid.UUID{}
	tenantKey := entityKey{entityhealth.KindTenant, tenantID}
	members[tenantKey] = make([]analyzer.Member, 0, len(devs))
	for _, d := range devs {
		m, ds := member(d, byDevice[d.ID], now)
		scores[m.ID] = ds
		members[tenantKey] = append(members[tenantKey], m)
		ok := entityKey{entityhealth.KindOrganisation, d.OrganisationID}
		members[ok] = append(members[ok], m)
		orgOf[ok] = d.OrganisationID
		if d.GroupID != nil {
			gk := entityKey{entityhealth.KindGroup, *d.GroupID}
			members[gk] = append(members[gk], m)
			orgOf[gk] = d.OrganisationID
		}
	}
	prevRows, err := s.st.Ent.EntityHealth.Query().All(ctx)
	if err != nil {
		return fmt.Errorf("load entity health: %w", err)
	}
	prev := make(map[entityKey]*ent.EntityHealth, len(prevRows))
	for _, p := range prevRows {
		prev[entityKey{p.Kind, p.EntityID}] = p
	}
	return s.st.Tx(ctx, func(tx *store.Tx) error {
		var upserts []*ent.EntityHealthCreate
		var history []*ent.HealthHistoryCreate
		for key, ms := range members {
			agg := rollUp(ms, scores)
			worstJSON, err := json.Marshal(agg.worst)
			if err != nil {
				return fmt.Errorf("encode worst devices: %w", err)
			}
			var org *uuid.UUID
			if o, ok := orgOf[key]; ok {
				org = &o
			}
			upserts = append(upserts, tx.EntityHealth.Create().SetTenantID(tenantID).SetKind(key.kind).
				SetEntityID(key.id).SetNillableOrganisationID(org).SetScore(agg.Score).SetBand(string(agg.Band)).SetScored(agg.Scored).
				SetCoverage(agg.Coverage).SetFreshness(agg.Freshness).SetDeviceCount(len(ms)).SetCapReason(validate.Clip(agg.CapReason, 500)).
				SetNeedsAttention(agg.NeedsAttention).SetBands(bandCounts(agg.Bands)).SetWorst(worstJSON).SetComputedAt(now))
			p := prev[key]
			if p == nil || p.Score != agg.Score || analyzer.Band(p.Band) != agg.Band || p.Scored != agg.Scored {
				history = append(history, tx.HealthHistory.Create().SetTenantID(tenantID).SetKind(healthhistory.Kind(key.kind)).
					SetEntityID(key.id).SetNillableOrganisationID(org).SetScore(agg.Score).SetBand(string(agg.Band)).
					SetScored(agg.Scored).SetComputedAt(now))
			}
			if p != nil && p.Scored && agg.Scored && agg.Score < p.Score {
				if err := s.entityAlerts(ctx, tx, key.kind, key.id, org, p, &aggregation{Aggregate: agg.Aggregate, Members: ms}, now); err != nil {
					return err
				}
			}
		}
		for start := 0; start < len(upserts); start += 500 {
			end := min(start+500, len(upserts))
			err := tx.EntityHealth.CreateBulk(upserts[start:end]...).
				OnConflictColumns(entityhealth.FieldTenantID, entityhealth.FieldKind, entityhealth.FieldEntityID).
				UpdateNewValues().Exec(ctx)
			if err != nil {
				return fmt.Errorf("store entity health: %w", err)
			}
		}
		for start := 0; start < len(history); start += 500 {
			end := min(start+500, len(history))
			if err := tx.HealthHistory.CreateBulk(history[start:end]...).Exec(ctx); err != nil {
				return fmt.Errorf("record history: %w", err)
			}
		}
		return nil
	})
}
