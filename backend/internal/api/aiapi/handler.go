// Package aiapi serves wegweiser.v1.AIService: the tenant's model endpoint
// settings, budget and usage, narratives and discovery reports, and the
// assistant's memories.
package aiapi

import (
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/ai/memory"
	"github.com/wegweiser/wegweiser/backend/internal/ai/narrative"
	"github.com/wegweiser/wegweiser/backend/internal/ai/settings"
)

// Service implements AIService; the memory procedures come from the
// embedded MemoryHandler.
type Service struct {
	*MemoryHandler
	settings   *settings.Service
	narratives *narrative.Service
}

var _ wegweiserv1connect.AIServiceHandler = (*Service)(nil)

// New returns the AIService handler.
func New(st *settings.Service, ns *narrative.Service, ms *memory.Service) *Service {
	return &Service{MemoryHandler: &MemoryHandler{Memories: ms}, settings: st, narratives: ns}
}
