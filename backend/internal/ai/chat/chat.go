// Package chat is the assistant's conversation engine. For a question in a
// conversation about a device, group, organisation or the tenant it
// assembles the context (the rules, the entity, the memories of it and of
// the entities above it, the conversation so far or its summary), lets the
// tenant's model call the read-only tools as the caller within the
// conversation's scope, numbers the records the tools returned so the
// answer can cite them, and stores the question and the answer together
// once the answer is complete. Without a model the built-in answerer
// answers from the same tools.
package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/ai/builtin"
	"github.com/wegweiser/wegweiser/backend/internal/ai/memory"
	"github.com/wegweiser/wegweiser/backend/internal/ai/scope"
	"github.com/wegweiser/wegweiser/backend/internal/ai/tools"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/pagetoken"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/chatmessage"
	"github.com/wegweiser/wegweiser/ent/conversation"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Limits of the conversation API.
const (
	MaxQuestionLen = 4000
	MaxTitleLen    = 200
	MaxCommentLen  = 2000
	// DefaultSummaryBudget is the estimated size, in tokens, past which the
	// older messages of a conversation are summarised.
	DefaultSummaryBudget = 6000
	// DefaultMaxRounds bounds the model calls of one answer.
	DefaultMaxRounds = 5
	// keepRecent is how many of the latest messages are never summarised.
	keepRecent = 4
)

// RememberPrefix starts a message that teaches a fact instead of asking.
const RememberPrefix = "Remember:"

// Answerer answers without a language model (builtin.Answerer).
type Answerer interface {
	Answer(ctx context.Context, scope health.Ref, question string, memories []string) (builtin.Answer, error)
}

// Options configure the engine.
type Options struct {
	// Resolver picks the tenant's model and keeps its budget.
	Resolver ai.Resolver
	// Tools are the read-only tools the model may call.
	Tools []tools.Tool
	// Builtin answers when the tenant has no model.
	Builtin Answerer
	// CanTeach returns nil when the viewer in ctx may teach the assistant
	// (ai.write), permission_denied otherwise.
	CanTeach func(ctx context.Context) error
	// SummaryBudget is the estimated token size past which older messages
	// are summarised (default DefaultSummaryBudget).
	SummaryBudget int
	// MaxRounds bounds the model calls of one answer (default
	// DefaultMaxRounds).
	MaxRounds int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Service runs conversations as the viewer in the context.
type Service struct {
	st       *store.Store
	memories *memory.Service
	opts     Options
}

// NewService returns the engine.
func NewService(st *store.Store, memories *memory.Service, opts Options) *Service {
	if opts.Resolver == nil {
		opts.Resolver = ai.Static{}
	}
	if opts.SummaryBudget <= 0 {
		opts.SummaryBudget = DefaultSummaryBudget
	}
	if opts.MaxRounds <= 0 {
		opts.MaxRounds = DefaultMaxRounds
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Builtin == nil {
		opts.Builtin = builtin.New(opts.Tools)
	}
	if opts.CanTeach == nil {
		opts.CanTeach = func(context.Context) error { return nil }
	}
	return &Service{st: st, memories: memories, opts: opts}
}

// Conversation is a conversation as shown to its user.
type Conversation struct {
	ID           uuid.UUID
	Scope        health.Ref
	ScopeName    string
	Title        string
	MessageCount int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Summarised is true when earlier messages were summarised.
	Summarised bool
}

// Citation links a number of an answer to a record a tool returned.
type Citation struct {
	Number int          `json:"number"`
	Record tools.Record `json:"record"`
}

// Usage is what an answer cost.
type Usage struct {
	PromptTokens, CompletionTokens int64
	Model                          string
	Builtin                        bool
	LatencyMS                      int64
}

// Message is a question or an answer.
type Message struct {
	ID        uuid.UUID
	Role      string // "user" or "assistant"
	Text      string
	Citations []Citation
	Tools     []tools.Activity
	Usage     Usage
	Feedback  string // "none", "helpful" or "wrong"
	CreatedAt time.Time
}

// Event is one event of an answer as it is written; exactly one field is
// set.
type Event struct {
	Question  *Message
	TextDelta string
	Tool      *tools.Activity
	Citation  *Citation
	Answer    *Message
}

// CheckTitle trims a title and checks its length (empty allowed when
// optional).
func CheckTitle(field, title string, optional bool) (string, error) {
	title = strings.TrimSpace(title)
	if title == "" && !optional {
		return "", apperr.Invalid(field, "must not be empty")
	}
	if utf8.RuneCountInString(title) > MaxTitleLen {
		return "", apperr.Invalid(field, "must be at most %d characters", MaxTitleLen)
	}
	if !utf8.ValidString(title) || strings.ContainsAny(title, "\x00\r\n\t") {
		return "", apperr.Invalid(field, "must be one line of text")
	}
	return title, nil
}

// Create starts a conversation about ref.
func (s *Service) Create(ctx context.Context, ref health.Ref, title string) (Conversation, error) {
	title, err := CheckTitle("title", title, true)
	if err != nil {
		return Conversation{}, err
	}
	e, err := scope.Resolve(ctx, s.st.Ent, ref)
	if err != nil {
		return Conversation{}, err
	}
	v := viewer.FromContext(ctx)
	var c *ent.Conversation
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		org, err := memory.LockedOrganisation(ctx, tx, e)
		if err != nil {
			return err
		}
		now := s.opts.Now().UTC()
		c, err = tx.Conversation.Create().SetTenantID(v.TenantID).SetUserID(v.UserID).
			SetScopeKind(conversation.ScopeKind(e.Ref.Kind)).SetScopeID(e.Ref.ID).
			SetNillableOrganisationID(org).SetTitle(title).SetCreatedAt(now).SetUpdatedAt(now).Save(ctx)
		if err != nil {
			return fmt.Errorf("store conversation: %w", err)
		}
		return nil
	})
	if err != nil {
		return Conversation{}, err
	}
	return toConversation(c, e.Name), nil
}

