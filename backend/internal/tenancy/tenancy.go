// Package tenancy manages the hierarchy inside a tenant: the tenant itself,
// its organisations and their groups. Every method acts for the viewer in
// the context; ent's privacy rules confine it to the viewer's tenant and
// organisation scope, so a foreign id is simply not found.
package tenancy

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/devicedata"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/pagetoken"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/group"
	"github.com/wegweiser/wegweiser/ent/organisation"
	"github.com/wegweiser/wegweiser/ent/tenant"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Service implements tenant, organisation and group operations.
type Service struct {
	st   *store.Store
	jobs *jobs.Client
}

// NewService returns a tenancy service; jc queues re-analysis and roll-ups
// after deletions.
func NewService(st *store.Store, jc *jobs.Client) *Service { return &Service{st: st, jobs: jc} }

// Overview is a tenant with the counts the caller can see.
type Overview struct {
	Tenant                         *ent.Tenant
	Organisations, Groups, Devices int
}

// Tenant returns the viewer's tenant with its branding.
func (s *Service) Tenant(ctx context.Context) (*ent.Tenant, error) {
	t, err := s.st.Ent.Tenant.Query().Where(tenant.ID(viewer.FromContext(ctx).TenantID)).WithBranding().Only(ctx)
	if err != nil {
		return nil, fmt.Errorf("get tenant: %w", err)
	}
	return t, nil
}

// GetTenant returns the viewer's tenant and its counts.
func (s *Service) GetTenant(ctx context.Context) (*Overview, error) {
	t, err := s.Tenant(ctx)
	if err != nil {
		return nil, err
	}
	o := &Overview{Tenant: t}
	if o.Organisations, err = s.st.Ent.Organisation.Query().Count(ctx); err != nil {
		return nil, fmt.Errorf("count organisations: %w", err)
	}
	if o.Groups, err = s.st.Ent.Group.Query().Count(ctx); err != nil {
		return nil, fmt.Errorf("count groups: %w", err)
	}
	if o.Devices, err = s.st.Ent.Device.Query().Where(devicedata.Active()).Count(ctx); err != nil {
		return nil, fmt.Errorf("count devices: %w", err)
	}
	return o, nil
}

// UpdateTenant renames the viewer's tenant.
func (s *Service) UpdateTenant(ctx context.Context, name string) (*ent.Tenant, error) {
	name, err := validate.Name("name", name)
	if err != nil {
		return nil, err
	}
	v := viewer.FromContext(ctx)
	var t *ent.Tenant
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		old, err := tx.Tenant.Get(ctx, v.TenantID)
		if err != nil {
			return apperr.NotFoundIf(err, "tenant")
		}
		if t, err = tx.Tenant.UpdateOneID(v.TenantID).SetName(name).Save(ctx); err != nil {
			return fmt.Errorf("rename tenant: %w", err)
		}
		if old.Name == name {
			return nil
		}
		return audit.Record(ctx, tx, audit.Event{Action: audit.TenantUpdate, TargetKind: "tenant", TargetID: t.ID,
			TargetName: name, Detail: "renamed from " + old.Name})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// OrganisationInfo is an organisation with its counts.
type OrganisationInfo struct {
	*ent.Organisation
	Groups, Devices int
}

// CreateOrganisation adds an organisation to the viewer's tenant.
func (s *Service) CreateOrganisation(ctx context.Context, name, description string) (*OrganisationInfo, error) {
	name, err := validate.Name("name", name)
	if err != nil {
		return nil, err
	}
	if description, err = validate.Description("description", description); err != nil {
		return nil, err
	}
	v := viewer.FromContext(ctx)
	var o *ent.Organisation
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := uniqueOrgName(ctx, tx, name, uuid.Nil); err != nil {
			return err
		}
		o, err = tx.Organisation.Create().SetTenantID(v.TenantID).SetName(name).SetDescription(description).Save(ctx)
		return err
	})
	if err != nil {
		return nil, orgConflict(err)
	}
	return &OrganisationInfo{Organisation: o}, nil
}

func uniqueOrgName(ctx context.Context, tx *store.Tx, name string, except uuid.UUID) error {
	q := tx.Organisation.Query().Where(organisation.NameEqualFold(name))
	if except != uuid.Nil {
		q = q.Where(organisation.IDNEQ(except))
	}
	// Scoped viewers must not learn of organisations outside their scope, but
	// only admins and owners (unscoped) can create or rename organisations.
	exists, err := q.Exist(ctx)
	if err != nil {
		return fmt.Errorf("check organisation name: %w", err)
	}
	if exists {
		return apperr.AlreadyExists("an organisation named %q already exists", name)
	}
	return nil
}

