package transfer

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/csvsafe"
	"github.com/wegweiser/wegweiser/ent"
	entdevice "github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/group"
	"github.com/wegweiser/wegweiser/ent/organisation"
	"github.com/wegweiser/wegweiser/ent/preregistration"
)

// Device status in an export.
const (
	StatusEnrolled = "enrolled"
	StatusPending  = "pending"
)

// Export returns what the viewer can see of kind as CSV, limited to one
// organisation when orgID is set. Device files list enrolled devices
// (status "enrolled", with score, band and last check-in) and then the
// pre-registrations still waiting for their agent (status "pending").
func (s *Service) Export(ctx context.Context, kind Kind, orgID uuid.UUID) (*File, error) {
	if err := checkKind(kind); err != nil {
		return nil, err
	}
	c := s.st.Ent
	oq := c.Organisation.Query()
	if orgID != uuid.Nil {
		if _, err := c.Organisation.Get(ctx, orgID); err != nil {
			return nil, apperr.NotFoundIf(err, "organisation")
		}
		oq = oq.Where(organisation.ID(orgID))
	}
	orgs, err := oq.Order(ent.Asc(organisation.FieldName), ent.Asc(organisation.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("export organisations: %w", err)
	}
	orgName := make(map[uuid.UUID]string, len(orgs))
	orgIDs := make([]uuid.UUID, len(orgs))
	for i, o := range orgs {
		orgName[o.ID], orgIDs[i] = o.Name, o.ID
	}
	var rows [][]string
	switch kind {
	case KindOrganisations:
		for _, o := range orgs {
			rows = append(rows, []string{o.Name, o.Description})
		}
	case KindGroups:
		groups, err := c.Group.Query().Where(group.OrganisationIDIn(orgIDs...)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("export groups: %w", err)
		}
		for _, g := range groups {
			rows = append(rows, []string{orgName[g.OrganisationID], g.Name, g.Description})
		}
		sortRows(rows, 2)
	case KindDevices:
		if rows, err = s.deviceRows(ctx, c, orgIDs, orgName); err != nil {
			return nil, err
		}
	}
	header := kindColumns[kind].known
	if kind == KindDevices {
		header = append(slices.Clone(header), kindColumns[kind].ignored...)
	}
	return &File{
		Name:    fmt.Sprintf("wegweiser-%s-%s.csv", kind, s.now().UTC().Format(time.DateOnly)),
		Content: csvsafe.Write(header, rows),
		Rows:    len(rows),
	}, nil
}

// sortRows orders rows by their first n cells, case-insensitively.
func sortRows(rows [][]string, n int) {
	slices.SortStableFunc(rows, func(a, b []string) int {
		for i := range n {
			if c := strings.Compare(strings.ToLower(a[i]), strings.ToLower(b[i])); c != 0 {
				return c
			}
		}
		return 0
	})
}

func (s *Service) deviceRows(ctx context.Context, c *ent.Client, orgIDs []uuid.UUID, orgName map[uuid.UUID]string) ([][]string, error) {
	groups, err := c.Group.Query().Where(group.OrganisationIDIn(orgIDs...)).Select(group.FieldName).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("export groups: %w", err)
	}
	groupName := make(map[uuid.UUID]string, len(groups))
	for _, g := range groups {
		groupName[g.ID] = g.Name
	}
	nameOf := func(g *uuid.UUID) string {
		if g == nil {
			return ""
		}
		return groupName[*g]
	}
	devs, err := c.Device.Query().Where(entdevice.OrganisationIDIn(orgIDs...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("export devices: %w", err)
	}
	items, err := s.devices.Summaries(ctx, devs)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	for _, it := range items {
		d := it.Device
		score, band := "", it.Health.Band
		if it.Health.Scored {
			score = strconv.Itoa(it.Health.Score)
		}
		seen := ""
		if d.LastSeenAt != nil {
			seen = d.LastSeenAt.UTC().Format(time.RFC3339)
		}
		rows = append(rows, []string{orgName[d.OrganisationID], nameOf(d.GroupID), d.Hostname, d.SerialNumber,
			strings.Join(d.Tags, ";"), StatusEnrolled, score, band, seen})
	}
	sortRows(rows, 3)
	pres, err := c.Preregistration.Query().Where(preregistration.OrganisationIDIn(orgIDs...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("export pre-registrations: %w", err)
	}
	pending := make([][]string, 0, len(pres))
	for _, p := range pres {
		pending = append(pending, []string{orgName[p.OrganisationID], nameOf(p.GroupID), p.Hostname, p.SerialNumber,
			strings.Join(p.Tags, ";"), StatusPending, "", "", ""})
	}
	sortRows(pending, 4)
	return append(rows, pending...), nil
}
