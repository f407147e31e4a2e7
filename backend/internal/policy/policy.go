// Package policy stores check overrides and AI guidance per level (tenant,
// organisation, group, device), merges them for a device with the nearest
// level winning, audits every change, and queues re-analysis of the devices
// a change affects.
package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/policyaudit"
	"github.com/wegweiser/wegweiser/ent/policyguidance"
	"github.com/wegweiser/wegweiser/ent/policyoverride"
	"github.com/wegweiser/wegweiser/ent/predicate"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Level is where a policy is set, nearest last.
type Level string

// The levels, from farthest to nearest.
const (
	LevelTenant       Level = "tenant"
	LevelOrganisation Level = "organisation"
	LevelGroup        Level = "group"
	LevelDevice       Level = "device"
)

var precedence = map[policyoverride.Level]int{"tenant": 0, "organisation": 1, "group": 2, "device": 3}

// Scope names a level and its entity (the tenant's own id for the tenant).
type Scope struct {
	Level Level
	ID    uuid.UUID
}

// Service implements policy storage.
type Service struct {
	st   *store.Store
	jobs *jobs.Client
}

// NewService returns a policy service.
func NewService(st *store.Store, jc *jobs.Client) *Service { return &Service{st: st, jobs: jc} }

// resolve checks the viewer can see the scope's entity and returns its
// organisation (nil for the tenant) and the predicate of its devices.
func (s *Service) resolve(ctx context.Context, sc Scope) (Scope, *uuid.UUID, []predicate.Device, error) {
	v := viewer.FromContext(ctx)
	switch sc.Level {
	case LevelTenant:
		if sc.ID != uuid.Nil && sc.ID != v.TenantID {
			return sc, nil, nil, apperr.NotFound("tenant")
		}
		return Scope{Level: LevelTenant, ID: v.TenantID}, nil, nil, nil
	case LevelOrganisation:
		o, err := s.st.Ent.Organisation.Get(ctx, sc.ID)
		if err != nil {
			return sc, nil, nil, apperr.NotFoundIf(err, "organisation")
		}
		return sc, &o.ID, []predicate.Device{device.OrganisationID(o.ID)}, nil
	case LevelGroup:
		g, err := s.st.Ent.Group.Get(ctx, sc.ID)
		if err != nil {
			return sc, nil, nil, apperr.NotFoundIf(err, "group")
		}
		return sc, &g.OrganisationID, []predicate.Device{device.GroupID(g.ID)}, nil
	case LevelDevice:
		d, err := s.st.Ent.Device.Get(ctx, sc.ID)
		if err != nil {
			return sc, nil, nil, apperr.NotFoundIf(err, "device")
		}
		return sc, &d.OrganisationID, []predicate.Device{device.ID(d.ID)}, nil
	}
	return sc, nil, nil, apperr.Invalid("scope.level", "must be tenant, organisation, group or device")
}

// List returns the overrides and guidance set at exactly one level.
func (s *Service) List(ctx context.Context, sc Scope) ([]*ent.PolicyOverride, string, error) {
	sc, _, _, err := s.resolve(ctx, sc)
	if err != nil {
		return nil, "", err
	}
	ovs, err := s.st.Ent.PolicyOverride.Query().
		Where(policyoverride.LevelEQ(policyoverride.Level(sc.Level)), policyoverride.TargetID(sc.ID)).
		Order(ent.Asc(policyoverride.FieldCheckID)).All(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("list overrides: %w", err)
	}
	g, err := s.st.Ent.PolicyGuidance.Query().
		Where(policyguidance.LevelEQ(policyguidance.Level(sc.Level)), policyguidance.TargetID(sc.ID)).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, "", fmt.Errorf("load guidance: %w", err)
	}
	text := ""
	if g != nil {
		text = g.Text
	}
	return ovs, text, nil
}

// Effective is the merged policy of a device.
type Effective struct {
	Policy    analyzer.Policy
	Overrides []*ent.PolicyOverride // the winning override per check
	Guidance  []string              // tenant first
}

