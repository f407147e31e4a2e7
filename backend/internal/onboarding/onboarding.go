// Package onboarding guides a new tenant through its first hour: the
// getting-started checklist, whose steps tick themselves from the tenant's
// data and stay ticked once seen done, and the guided tours of the SPA each
// user has seen. Every method acts for the viewer in the context.
package onboarding

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/device"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/aisettings"
	"github.com/wegweiser/wegweiser/ent/seentour"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Step names one step of the checklist (the key of its done time).
type Step string

// The steps, in the order the checklist shows them.
const (
	StepOrganisation    Step = "create_organisation"
	StepEnrolmentKey    Step = "create_enrolment_key"
	StepFirstDevice     Step = "first_device"
	StepInviteColleague Step = "invite_colleague"
	StepAlerts          Step = "set_up_alerts"
	StepAI              Step = "connect_ai"
)

// Definition says what a step is and where it is done.
type Definition struct {
	Step        Step
	Title       string
	Description string
	// ActionPath is the SPA path where the step is done.
	ActionPath string
	// Optional steps do not hold the checklist open.
	Optional bool
}

// Steps are the checklist's steps in order.
var Steps = []Definition{
	{StepOrganisation, "Create your first organisation",
		"Organisations are your customers; devices, groups and reports belong to one.", "/organisations", false},
	{StepEnrolmentKey, "Create an enrolment key",
		"A key lets the agent join an organisation; it is part of the install command.", "/enrolment", false},
	{StepFirstDevice, "Install the agent on a device",
		"Run the install command on a customer's machine; it reports and gets its health score within a minute.", "/enrolment", false},
	{StepInviteColleague, "Invite a colleague",
		"Technicians, admins or your customer's contact, each with the role they need.", "/users", false},
	{StepAlerts, "Set up alerts",
		"A webhook passes health alerts on to your ticketing or chat tool.", "/webhooks", false},
	{StepAI, "Connect an AI endpoint",
		"Optional: the built-in assistant answers without one; your own model writes richer narratives.", "/settings/ai", true},
}

// StepState is one step of a tenant's checklist.
type StepState struct {
	Definition
	Done bool
	// DoneAt is when the step was first seen done; nil while open.
	DoneAt *time.Time
}

// Checklist is the tenant's getting-started checklist as the viewer sees it.
type Checklist struct {
	Steps []StepState
	// Complete is true when every required step is done.
	Complete bool
	// Dismissed is true when an owner or admin hid it.
	Dismissed bool
	// FirstDevice is the first device that reported and was scored; nil
	// while waiting for it.
	FirstDevice *device.Item
}

// MaxSeenTours bounds the tours remembered per user: marking one more
// forgets the oldest, which then plays again on its page.
const MaxSeenTours = 50

var tourIDPattern = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)

// Service keeps checklists and seen tours.
type Service struct {
	st      *store.Store
	devices *device.Service
	now     func() time.Time
}

