package device

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect/sql"

	"github.com/wegweiser/wegweiser/ent"
	entdevice "github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/devicehealth"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// FirstScored returns the first device the viewer can see, by enrolment,
// that has reported and been scored, with its health; nil when there is
// none yet (the getting-started checklist waits for it).
func (s *Service) FirstScored(ctx context.Context) (*Item, error) {
	tenantID := viewer.FromContext(ctx).TenantID
	d, err := s.st.Ent.Device.Query().
		Where(func(sel *sql.Selector) {
			sel.Where(sql.In(sel.C(entdevice.FieldID), healthIDs(sel, tenantID, func(t *sql.SelectTable) *sql.Predicate {
				return sql.EQ(t.C(devicehealth.FieldScored), true)
			})))
		}).
		Order(entdevice.ByCreatedAt(), entdevice.ByID()).First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find the first scored device: %w", err)
	}
	items, err := s.Summaries(ctx, []*ent.Device{d})
	if err != nil {
		return nil, err
	}
	return &items[0], nil
}
