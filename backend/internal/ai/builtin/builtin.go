// Package builtin is the answerer used when no language model is
// configured: it recognises the common questions and answers them from the
// same tools, with the same citations, as a model would.
package builtin

import (
	"context"
	"errors"

	"github.com/wegweiser/wegweiser/backend/internal/ai/tools"
	"github.com/wegweiser/wegweiser/backend/internal/health"
)

// Answer is an answer of the built-in answerer.
type Answer struct {
	// Text is Markdown; it cites Records as [1], [2], … by their position.
	Text string
	// Records cited, in the order of their numbers.
	Records []tools.Record
	// Activity lists the tools that ran.
	Activity []tools.Activity
}

// Answerer answers questions without a model.
type Answerer struct {
	tools []tools.Tool
}

// New returns an answerer that uses ts.
func New(ts []tools.Tool) *Answerer { return &Answerer{tools: ts} }

// Answer answers question about scope as the viewer in ctx. memories are the
// facts taught about scope and the entities above it.
func (a *Answerer) Answer(ctx context.Context, scope health.Ref, question string, memories []string) (Answer, error) {
	return Answer{}, errors.New("builtin: not implemented yet")
}
