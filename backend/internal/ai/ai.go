// Package ai holds what the assistant's parts share: the messages exchanged
// with a language model, the Provider interface every model endpoint
// implements, and the Resolver that picks a tenant's provider and keeps its
// token budget. Scores never come from here: the analyzer measures; a model
// only explains and prioritises.
package ai

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// BuiltinModel is the model name recorded for answers and narratives written
// by Wegweiser itself, without a language model.
const BuiltinModel = "builtin"

// BuiltinLabel is shown with every answer of the built-in answerer.
const BuiltinLabel = "Answered from Wegweiser's data, no language model configured."

// Role says who wrote a message sent to a model.
type Role string

// The roles of the chat-completions protocol.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool"
)

// Message is one message of a model request.
type Message struct {
	// Role of the writer.
	Role Role
	// Content is the text. Tool results carry endpoint data as quoted JSON,
	// never as instructions.
	Content string
	// ToolCalls are the tools an assistant message asks for.
	ToolCalls []ToolCall
	// ToolCallID is the call a tool message answers.
	ToolCallID string
}

// ToolCall is a model's request to run a tool.
type ToolCall struct {
	// ID identifies the call within the response.
	ID string
	// Name of the tool.
	Name string
	// Arguments as a JSON object.
	Arguments string
}

// ToolSpec describes a tool to the model.
type ToolSpec struct {
	// Name of the tool.
	Name string
	// Description says what it returns and when to use it.
	Description string
	// Parameters is the JSON schema of its arguments.
	Parameters map[string]any
}

// Request is one model call.
type Request struct {
	// Messages, the system prompt first.
	Messages []Message
	// Tools the model may call.
	Tools []ToolSpec
	// MaxTokens bounds the completion (0: the provider's default).
	MaxTokens int
}

// Response is a model's answer to one Request.
type Response struct {
	// Message is the assistant message: text, tool calls or both.
	Message Message
	// PromptTokens and CompletionTokens are what the call cost.
	PromptTokens, CompletionTokens int64
	// Model that answered.
	Model string
}

// Provider is a language model endpoint.
type Provider interface {
	// Model names the model that answers.
	Model() string
	// Complete sends req and returns the answer. When onText is not nil
	// the answer is streamed and onText receives each piece of text as it
	// arrives. Errors are apperr kinds: unavailable for an endpoint that
	// cannot be reached, fails or times out, resource_exhausted when it
	// refuses for rate limits, failed_precondition when its settings are
	// wrong (bad key, unknown model).
	Complete(ctx context.Context, req Request, onText func(string)) (Response, error)
}

// Purpose says what a model call was for.
type Purpose string

// The purposes of model calls.
const (
	PurposeChat      Purpose = "chat"
	PurposeNarrative Purpose = "narrative"
	PurposeTest      Purpose = "test"
)

// Outcome is how a model call ended.
type Outcome string

// The outcomes of model calls.
const (
	OutcomeOK      Outcome = "ok"
	OutcomeError   Outcome = "error"
	OutcomeTimeout Outcome = "timeout"
	OutcomeBudget  Outcome = "budget"
)

// Call is the record of one model call: never its prompt, answer or key.
type Call struct {
	// TenantID is whose budget it counts against.
	TenantID uuid.UUID
	// UserID is who it was made for; uuid.Nil for background work.
	UserID uuid.UUID
	// Purpose of the call.
	Purpose Purpose
	// Model that was called.
	Model string
	// PromptTokens and CompletionTokens it cost.
	PromptTokens, CompletionTokens int64
	// Latency from request to answer.
	Latency time.Duration
	// Outcome of the call.
	Outcome Outcome
}

// Resolver picks the provider of a tenant and keeps its budget.
type Resolver interface {
	// Provider returns the tenant's provider: its own endpoint, the
	// operator's default, or nil when no model is configured (the built-in
	// answerer then answers).
	Provider(ctx context.Context, tenantID uuid.UUID) (Provider, error)
	// Allow returns a resource_exhausted apperr when the tenant has spent
	// its monthly token budget.
	Allow(ctx context.Context, tenantID uuid.UUID) error
	// Record stores the record of a model call.
	Record(ctx context.Context, c Call) error
}

// Static is a Resolver with one provider (nil for the built-in answerer), no
// budget and no records: for tests and tools that run outside a tenant's
// settings.
type Static struct {
	// P is the provider every tenant gets.
	P Provider
}

// Provider returns s.P.
func (s Static) Provider(context.Context, uuid.UUID) (Provider, error) { return s.P, nil }

// Allow always allows.
func (Static) Allow(context.Context, uuid.UUID) error { return nil }

// Record forgets the call.
func (Static) Record(context.Context, Call) error { return nil }