func orgConflict(err error) error {
	if ent.IsConstraintError(err) {
		return apperr.AlreadyExists("an organisation with this name already exists")
	}
	return err
}

// GetOrganisation returns one organisation with its counts.
func (s *Service) GetOrganisation(ctx context.Context, id uuid.UUID) (*OrganisationInfo, error) {
	o, err := s.st.Ent.Organisation.Get(ctx, id)
	if err != nil {
		return nil, apperr.NotFoundIf(err, "organisation")
	}
	infos, err := s.withCounts(ctx, []*ent.Organisation{o})
	if err != nil {
		return nil, err
	}
	return infos[0], nil
}

// ListOrganisations returns one page of organisations by name.
func (s *Service) ListOrganisations(ctx context.Context, pageSize int, token, query string) ([]*OrganisationInfo, string, error) {
	filter := "q=" + query
	cur, err := pagetoken.Decode(token, filter)
	if err != nil {
		return nil, "", err
	}
	q := s.st.Ent.Organisation.Query()
	if query != "" {
		q = q.Where(organisation.NameContainsFold(query))
	}
	if cur != nil {
		id, err := uuid.Parse(cur.ID)
		if err != nil {
			return nil, "", apperr.Invalid("page_token", "is malformed")
		}
		q = q.Where(pagetoken.After(organisation.FieldName, organisation.FieldID, cur.Key, id, false))
	}
	orgs, err := q.Order(ent.Asc(organisation.FieldName), ent.Asc(organisation.FieldID)).Limit(pageSize + 1).All(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("list organisations: %w", err)
	}
	next := ""
	if len(orgs) > pageSize {
		orgs = orgs[:pageSize]
		last := orgs[len(orgs)-1]
		next = pagetoken.Encode(pagetoken.Cursor{Key: last.Name, ID: last.ID.String(), Filter: filter})
	}
	infos, err := s.withCounts(ctx, orgs)
	return infos, next, err
}

// withCounts adds group and device counts with two grouped queries.
func (s *Service) withCounts(ctx context.Context, orgs []*ent.Organisation) ([]*OrganisationInfo, error) {
	out := make([]*OrganisationInfo, len(orgs))
	if len(orgs) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
		out[i] = &OrganisationInfo{Organisation: o}
	}
	type row struct {
		OrganisationID uuid.UUID `json:"organisation_id"`
		Count          int       `json:"count"`
	}
	var groups, devices []row
	if err := s.st.Ent.Group.Query().Where(group.OrganisationIDIn(ids...)).
		GroupBy(group.FieldOrganisationID).Aggregate(ent.Count()).Scan(ctx, &groups); err != nil {
		return nil, fmt.Errorf("count groups: %w", err)
	}
	if err := s.st.Ent.Device.Query().Where(device.OrganisationIDIn(ids...), devicedata.Active()).
		GroupBy(device.FieldOrganisationID).Aggregate(ent.Count()).Scan(ctx, &devices); err != nil {
		return nil, fmt.Errorf("count devices: %w", err)
	}
	idx := make(map[uuid.UUID]*OrganisationInfo, len(out))
	for _, o := range out {
		idx[o.ID] = o
	}
	for _, r := range groups {
		idx[r.OrganisationID].Groups = r.Count
	}
	for _, r := range devices {
		idx[r.OrganisationID].Devices = r.Count
	}
	return out, nil
}

// UpdateOrganisation renames and re-describes an organisation.
func (s *Service) UpdateOrganisation(ctx context.Context, id uuid.UUID, name, description string) (*OrganisationInfo, error) {
	name, err := validate.Name("name", name)
	if err != nil {
		return nil, err
	}
	if description, err = validate.Description("description", description); err != nil {
		return nil, err
	}
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Organisation.Get(ctx, id); err != nil {
			return apperr.NotFoundIf(err, "organisation")
		}
		if err := uniqueOrgName(ctx, tx, name, id); err != nil {
			return err
		}
		return tx.Organisation.UpdateOneID(id).SetName(name).SetDescription(description).Exec(ctx)
	})
	if err != nil {
		return nil, orgConflict(err)
	}
	return s.GetOrganisation(ctx, id)
}