// NewService returns the onboarding service; devices finds the first
// scored device with its health.
func NewService(st *store.Store, devices *device.Service) *Service {
	return &Service{st: st, devices: devices, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func lockKey(tenantID uuid.UUID) string { return "onboarding:" + tenantID.String() }

// state returns the tenant's stored state, nil when there is none yet.
func state(ctx context.Context, c *ent.Client) (*ent.OnboardingState, error) {
	st, err := c.OnboardingState.Query().Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load onboarding state: %w", err)
	}
	return st, nil
}

// observe reports which steps the tenant's data shows done, as the viewer
// sees it, and the first scored device.
func (s *Service) observe(ctx context.Context) (map[Step]bool, *device.Item, error) {
	c := s.st.Ent
	done := map[Step]bool{}
	var err error
	if done[StepOrganisation], err = c.Organisation.Query().Exist(ctx); err != nil {
		return nil, nil, fmt.Errorf("look for organisations: %w", err)
	}
	// Revoked and expired keys count: a key was made.
	if done[StepEnrolmentKey], err = c.EnrolmentKey.Query().Exist(ctx); err != nil {
		return nil, nil, fmt.Errorf("look for enrolment keys: %w", err)
	}
	first, err := s.devices.FirstScored(ctx)
	if err != nil {
		return nil, nil, err
	}
	done[StepFirstDevice] = first != nil
	// Another member, or an invitation still pending, besides the first.
	members, err := c.Membership.Query().Count(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("count members: %w", err)
	}
	done[StepInviteColleague] = members > 1
	if done[StepAlerts], err = c.Webhook.Query().Exist(ctx); err != nil {
		return nil, nil, fmt.Errorf("look for webhooks: %w", err)
	}
	if done[StepAI], err = c.AISettings.Query().Where(aisettings.Enabled(true)).Exist(ctx); err != nil {
		return nil, nil, fmt.Errorf("look for an AI endpoint: %w", err)
	}
	return done, first, nil
}

// Get returns the checklist. A step the data shows done for the first time
// gets its done time recorded, so it stays done afterwards (deleting the
// only organisation does not reopen it).
func (s *Service) Get(ctx context.Context) (*Checklist, error) {
	row, err := state(ctx, s.st.Ent)
	if err != nil {
		return nil, err
	}
	live, first, err := s.observe(ctx)
	if err != nil {
		return nil, err
	}
	var newly []Step
	for _, d := range Steps {
		if _, ok := stepsDone(row)[string(d.Step)]; live[d.Step] && !ok {
			newly = append(newly, d.Step)
		}
	}
	if len(newly) > 0 {
		if row, err = s.update(ctx, func(u *ent.OnboardingState) (bool, map[string]time.Time) {
			done := stepsDone(u)
			changed := false
			for _, step := range newly {
				if _, ok := done[string(step)]; !ok {
					done[string(step)] = s.now()
					changed = true
				}
			}
			return changed, done
		}, nil); err != nil {
			return nil, err
		}
	}
	return build(row, live, first), nil
}

// Dismiss hides the checklist for everyone in the tenant, or shows it again
// (dismissed false). The guard lets only onboarding.manage through.
func (s *Service) Dismiss(ctx context.Context, dismissed bool) (*Checklist, error) {
	if _, err := s.update(ctx, func(*ent.OnboardingState) (bool, map[string]time.Time) { return false, nil }, &dismissed); err != nil {
		return nil, err
	}
	return s.Get(ctx)
}

// update changes the tenant's state under the tenant's onboarding lock:
// merge returns whether the done times changed and the new ones (it sees
// the row read under the lock, nil when there is none); dismissed, when
// set, replaces the dismissal.
func (s *Service) update(ctx context.Context, merge func(*ent.OnboardingState) (bool, map[string]time.Time), dismissed *bool) (*ent.OnboardingState, error) {
	tenantID := viewer.FromContext(ctx).TenantID
	var out *ent.OnboardingState
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, lockKey(tenantID)); err != nil {
			return err
		}
		row, err := state(ctx, tx.Client)
		if err != nil {
			return err
		}
		changed, done := merge(row)
		if !changed {
			done = stepsDone(row)
		}
		if row == nil {
			c := tx.OnboardingState.Create().SetTenantID(tenantID).SetStepsDone(done).SetUpdatedAt(s.now())
			if dismissed != nil {
				c.SetDismissed(*dismissed)
			}
			out, err = c.Save(ctx)
		} else {
			if !changed && (dismissed == nil || *dismissed == row.Dismissed) {
				out = row
				return nil
			}
			u := row.Update().SetStepsDone(done).SetUpdatedAt(s.now())
			if dismissed != nil {
				u.SetDismissed(*dismissed)
			}
			out, err = u.Save(ctx)
		}
		if err != nil {
			return fmt.Errorf("save onboarding state: %w", err)
		}
		return nil
	})
	return out, err
}

