// Package chatapi serves wegweiser.v1.ChatService.
package chatapi

import (
	"context"

	"connectrpc.com/connect"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/ai/chat"
	"github.com/wegweiser/wegweiser/backend/internal/ai/tools"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
)

// Service implements ChatService.
type Service struct{ svc *chat.Service }

var _ wegweiserv1connect.ChatServiceHandler = (*Service)(nil)

// New returns the ChatService handler.
func New(svc *chat.Service) *Service { return &Service{svc: svc} }

// CreateConversation implements ChatService.CreateConversation.
func (s *Service) CreateConversation(ctx context.Context, req *v1.CreateConversationRequest) (*v1.CreateConversationResponse, error) {
	ref, err := pbconv.EntityRef("scope", req.GetScope(), true)
	if err != nil {
		return nil, err
	}
	c, err := s.svc.Create(ctx, ref, req.GetTitle())
	if err != nil {
		return nil, err
	}
	return &v1.CreateConversationResponse{Conversation: conversation(c)}, nil
}

// ListConversations implements ChatService.ListConversations.
func (s *Service) ListConversations(ctx context.Context, req *v1.ListConversationsRequest) (*v1.ListConversationsResponse, error) {
	var ref *health.Ref
	if req.GetScope() != nil {
		r, err := pbconv.EntityRef("scope", req.GetScope(), false)
		if err != nil {
			return nil, err
		}
		ref = &r
	}
	size, err := validate.Limit("page_size", req.GetPageSize(), 50, 100)
	if err != nil {
		return nil, err
	}
	list, next, err := s.svc.List(ctx, ref, size, req.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &v1.ListConversationsResponse{NextPageToken: next}
	for _, c := range list {
		out.Conversations = append(out.Conversations, conversation(c))
	}
	return out, nil
}

// GetConversation implements ChatService.GetConversation.
func (s *Service) GetConversation(ctx context.Context, req *v1.GetConversationRequest) (*v1.GetConversationResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	c, msgs, err := s.svc.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &v1.GetConversationResponse{Conversation: conversation(c)}
	for _, m := range msgs {
		out.Messages = append(out.Messages, message(m))
	}
	return out, nil
}

// RenameConversation implements ChatService.RenameConversation.
func (s *Service) RenameConversation(ctx context.Context, req *v1.RenameConversationRequest) (*v1.RenameConversationResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	c, err := s.svc.Rename(ctx, id, req.GetTitle())
	if err != nil {
		return nil, err
	}
	return &v1.RenameConversationResponse{Conversation: conversation(c)}, nil
}

// DeleteConversation implements ChatService.DeleteConversation.
func (s *Service) DeleteConversation(ctx context.Context, req *v1.DeleteConversationRequest) (*v1.DeleteConversationResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	if err := s.svc.Delete(ctx, id); err != nil {
		return nil, err
	}
	return &v1.DeleteConversationResponse{}, nil
}

// SendMessage implements ChatService.SendMessage: each event of the answer
// is sent as it comes.
func (s *Service) SendMessage(ctx context.Context, req *v1.SendMessageRequest, stream *connect.ServerStream[v1.SendMessageResponse]) error {
	id, err := validate.ID("conversation_id", req.GetConversationId())
	if err != nil {
		return err
	}
	return s.svc.Send(ctx, id, req.GetText(), func(e chat.Event) error {
		return stream.Send(event(e))
	})
}

var feedbacks = map[v1.Feedback]string{
	v1.Feedback_FEEDBACK_UNSPECIFIED: "none",
	v1.Feedback_FEEDBACK_HELPFUL:     "helpful",
	v1.Feedback_FEEDBACK_WRONG:       "wrong",
}

// SubmitFeedback implements ChatService.SubmitFeedback.
func (s *Service) SubmitFeedback(ctx context.Context, req *v1.SubmitFeedbackRequest) (*v1.SubmitFeedbackResponse, error) {
	id, err := validate.ID("message_id", req.GetMessageId())
	if err != nil {
		return nil, err
	}
	fb, ok := feedbacks[req.GetFeedback()]
	if !ok {
		fb = "invalid"
	}
	if err := s.svc.Feedback(ctx, id, fb, req.GetComment()); err != nil {
		return nil, err
	}
	return &v1.SubmitFeedbackResponse{}, nil
}

func event(e chat.Event) *v1.SendMessageResponse {
	switch {
	case e.Question != nil:
		return &v1.SendMessageResponse{Event: &v1.SendMessageResponse_Question{Question: message(*e.Question)}}
	case e.Tool != nil:
		return &v1.SendMessageResponse{Event: &v1.SendMessageResponse_Tool{Tool: activity(*e.Tool)}}
	case e.Citation != nil:
		return &v1.SendMessageResponse{Event: &v1.SendMessageResponse_Citation{Citation: citation(*e.Citation)}}
	case e.Answer != nil:
		return &v1.SendMessageResponse{Event: &v1.SendMessageResponse_Answer{Answer: message(*e.Answer)}}
	}
	return &v1.SendMessageResponse{Event: &v1.SendMessageResponse_TextDelta{TextDelta: e.TextDelta}}
}

func conversation(c chat.Conversation) *v1.Conversation {
	return &v1.Conversation{
		Id: c.ID.String(), Scope: pbconv.Entity(c.Scope), ScopeName: c.ScopeName, Title: c.Title,
		MessageCount: int32(c.MessageCount), CreateTime: pbconv.Time(c.CreatedAt), UpdateTime: pbconv.Time(c.UpdatedAt),
		Summarised: c.Summarised,
	}
}

var roles = map[string]v1.ChatRole{"user": v1.ChatRole_CHAT_ROLE_USER, "assistant": v1.ChatRole_CHAT_ROLE_ASSISTANT}

func message(m chat.Message) *v1.ChatMessage {
	out := &v1.ChatMessage{Id: m.ID.String(), Role: roles[m.Role], Text: m.Text, CreateTime: pbconv.Time(m.CreatedAt)}
	for fb, name := range feedbacks {
		if name == m.Feedback {
			out.Feedback = fb
		}
	}
	if m.Role == "assistant" {
		for _, c := range m.Citations {
			out.Citations = append(out.Citations, citation(c))
		}
		for _, a := range m.Tools {
			out.Tools = append(out.Tools, activity(a))
		}
		out.Usage = &v1.Usage{
			PromptTokens: m.Usage.PromptTokens, CompletionTokens: m.Usage.CompletionTokens, Model: m.Usage.Model,
			Builtin: m.Usage.Builtin, LatencyMs: m.Usage.LatencyMS,
		}
	}
	return out
}

func activity(a tools.Activity) *v1.ToolActivity {
	return &v1.ToolActivity{Name: a.Name, Summary: a.Summary, Result: a.Result, Failed: a.Failed}
}

var recordKinds = map[tools.RecordKind]v1.RecordKind{
	tools.RecordDevice:       v1.RecordKind_RECORD_KIND_DEVICE,
	tools.RecordGroup:        v1.RecordKind_RECORD_KIND_GROUP,
	tools.RecordOrganisation: v1.RecordKind_RECORD_KIND_ORGANISATION,
	tools.RecordTenant:       v1.RecordKind_RECORD_KIND_TENANT,
	tools.RecordFinding:      v1.RecordKind_RECORD_KIND_FINDING,
	tools.RecordEventLog:     v1.RecordKind_RECORD_KIND_EVENT_LOG,
	tools.RecordSoftware:     v1.RecordKind_RECORD_KIND_SOFTWARE,
	tools.RecordHistory:      v1.RecordKind_RECORD_KIND_HISTORY,
	tools.RecordMemory:       v1.RecordKind_RECORD_KIND_MEMORY,
	tools.RecordCheck:        v1.RecordKind_RECORD_KIND_CHECK,
}

func citation(c chat.Citation) *v1.Citation {
	out := &v1.Citation{Number: int32(c.Number), Kind: recordKinds[c.Record.Kind], Id: c.Record.ID, Label: c.Record.Label}
	if c.Record.Entity.Kind != "" {
		out.Entity = pbconv.Entity(c.Record.Entity)
	}
	return out
}