// DeleteOrganisation removes an organisation; with force, its groups and
// devices go with it, in one transaction, together with every row that
// carries the organisation (software, event logs, snapshots, health,
// history, policy, notifications, enrolment keys). The tenant is rolled up
// again and the deletion is audited.
func (s *Service) DeleteOrganisation(ctx context.Context, id uuid.UUID, force bool) error {
	return s.st.Tx(ctx, func(tx *store.Tx) error {
		org, err := tx.Organisation.Get(ctx, id)
		if err != nil {
			return apperr.NotFoundIf(err, "organisation")
		}
		nd, err := tx.Device.Query().Where(device.OrganisationID(id)).Count(ctx)
		if err != nil {
			return fmt.Errorf("count devices: %w", err)
		}
		ng, err := tx.Group.Query().Where(group.OrganisationID(id)).Count(ctx)
		if err != nil {
			return fmt.Errorf("count groups: %w", err)
		}
		if (nd > 0 || ng > 0) && !force {
			return apperr.FailedPrecondition("organisation still has %d groups and %d devices; move them or delete with force", ng, nd)
		}
		if err := devicedata.PurgeOrganisation(ctx, tx, org.TenantID, id); err != nil {
			return err
		}
		if err := tx.Organisation.DeleteOneID(id).Exec(ctx); err != nil {
			return fmt.Errorf("delete organisation: %w", err)
		}
		err = audit.Record(ctx, tx, audit.Event{
			Action: audit.OrganisationDelete, TargetKind: "organisation", TargetID: id, TargetName: org.Name, OrganisationID: &id,
			Detail: fmt.Sprintf("with %d groups and %d devices", ng, nd),
		})
		if err != nil {
			return err
		}
		_, err = s.jobs.EnqueueTx(ctx, tx, jobs.RollUpArgs{TenantID: org.TenantID, EntityKind: "tenant", EntityID: org.TenantID})
		return err
	})
}

// GroupInfo is a group with its device count.
type GroupInfo struct {
	*ent.Group
	Devices int
}

// CreateGroup adds a group to an organisation the viewer can see.
func (s *Service) CreateGroup(ctx context.Context, orgID uuid.UUID, name, description string) (*GroupInfo, error) {
	name, err := validate.Name("name", name)
	if err != nil {
		return nil, err
	}
	if description, err = validate.Description("description", description); err != nil {
		return nil, err
	}
	v := viewer.FromContext(ctx)
	var g *ent.Group
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Organisation.Get(ctx, orgID); err != nil {
			return apperr.NotFoundIf(err, "organisation")
		}
		if err := uniqueGroupName(ctx, tx, orgID, name, uuid.Nil); err != nil {
			return err
		}
		g, err = tx.Group.Create().SetTenantID(v.TenantID).SetOrganisationID(orgID).SetName(name).SetDescription(description).Save(ctx)
		return err
	})
	if err != nil {
		return nil, groupConflict(err)
	}
	return &GroupInfo{Group: g}, nil
}

func uniqueGroupName(ctx context.Context, tx *store.Tx, orgID uuid.UUID, name string, except uuid.UUID) error {
	q := tx.Group.Query().Where(group.OrganisationID(orgID), group.NameEqualFold(name))
	if except != uuid.Nil {
		q = q.Where(group.IDNEQ(except))
	}
	exists, err := q.Exist(ctx)
	if err != nil {
		return fmt.Errorf("check group name: %w", err)
	}
	if exists {
		return apperr.AlreadyExists("a group named %q already exists in this organisation", name)
	}
	return nil
}

func groupConflict(err error) error {
	if ent.IsConstraintError(err) {
		return apperr.AlreadyExists("a group with this name already exists in this organisation")
	}
	return err
}

// GetGroup returns one group.
func (s *Service) GetGroup(ctx context.Context, id uuid.UUID) (*GroupInfo, error) {
	g, err := s.st.Ent.Group.Get(ctx, id)
	if err != nil {
		return nil, apperr.NotFoundIf(err, "group")
	}
	n, err := s.st.Ent.Device.Query().Where(device.GroupID(id), devicedata.Active()).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("count devices: %w", err)
	}
	return &GroupInfo{Group: g, Devices: n}, nil
}