// ForDevice merges the overrides of the device's tenant, organisation, group
// and the device itself: for each check the nearest level wins.
func (s *Service) ForDevice(ctx context.Context, c *ent.Client, dev *ent.Device) (*Effective, error) {
	levels := []predicate.PolicyOverride{
		policyoverride.LevelEQ(policyoverride.LevelTenant),
		policyoverride.And(policyoverride.LevelEQ(policyoverride.LevelOrganisation), policyoverride.TargetID(dev.OrganisationID)),
		policyoverride.And(policyoverride.LevelEQ(policyoverride.LevelDevice), policyoverride.TargetID(dev.ID)),
	}
	if dev.GroupID != nil {
		levels = append(levels, policyoverride.And(policyoverride.LevelEQ(policyoverride.LevelGroup), policyoverride.TargetID(*dev.GroupID)))
	}
	ovs, err := c.PolicyOverride.Query().Where(policyoverride.Or(levels...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load overrides: %w", err)
	}
	win := map[string]*ent.PolicyOverride{}
	for _, o := range ovs {
		if cur, ok := win[o.CheckID]; !ok || precedence[o.Level] > precedence[cur.Level] {
			win[o.CheckID] = o
		}
	}
	eff := &Effective{Policy: analyzer.Policy{Overrides: map[string]analyzer.Override{}}}
	for _, info := range analyzer.Catalogue() {
		if o, ok := win[info.ID]; ok {
			eff.Overrides = append(eff.Overrides, o)
			eff.Policy.Overrides[o.CheckID] = toAnalyzer(o)
		}
	}
	gl := []predicate.PolicyGuidance{
		policyguidance.LevelEQ(policyguidance.LevelTenant),
		policyguidance.And(policyguidance.LevelEQ(policyguidance.LevelOrganisation), policyguidance.TargetID(dev.OrganisationID)),
		policyguidance.And(policyguidance.LevelEQ(policyguidance.LevelDevice), policyguidance.TargetID(dev.ID)),
	}
	if dev.GroupID != nil {
		gl = append(gl, policyguidance.And(policyguidance.LevelEQ(policyguidance.LevelGroup), policyguidance.TargetID(*dev.GroupID)))
	}
	gs, err := c.PolicyGuidance.Query().Where(policyguidance.Or(gl...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load guidance: %w", err)
	}
	for _, lvl := range []policyguidance.Level{"tenant", "organisation", "group", "device"} {
		for _, g := range gs {
			if g.Level == lvl && g.Text != "" {
				eff.Guidance = append(eff.Guidance, g.Text)
			}
		}
	}
	return eff, nil
}

func toAnalyzer(o *ent.PolicyOverride) analyzer.Override {
	out := analyzer.Override{CheckID: o.CheckID, Enabled: o.Enabled, Warn: o.Warn, Fail: o.Fail, Suppress: o.Suppress, Reason: o.Reason}
	if o.Severity != "" {
		sev := analyzer.Severity(o.Severity)
		out.Severity = &sev
	}
	return out
}

// Input describes an override.
type Input struct {
	CheckID    string
	Enabled    *bool
	Warn, Fail *float64
	Severity   string
	Suppress   bool
	Reason     string
}

func (in Input) validate() (analyzer.CheckInfo, error) {
	var info analyzer.CheckInfo
	found := false
	for _, c := range analyzer.Catalogue() {
		if c.ID == in.CheckID {
			info, found = c, true
		}
	}
	if !found {
		return info, apperr.Invalid("check_id", "unknown check %q (see HealthService.ListChecks)", in.CheckID)
	}
	if r := strings.TrimSpace(in.Reason); r == "" || utf8.RuneCountInString(r) > 500 {
		return info, apperr.Invalid("reason", "say why, in 1 to 500 characters")
	}
	if in.Severity != "" && !analyzer.ValidSeverity(analyzer.Severity(in.Severity)) {
		return info, apperr.Invalid("severity", "must be info, low, medium, high or critical")
	}
	for name, v := range map[string]*float64{"warn": in.Warn, "fail": in.Fail} {
		if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
			return info, apperr.Invalid(name, "must be a finite number")
		}
		if v != nil && info.Compare == "" {
			return info, apperr.Invalid(name, "check %s has no numeric threshold", in.CheckID)
		}
	}
	if in.Enabled == nil && in.Warn == nil && in.Fail == nil && in.Severity == "" && !in.Suppress {
		return info, apperr.Invalid("check_id", "the override changes nothing")
	}
	p := analyzer.Policy{Overrides: map[string]analyzer.Override{in.CheckID: toAnalyzer(&ent.PolicyOverride{
		CheckID: in.CheckID, Enabled: in.Enabled, Warn: in.Warn, Fail: in.Fail, Severity: in.Severity, Suppress: in.Suppress, Reason: in.Reason,
	})}}
	if err := p.Validate(); err != nil {
		return info, apperr.Invalid("warn", "%v", err)
	}
	return info, nil
}

// Set creates or replaces the override of one check at one level, audits
// it and queues re-analysis of the devices below the level.
func (s *Service) Set(ctx context.Context, sc Scope, in Input) (*ent.PolicyOverride, int, error) {
	sc, org, devs, err := s.resolve(ctx, sc)
	if err != nil {
		return nil, 0, err
	}
	if _, err := in.validate(); err != nil {
		return nil, 0, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	actor := s.actor(ctx)
	var out *ent.PolicyOverride
	var queued int
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		cur, err := tx.PolicyOverride.Query().Where(policyoverride.LevelEQ(policyoverride.Level(sc.Level)),
			policyoverride.TargetID(sc.ID), policyoverride.CheckID(in.CheckID)).Only(ctx)
		if err != nil && !ent.IsNotFound(err) {
			return fmt.Errorf("load override: %w", err)
		}
		if cur != nil {
			upd := tx.PolicyOverride.UpdateOneID(cur.ID).SetSeverity(in.Severity).SetSuppress(in.Suppress).SetReason(in.Reason).SetUpdatedBy(actor)
			upd.SetNillableEnabled(in.Enabled).SetNillableWarn(in.Warn).SetNillableFail(in.Fail)
			if in.Enabled == nil {
				upd.ClearEnabled()
			}
			if in.Warn == nil {
				upd.ClearWarn()
			}
			if in.Fail == nil {
				upd.ClearFail()
			}
			out, err = upd.Save(ctx)
		} else {
			out, err = tx.PolicyOverride.Create().SetTenantID(viewer.FromContext(ctx).TenantID).
				SetLevel(policyoverride.Level(sc.Level)).SetTargetID(sc.ID).SetNillableOrganisationID(org).
				SetCheckID(in.CheckID).SetNillableEnabled(in.Enabled).SetNillableWarn(in.Warn).SetNillableFail(in.Fail).
				SetSeverity(in.Severity).SetSuppress(in.Suppress).SetReason(in.Reason).SetUpdatedBy(actor).Save(ctx)
		}
		if err != nil {
			return fmt.Errorf("store override: %w", err)
		}
		detail, _ := json.Marshal(map[string]any{"enabled": in.Enabled, "warn": in.Warn, "fail": in.Fail, "severity": in.Severity, "suppress": in.Suppress})
		if err := s.audit(ctx, tx, "set", sc, org, in.CheckID, in.Reason, string(detail)); err != nil {
			return err
		}
		queued, err = s.reanalyse(ctx, tx, devs)
		return err
	})
	return out, queued, err
}

