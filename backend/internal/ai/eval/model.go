package eval

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/ai/chat"
	"github.com/wegweiser/wegweiser/backend/internal/ai/provider"
	"github.com/wegweiser/wegweiser/backend/internal/ai/tools"
	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/health"
)

// ProviderFromEnv returns the operator's default model endpoint as the
// server reads it from the environment (WEGWEISER_AI_BASE_URL,
// WEGWEISER_AI_MODEL, WEGWEISER_AI_API_KEY,
// WEGWEISER_AI_AZURE_API_VERSION), or nil when no base URL is set.
func ProviderFromEnv() (ai.Provider, error) {
	var cfg config.Config
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg.Register(fs)
	if err := fs.Parse(nil); err != nil {
		return nil, fmt.Errorf("eval: read the configuration: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("eval: configuration: %w", err)
	}
	if cfg.AIBaseURL == "" {
		return nil, nil
	}
	p, err := provider.NewOpenAI(provider.Config{
		BaseURL: cfg.AIBaseURL, Model: cfg.AIModel, APIKey: cfg.AIAPIKey, AzureAPIVersion: cfg.AIAzureAPIVersion,
	})
	if err != nil {
		return nil, fmt.Errorf("eval: model endpoint: %w", err)
	}
	return p, nil
}

// Chat returns an AnswerFunc that asks through the chat engine: it starts
// a conversation about the question's scope as the viewer in ctx, sends
// the question and returns the answer's text with its citations as
// records, record n-1 being what [n] cites (zero where a number is not
// cited).
func Chat(svc *chat.Service) AnswerFunc {
	return func(ctx context.Context, scope health.Ref, question string) (string, []tools.Record, error) {
		conv, err := svc.Create(ctx, scope, "")
		if err != nil {
			return "", nil, fmt.Errorf("start conversation: %w", err)
		}
		var answer *chat.Message
		err = svc.Send(ctx, conv.ID, question, func(e chat.Event) error {
			if e.Answer != nil {
				answer = e.Answer
			}
			return nil
		})
		if err != nil {
			return "", nil, fmt.Errorf("send question: %w", err)
		}
		if answer == nil {
			return "", nil, fmt.Errorf("send question: the engine sent no answer")
		}
		var recs []tools.Record
		for _, c := range answer.Citations {
			if c.Number < 1 {
				continue
			}
			for len(recs) < c.Number {
				recs = append(recs, tools.Record{})
			}
			recs[c.Number-1] = c.Record
		}
		return answer.Text, recs, nil
	}
}
