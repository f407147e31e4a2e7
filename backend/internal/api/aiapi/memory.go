// Package aiapi serves wegweiser.v1.AIService.
package aiapi

import (
	"context"

	"github.com/google/uuid"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/ai/memory"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
)

// MemoryHandler implements the memory procedures of AIService
// (ListMemories, CreateMemory, DeleteMemory); the AIService handler embeds
// it.
type MemoryHandler struct{ Memories *memory.Service }

// ListMemories implements AIService.ListMemories.
func (h *MemoryHandler) ListMemories(ctx context.Context, req *v1.ListMemoriesRequest) (*v1.ListMemoriesResponse, error) {
	ref, err := pbconv.EntityRef("scope", req.GetScope(), true)
	if err != nil {
		return nil, err
	}
	list, err := h.Memories.List(ctx, ref, req.GetIncludeInherited())
	if err != nil {
		return nil, err
	}
	out := &v1.ListMemoriesResponse{}
	for _, m := range list {
		out.Memories = append(out.Memories, memoryOf(m))
	}
	return out, nil
}

// CreateMemory implements AIService.CreateMemory.
func (h *MemoryHandler) CreateMemory(ctx context.Context, req *v1.CreateMemoryRequest) (*v1.CreateMemoryResponse, error) {
	ref, err := pbconv.EntityRef("scope", req.GetScope(), true)
	if err != nil {
		return nil, err
	}
	conv, err := validate.OptionalID("conversation_id", req.GetConversationId())
	if err != nil {
		return nil, err
	}
	m, err := h.Memories.Create(ctx, ref, req.GetText(), conv)
	if err != nil {
		return nil, err
	}
	return &v1.CreateMemoryResponse{Memory: memoryOf(m)}, nil
}

// DeleteMemory implements AIService.DeleteMemory.
func (h *MemoryHandler) DeleteMemory(ctx context.Context, req *v1.DeleteMemoryRequest) (*v1.DeleteMemoryResponse, error) {
	id, err := validate.ID("id", req.GetId())
	if err != nil {
		return nil, err
	}
	if err := h.Memories.Delete(ctx, id); err != nil {
		return nil, err
	}
	return &v1.DeleteMemoryResponse{}, nil
}

func memoryOf(m memory.Memory) *v1.Memory {
	out := &v1.Memory{
		Id: m.ID.String(), Scope: pbconv.Entity(m.Scope), ScopeName: m.ScopeName, Text: m.Text,
		CreatedBy: m.CreatedBy.String(), CreatedByName: m.CreatedByName, CreateTime: pbconv.Time(m.CreatedAt),
	}
	if m.ConversationID != uuid.Nil {
		out.ConversationId = m.ConversationID.String()
	}
	return out
}