// Delete removes an override, audits it and queues re-analysis.
func (s *Service) Delete(ctx context.Context, id uuid.UUID, reason string) (int, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return 0, apperr.Invalid("reason", "say why, in 1 to 500 characters")
	}
	o, err := s.st.Ent.PolicyOverride.Get(ctx, id)
	if err != nil {
		return 0, apperr.NotFoundIf(err, "override")
	}
	sc, org, devs, err := s.resolve(ctx, Scope{Level: Level(o.Level), ID: o.TargetID})
	if err != nil {
		return 0, err
	}
	var queued int
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.PolicyOverride.DeleteOneID(id).Exec(ctx); err != nil {
			return apperr.NotFoundIf(err, "override")
		}
		if err := s.audit(ctx, tx, "delete", sc, org, o.CheckID, reason, ""); err != nil {
			return err
		}
		queued, err = s.reanalyse(ctx, tx, devs)
		return err
	})
	return queued, err
}

// SetGuidance stores (or, with empty text, removes) guidance at a level.
func (s *Service) SetGuidance(ctx context.Context, sc Scope, text string) error {
	sc, org, _, err := s.resolve(ctx, sc)
	if err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) > 4000 || !utf8.ValidString(text) {
		return apperr.Invalid("text", "must be valid text of at most 4000 characters")
	}
	actor := s.actor(ctx)
	return s.st.Tx(ctx, func(tx *store.Tx) error {
		where := []predicate.PolicyGuidance{policyguidance.LevelEQ(policyguidance.Level(sc.Level)), policyguidance.TargetID(sc.ID)}
		if text == "" {
			if _, err := tx.PolicyGuidance.Delete().Where(where...).Exec(ctx); err != nil {
				return fmt.Errorf("remove guidance: %w", err)
			}
		} else {
			err := tx.PolicyGuidance.Create().SetTenantID(viewer.FromContext(ctx).TenantID).SetLevel(policyguidance.Level(sc.Level)).
				SetTargetID(sc.ID).SetNillableOrganisationID(org).SetText(text).SetUpdatedBy(actor).
				OnConflictColumns(policyguidance.FieldTenantID, policyguidance.FieldLevel, policyguidance.FieldTargetID).
				UpdateNewValues().Exec(ctx)
			if err != nil {
				return fmt.Errorf("store guidance: %w", err)
			}
		}
		return s.audit(ctx, tx, "guidance", sc, org, "", "", text)
	})
}

