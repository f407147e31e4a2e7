// Package memory keeps the facts technicians teach the assistant ("SRV-01
// is the domain controller; event 1014 there is expected"), each scoped to
// an entity with its provenance: who taught it, when, and in which
// conversation. Conversations at that entity and below it use them.
package memory

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/ai/scope"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/devicedata"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/conversation"
	entmemory "github.com/wegweiser/wegweiser/ent/memory"
	"github.com/wegweiser/wegweiser/ent/predicate"
	"github.com/wegweiser/wegweiser/ent/user"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// MaxTextLen bounds a memory's text.
const MaxTextLen = 1000

// Memory is a taught fact.
type Memory struct {
	ID uuid.UUID
	// Scope is the entity it is about and ScopeName its name.
	Scope     health.Ref
	ScopeName string
	Text      string
	// CreatedBy is who taught it and CreatedByName their display name.
	CreatedBy     uuid.UUID
	CreatedByName string
	CreatedAt     time.Time
	// ConversationID is the conversation it was taught in; uuid.Nil when
	// it was added on the memory page.
	ConversationID uuid.UUID
}

// Service stores and reads memories as the viewer in the context.
type Service struct {
	st *store.Store
}

// NewService returns the memory service.
func NewService(st *store.Store) *Service { return &Service{st: st} }

// CheckText trims text and checks it is 1 to MaxTextLen characters.
func CheckText(field, text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", apperr.Invalid(field, "must not be empty")
	}
	if utf8.RuneCountInString(text) > MaxTextLen {
		return "", apperr.Invalid(field, "must be at most %d characters", MaxTextLen)
	}
	if !utf8.ValidString(text) {
		return "", apperr.Invalid(field, "must be valid UTF-8")
	}
	return text, nil
}

// Create teaches a fact about ref. conversationID, when not uuid.Nil, must
// be one of the caller's conversations.
func (s *Service) Create(ctx context.Context, ref health.Ref, text string, conversationID uuid.UUID) (Memory, error) {
	text, err := CheckText("text", text)
	if err != nil {
		return Memory{}, err
	}
	e, err := scope.Resolve(ctx, s.st.Ent, ref)
	if err != nil {
		return Memory{}, err
	}
	if conversationID != uuid.Nil {
		v := viewer.FromContext(ctx)
		ok, err := s.st.Ent.Conversation.Query().
			Where(conversation.ID(conversationID), conversation.UserID(v.UserID)).Exist(ctx)
		if err != nil {
			return Memory{}, fmt.Errorf("load conversation: %w", err)
		}
		if !ok {
			return Memory{}, apperr.NotFound("conversation")
		}
	}
	var m *ent.Memory
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		m, err = CreateTx(ctx, tx, e, text, conversationID)
		return err
	})
	if err != nil {
		return Memory{}, err
	}
	return s.view(ctx, m, e.Name)
}

// CreateTx stores a fact about the resolved entity e in tx, as the viewer
// in ctx. For a device it takes the device lock and stores the device's
// organisation as it is under the lock, so a move cannot leave the memory
// behind.
func CreateTx(ctx context.Context, tx *store.Tx, e scope.Entity, text string, conversationID uuid.UUID) (*ent.Memory, error) {
	v := viewer.FromContext(ctx)
	org, err := LockedOrganisation(ctx, tx, e)
	if err != nil {
		return nil, err
	}
	c := tx.Memory.Create().SetTenantID(v.TenantID).
		SetScopeKind(entmemory.ScopeKind(e.Ref.Kind)).SetScopeID(e.Ref.ID).
		SetNillableOrganisationID(org).SetText(text).SetCreatedBy(v.UserID)
	if conversationID != uuid.Nil {
		c.SetConversationID(conversationID)
	}
	m, err := c.Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("store memory: %w", err)
	}
	return m, nil
}