// ListGroups returns one page of groups by name, optionally of one
// organisation.
func (s *Service) ListGroups(ctx context.Context, orgID uuid.UUID, pageSize int, token string) ([]*GroupInfo, string, error) {
	filter := "org=" + orgID.String()
	cur, err := pagetoken.Decode(token, filter)
	if err != nil {
		return nil, "", err
	}
	q := s.st.Ent.Group.Query()
	if orgID != uuid.Nil {
		if _, err := s.st.Ent.Organisation.Get(ctx, orgID); err != nil {
			return nil, "", apperr.NotFoundIf(err, "organisation")
		}
		q = q.Where(group.OrganisationID(orgID))
	}
	if cur != nil {
		id, err := uuid.Parse(cur.ID)
		if err != nil {
			return nil, "", apperr.Invalid("page_token", "is malformed")
		}
		q = q.Where(pagetoken.After(group.FieldName, group.FieldID, cur.Key, id, false))
	}
	groups, err := q.Order(ent.Asc(group.FieldName), ent.Asc(group.FieldID)).Limit(pageSize + 1).All(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("list groups: %w", err)
	}
	next := ""
	if len(groups) > pageSize {
		groups = groups[:pageSize]
		last := groups[len(groups)-1]
		next = pagetoken.Encode(pagetoken.Cursor{Key: last.Name, ID: last.ID.String(), Filter: filter})
	}
	out := make([]*GroupInfo, len(groups))
	if len(groups) == 0 {
		return out, next, nil
	}
	ids := make([]uuid.UUID, len(groups))
	for i, g := range groups {
		ids[i] = g.ID
	}
	var rows []struct {
		GroupID uuid.UUID `json:"group_id"`
		Count   int       `json:"count"`
	}
	if err := s.st.Ent.Device.Query().Where(device.GroupIDIn(ids...), devicedata.Active()).
		GroupBy(device.FieldGroupID).Aggregate(ent.Count()).Scan(ctx, &rows); err != nil {
		return nil, "", fmt.Errorf("count devices: %w", err)
	}
	counts := map[uuid.UUID]int{}
	for _, r := range rows {
		counts[r.GroupID] = r.Count
	}
	for i, g := range groups {
		out[i] = &GroupInfo{Group: g, Devices: counts[g.ID]}
	}
	return out, next, nil
}

// UpdateGroup renames and re-describes a group.
func (s *Service) UpdateGroup(ctx context.Context, id uuid.UUID, name, description string) (*GroupInfo, error) {
	name, err := validate.Name("name", name)
	if err != nil {
		return nil, err
	}
	if description, err = validate.Description("description", description); err != nil {
		return nil, err
	}
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		g, err := tx.Group.Get(ctx, id)
		if err != nil {
			return apperr.NotFoundIf(err, "group")
		}
		if err := uniqueGroupName(ctx, tx, g.OrganisationID, name, id); err != nil {
			return err
		}
		return tx.Group.UpdateOneID(id).SetName(name).SetDescription(description).Exec(ctx)
	})
	if err != nil {
		return nil, groupConflict(err)
	}
	return s.GetGroup(ctx, id)
}

// DeleteGroup removes a group; its devices stay in the organisation
// without a group. The group's health, history, policy, notifications and
// enrolment keys go with it; its former devices are re-analysed (group
// policy no longer applies), the organisation is rolled up again and the
// deletion is audited.
func (s *Service) DeleteGroup(ctx context.Context, id uuid.UUID) error {
	return s.st.Tx(ctx, func(tx *store.Tx) error {
		g, err := tx.Group.Get(ctx, id)
		if err != nil {
			return apperr.NotFoundIf(err, "group")
		}
		members, err := tx.Device.Query().Where(device.GroupID(id)).IDs(ctx)
		if err != nil {
			return fmt.Errorf("list devices: %w", err)
		}
		if err := devicedata.PurgeGroup(ctx, tx, g.TenantID, id); err != nil {
			return err
		}
		org := g.OrganisationID
		err = audit.Record(ctx, tx, audit.Event{
			Action: audit.GroupDelete, TargetKind: "group", TargetID: id, TargetName: g.Name, OrganisationID: &org,
			Detail: fmt.Sprintf("%d devices left without a group", len(members)),
		})
		if err != nil {
			return err
		}
		for _, d := range members {
			if _, err := s.jobs.EnqueueTx(ctx, tx, jobs.Recompute(g.TenantID, d)); err != nil {
				return err
			}
		}
		return s.jobs.EnqueueRollUps(ctx, tx, g.TenantID, nil, g.OrganisationID)
	})
}