// Audit lists policy changes, newest first.
func (s *Service) Audit(ctx context.Context, limit int) ([]*ent.PolicyAudit, error) {
	rows, err := s.st.Ent.PolicyAudit.Query().Order(ent.Desc(policyaudit.FieldCreatedAt), ent.Desc(policyaudit.FieldID)).Limit(limit).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list policy audit: %w", err)
	}
	return rows, nil
}

func (s *Service) audit(ctx context.Context, tx *store.Tx, action string, sc Scope, org *uuid.UUID, checkID, reason, detail string) error {
	v := viewer.FromContext(ctx)
	c := tx.PolicyAudit.Create().SetTenantID(v.TenantID).SetAction(action).SetLevel(string(sc.Level)).SetTargetID(sc.ID).
		SetNillableOrganisationID(org).SetCheckID(checkID).SetActor(s.actor(ctx)).SetReason(reason).SetDetail(detail)
	if v.UserID != uuid.Nil {
		c.SetActorID(v.UserID)
	}
	if err := c.Exec(ctx); err != nil {
		return fmt.Errorf("audit policy change: %w", err)
	}
	return audit.Record(ctx, tx, audit.Event{
		Action: audit.PolicyChange, TargetKind: string(sc.Level), TargetID: sc.ID, OrganisationID: org,
		TargetName: checkID, Detail: changeText(action, checkID, reason, detail),
	})
}

// changeText describes a policy change for the tenant's audit log, e.g.
// "set disk.free: {...} (reason: spare laptops)".
func changeText(action, checkID, reason, detail string) string {
	t := action
	if checkID != "" {
		t += " " + checkID
	}
	if detail != "" {
		t += ": " + detail
	}
	if reason != "" {
		t += " (reason: " + reason + ")"
	}
	return t
}

// actor is the email of the viewer, or "system".
func (s *Service) actor(ctx context.Context) string {
	v := viewer.FromContext(ctx)
	if v.UserID == uuid.Nil {
		return "system"
	}
	u, err := s.st.Ent.User.Get(ctx, v.UserID)
	if err != nil {
		return v.UserID.String()
	}
	return u.Email
}

// reanalyse queues analysis of the devices below a level, in tx.
func (s *Service) reanalyse(ctx context.Context, tx *store.Tx, devs []predicate.Device) (int, error) {
	ids, err := tx.Device.Query().Where(devs...).IDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("list devices: %w", err)
	}
	tenantID := viewer.FromContext(ctx).TenantID
	for _, id := range ids {
		if _, err := s.jobs.EnqueueTx(ctx, tx, jobs.Recompute(tenantID, id)); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// Effective returns the merged policy of a device the viewer can see.
func (s *Service) Effective(ctx context.Context, deviceID uuid.UUID) (*Effective, error) {
	d, err := s.st.Ent.Device.Get(ctx, deviceID)
	if err != nil {
		return nil, apperr.NotFoundIf(err, "device")
	}
	return s.ForDevice(ctx, s.st.Ent, d)
}