// load returns one of the viewer's own conversations: another user's (or
// another tenant's) is not found.
func (s *Service) load(ctx context.Context, c *ent.Client, id uuid.UUID) (*ent.Conversation, error) {
	v := viewer.FromContext(ctx)
	row, err := c.Conversation.Query().Where(conversation.ID(id), conversation.UserID(v.UserID)).Only(ctx)
	if err != nil {
		return nil, apperr.NotFoundIf(err, "conversation")
	}
	return row, nil
}

// name returns the name of a conversation's entity ("" when it is gone).
func (s *Service) name(ctx context.Context, c *ent.Conversation) string {
	e, err := scope.Resolve(ctx, s.st.Ent, refOf(c))
	if err != nil {
		return ""
	}
	return e.Name
}

// List returns the viewer's conversations, newest first, optionally only
// those about ref.
func (s *Service) List(ctx context.Context, ref *health.Ref, pageSize int, token string) ([]Conversation, string, error) {
	v := viewer.FromContext(ctx)
	filter := "all"
	q := s.st.Ent.Conversation.Query().Where(conversation.UserID(v.UserID))
	if ref != nil {
		e, err := scope.Resolve(ctx, s.st.Ent, *ref)
		if err != nil {
			return nil, "", err
		}
		filter = string(e.Ref.Kind) + ":" + e.Ref.ID.String()
		q = q.Where(conversation.ScopeKindEQ(conversation.ScopeKind(e.Ref.Kind)), conversation.ScopeID(e.Ref.ID))
	}
	cur, err := pagetoken.Decode(token, filter)
	if err != nil {
		return nil, "", err
	}
	if cur != nil {
		t, err1 := time.Parse(time.RFC3339Nano, cur.Key)
		id, err2 := uuid.Parse(cur.ID)
		if err1 != nil || err2 != nil {
			return nil, "", apperr.Invalid("page_token", "is malformed")
		}
		q = q.Where(pagetoken.After(conversation.FieldCreatedAt, conversation.FieldID, t, id, true))
	}
	rows, err := q.Order(ent.Desc(conversation.FieldCreatedAt), ent.Desc(conversation.FieldID)).Limit(pageSize + 1).All(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("list conversations: %w", err)
	}
	next := ""
	if len(rows) > pageSize {
		rows = rows[:pageSize]
		last := rows[len(rows)-1]
		next = pagetoken.Encode(pagetoken.Cursor{Key: last.CreatedAt.UTC().Format(time.RFC3339Nano), ID: last.ID.String(), Filter: filter})
	}
	names := map[health.Ref]string{}
	out := make([]Conversation, 0, len(rows))
	for _, r := range rows {
		ref := refOf(r)
		n, ok := names[ref]
		if !ok {
			n = s.name(ctx, r)
			names[ref] = n
		}
		out = append(out, toConversation(r, n))
	}
	return out, next, nil
}