// LockedOrganisation returns e's organisation as it is now: for a device it
// takes the device lock in tx and reads the device again (not_found when it
// was deleted meanwhile).
func LockedOrganisation(ctx context.Context, tx *store.Tx, e scope.Entity) (*uuid.UUID, error) {
	if e.Ref.Kind != health.KindDevice {
		return e.OrganisationID, nil
	}
	if err := tx.Lock(ctx, devicedata.LockKey(e.Ref.ID)); err != nil {
		return nil, err
	}
	d, err := tx.Device.Get(ctx, e.Ref.ID)
	if err != nil {
		return nil, apperr.NotFoundIf(err, "device")
	}
	return &d.OrganisationID, nil
}

// Delete forgets a memory.
func (s *Service) Delete(ctx context.Context, id uuid.UUID) error {
	n, err := s.st.Ent.Memory.Delete().Where(entmemory.ID(id)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete memory: %w", err)
	}
	if n == 0 {
		return apperr.NotFound("memory")
	}
	return nil
}

// List returns the memories of ref, newest first; with inherited, also
// those of the entities above it, the nearest entity first.
func (s *Service) List(ctx context.Context, ref health.Ref, inherited bool) ([]Memory, error) {
	e, err := scope.Resolve(ctx, s.st.Ent, ref)
	if err != nil {
		return nil, err
	}
	return s.ForEntity(ctx, e, inherited)
}

// ForEntity returns the memories of the resolved entity e (and, with
// inherited, of the entities above it), the nearest entity first and newest
// first within it. Memories of entities the viewer cannot see are left out
// by the privacy rules.
func (s *Service) ForEntity(ctx context.Context, e scope.Entity, inherited bool) ([]Memory, error) {
	chain := []health.Ref{e.Ref}
	if inherited {
		chain = e.Chain()
	}
	var preds []predicate.Memory
	for _, r := range chain {
		preds = append(preds, entmemory.And(entmemory.ScopeKindEQ(entmemory.ScopeKind(r.Kind)), entmemory.ScopeID(r.ID)))
	}
	rows, err := s.st.Ent.Memory.Query().Where(entmemory.Or(preds...)).
		Order(ent.Desc(entmemory.FieldCreatedAt), ent.Desc(entmemory.FieldID)).Limit(500).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list memories: %w", err)
	}
	names, err := s.names(ctx, rows)
	if err != nil {
		return nil, err
	}
	out := make([]Memory, 0, len(rows))
	for _, r := range chain {
		name := ""
		for _, m := range rows {
			if string(m.ScopeKind) != string(r.Kind) || m.ScopeID != r.ID {
				continue
			}
			if name == "" {
				name = e.Name
				if r != e.Ref {
					if n, err := scope.Resolve(ctx, s.st.Ent, r); err == nil {
						name = n.Name
					}
				}
			}
			out = append(out, toMemory(m, name, names[m.CreatedBy]))
		}
	}
	return out, nil
}

// names returns the display names (or emails) of the memories' authors.
func (s *Service) names(ctx context.Context, rows []*ent.Memory) (map[uuid.UUID]string, error) {
	ids := map[uuid.UUID]bool{}
	for _, m := range rows {
		ids[m.CreatedBy] = true
	}
	out := map[uuid.UUID]string{}
	if len(ids) == 0 {
		return out, nil
	}
	list := make([]uuid.UUID, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	users, err := s.st.Ent.User.Query().Where(user.IDIn(list...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load authors: %w", err)
	}
	for _, u := range users {
		out[u.ID] = u.DisplayName
		if u.DisplayName == "" {
			out[u.ID] = u.Email
		}
	}
	return out, nil
}

func (s *Service) view(ctx context.Context, m *ent.Memory, scopeName string) (Memory, error) {
	names, err := s.names(ctx, []*ent.Memory{m})
	if err != nil {
		return Memory{}, err
	}
	return toMemory(m, scopeName, names[m.CreatedBy]), nil
}

func toMemory(m *ent.Memory, scopeName, author string) Memory {
	out := Memory{
		ID: m.ID, Scope: health.Ref{Kind: health.Kind(m.ScopeKind), ID: m.ScopeID}, ScopeName: scopeName,
		Text: m.Text, CreatedBy: m.CreatedBy, CreatedByName: author, CreatedAt: m.CreatedAt,
	}
	if m.ConversationID != nil {
		out.ConversationID = *m.ConversationID
	}
	return out
}