// stepsDone returns a copy of the recorded done times (empty without a row).
func stepsDone(row *ent.OnboardingState) map[string]time.Time {
	out := map[string]time.Time{}
	if row != nil {
		for k, v := range row.StepsDone {
			out[k] = v
		}
	}
	return out
}

// build puts the checklist together from the stored state and what the
// data shows now.
func build(row *ent.OnboardingState, live map[Step]bool, first *device.Item) *Checklist {
	done := stepsDone(row)
	out := &Checklist{Complete: true, Dismissed: row != nil && row.Dismissed, FirstDevice: first}
	for _, d := range Steps {
		st := StepState{Definition: d}
		if at, ok := done[string(d.Step)]; ok {
			st.Done, st.DoneAt = true, &at
		} else if live[d.Step] {
			st.Done = true // recorded by a concurrent call
		}
		if !st.Done && !d.Optional {
			out.Complete = false
		}
		out.Steps = append(out.Steps, st)
	}
	return out
}

// ValidTourID checks a tour id: 1 to 64 characters of a-z, 0-9 and "-".
func ValidTourID(field, id string) error {
	if !tourIDPattern.MatchString(id) {
		return apperr.Invalid(field, "must be 1 to 64 characters of a-z, 0-9 and -")
	}
	return nil
}

// SeenTours lists the tours the viewer finished or skipped, oldest first.
func (s *Service) SeenTours(ctx context.Context) ([]string, error) {
	v := viewer.FromContext(ctx)
	ids, err := s.st.Ent.SeenTour.Query().Where(seentour.UserID(v.UserID)).
		Order(ent.Asc(seentour.FieldCreatedAt), ent.Asc(seentour.FieldID)).Limit(MaxSeenTours).
		Select(seentour.FieldTourID).Strings(ctx)
	if err != nil {
		return nil, fmt.Errorf("list seen tours: %w", err)
	}
	return ids, nil
}

// MarkTourSeen records that the viewer finished or skipped tourID, or
// forgets it (seen false) so it plays again. At most MaxSeenTours are kept
// per user: the oldest are forgotten first.
func (s *Service) MarkTourSeen(ctx context.Context, tourID string, seen bool) error {
	if err := ValidTourID("tour_id", tourID); err != nil {
		return err
	}
	v := viewer.FromContext(ctx)
	if v.UserID == uuid.Nil {
		return apperr.PermissionDenied("tours are remembered for users")
	}
	return s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, "tours:"+v.TenantID.String()+":"+v.UserID.String()); err != nil {
			return err
		}
		mine := seentour.UserID(v.UserID)
		if !seen {
			if _, err := tx.SeenTour.Delete().Where(mine, seentour.TourID(tourID)).Exec(ctx); err != nil {
				return fmt.Errorf("forget tour: %w", err)
			}
			return nil
		}
		exists, err := tx.SeenTour.Query().Where(mine, seentour.TourID(tourID)).Exist(ctx)
		if err != nil || exists {
			return err
		}
		kept, err := tx.SeenTour.Query().Where(mine).
			Order(ent.Desc(seentour.FieldCreatedAt), ent.Desc(seentour.FieldID)).IDs(ctx)
		if err != nil {
			return fmt.Errorf("list seen tours: %w", err)
		}
		if len(kept) >= MaxSeenTours {
			old := kept[MaxSeenTours-1:]
			if _, err := tx.SeenTour.Delete().Where(seentour.IDIn(old...)).Exec(ctx); err != nil {
				return fmt.Errorf("forget old tours: %w", err)
			}
		}
		if err := tx.SeenTour.Create().SetTenantID(v.TenantID).SetUserID(v.UserID).SetTourID(tourID).SetCreatedAt(s.now()).Exec(ctx); err != nil {
			return fmt.Errorf("record tour: %w", err)
		}
		return nil
	})
}