// Get returns one of the viewer's conversations with its messages, oldest
// first.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (Conversation, []Message, error) {
	c, err := s.load(ctx, s.st.Ent, id)
	if err != nil {
		return Conversation{}, nil, err
	}
	rows, err := s.st.Ent.ChatMessage.Query().Where(chatmessage.ConversationID(c.ID)).
		Order(ent.Asc(chatmessage.FieldCreatedAt), ent.Asc(chatmessage.FieldID)).All(ctx)
	if err != nil {
		return Conversation{}, nil, fmt.Errorf("load messages: %w", err)
	}
	msgs := make([]Message, 0, len(rows))
	for _, r := range rows {
		m, err := toMessage(r)
		if err != nil {
			return Conversation{}, nil, err
		}
		msgs = append(msgs, m)
	}
	return toConversation(c, s.name(ctx, c)), msgs, nil
}

// Rename sets a conversation's title.
func (s *Service) Rename(ctx context.Context, id uuid.UUID, title string) (Conversation, error) {
	title, err := CheckTitle("title", title, false)
	if err != nil {
		return Conversation{}, err
	}
	c, err := s.load(ctx, s.st.Ent, id)
	if err != nil {
		return Conversation{}, err
	}
	c, err = c.Update().SetTitle(title).Save(ctx)
	if err != nil {
		return Conversation{}, apperr.NotFoundIf(err, "conversation")
	}
	return toConversation(c, s.name(ctx, c)), nil
}

// Delete deletes a conversation and its messages; memories taught in it
// stay.
func (s *Service) Delete(ctx context.Context, id uuid.UUID) error {
	return s.st.Tx(ctx, func(tx *store.Tx) error {
		c, err := s.load(ctx, tx.Client, id)
		if err != nil {
			return err
		}
		if _, err := tx.ChatMessage.Delete().Where(chatmessage.ConversationID(c.ID)).Exec(ctx); err != nil {
			return fmt.Errorf("delete messages: %w", err)
		}
		if err := tx.Conversation.DeleteOneID(c.ID).Exec(ctx); err != nil {
			return apperr.NotFoundIf(err, "conversation")
		}
		return nil
	})
}

// Feedback rates an answer of one of the viewer's conversations
// ("none", "helpful" or "wrong").
func (s *Service) Feedback(ctx context.Context, messageID uuid.UUID, feedback, comment string) error {
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > MaxCommentLen {
		return apperr.Invalid("comment", "must be at most %d characters", MaxCommentLen)
	}
	if !utf8.ValidString(comment) {
		return apperr.Invalid("comment", "must be valid UTF-8")
	}
	fb := chatmessage.Feedback(feedback)
	if err := chatmessage.FeedbackValidator(fb); err != nil {
		return apperr.Invalid("feedback", "must be helpful, wrong or unspecified")
	}
	m, err := s.st.Ent.ChatMessage.Get(ctx, messageID)
	if err != nil {
		return apperr.NotFoundIf(err, "message")
	}
	if _, err := s.load(ctx, s.st.Ent, m.ConversationID); err != nil {
		if apperr.Is(err, apperr.KindNotFound) {
			return apperr.NotFound("message")
		}
		return err
	}
	if m.Role != chatmessage.RoleAssistant {
		return apperr.Invalid("message_id", "must name an answer, not a question")
	}
	if err := m.Update().SetFeedback(fb).SetFeedbackComment(comment).Exec(ctx); err != nil {
		return fmt.Errorf("store feedback: %w", err)
	}
	return nil
}

func refOf(c *ent.Conversation) health.Ref {
	return health.Ref{Kind: health.Kind(c.ScopeKind), ID: c.ScopeID}
}

func toConversation(c *ent.Conversation, name string) Conversation {
	return Conversation{
		ID: c.ID, Scope: refOf(c), ScopeName: name, Title: c.Title, MessageCount: c.MessageCount,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Summarised: c.SummarisedUpTo != nil,
	}
}

func toMessage(r *ent.ChatMessage) (Message, error) {
	m := Message{
		ID: r.ID, Role: string(r.Role), Text: r.Text, Feedback: string(r.Feedback), CreatedAt: r.CreatedAt,
		Usage: Usage{PromptTokens: r.PromptTokens, CompletionTokens: r.CompletionTokens, Model: r.Model, Builtin: r.Builtin, LatencyMS: r.LatencyMs},
	}
	if len(r.Citations) > 0 {
		if err := json.Unmarshal(r.Citations, &m.Citations); err != nil {
			return Message{}, fmt.Errorf("decode citations: %w", err)
		}
	}
	if len(r.Tools) > 0 {
		if err := json.Unmarshal(r.Tools, &m.Tools); err != nil {
			return Message{}, fmt.Errorf("decode tool activity: %w", err)
		}
	}
	return m, nil
}
