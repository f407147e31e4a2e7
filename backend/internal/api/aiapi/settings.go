package aiapi

import (
	"context"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/ai/settings"
	"github.com/wegweiser/wegweiser/backend/internal/api/pbconv"
)

var sources = map[settings.Source]v1.AISource{
	settings.SourceBuiltin:  v1.AISource_AI_SOURCE_BUILTIN,
	settings.SourceOperator: v1.AISource_AI_SOURCE_OPERATOR,
	settings.SourceTenant:   v1.AISource_AI_SOURCE_TENANT,
}

// toSettings converts settings for a response; it has no field for a key.
func toSettings(s *settings.Settings) *v1.AISettings {
	out := &v1.AISettings{
		Enabled: s.Enabled, BaseUrl: s.BaseURL, Model: s.Model, HasApiKey: s.HasAPIKey, AzureApiVersion: s.AzureAPIVersion,
		MonthlyTokenBudget: s.TokenBudget, EffectiveSource: sources[s.EffectiveSource], EffectiveModel: s.EffectiveModel,
		EffectiveTokenBudget: s.EffectiveBudget,
	}
	if !s.UpdatedAt.IsZero() {
		out.UpdateTime = pbconv.Time(s.UpdatedAt)
	}
	return out
}

// GetAISettings implements AIService.GetAISettings.
func (s *Service) GetAISettings(ctx context.Context, _ *v1.GetAISettingsRequest) (*v1.GetAISettingsResponse, error) {
	st, err := s.settings.Get(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.GetAISettingsResponse{Settings: toSettings(st)}, nil
}

// UpdateAISettings implements AIService.UpdateAISettings.
func (s *Service) UpdateAISettings(ctx context.Context, req *v1.UpdateAISettingsRequest) (*v1.UpdateAISettingsResponse, error) {
	st, err := s.settings.Update(ctx, settings.Update{
		Enabled: req.GetEnabled(), BaseURL: req.GetBaseUrl(), Model: req.GetModel(), APIKey: req.GetApiKey(),
		ClearAPIKey: req.GetClearApiKey(), AzureAPIVersion: req.GetAzureApiVersion(), TokenBudget: req.GetMonthlyTokenBudget(),
	})
	if err != nil {
		return nil, err
	}
	return &v1.UpdateAISettingsResponse{Settings: toSettings(st)}, nil
}

// TestAISettings implements AIService.TestAISettings.
func (s *Service) TestAISettings(ctx context.Context, _ *v1.TestAISettingsRequest) (*v1.TestAISettingsResponse, error) {
	r, err := s.settings.Test(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.TestAISettingsResponse{Ok: r.OK, Message: r.Message, Model: r.Model, LatencyMs: r.Latency.Milliseconds()}, nil
}

var outcomes = map[string]v1.AICallOutcome{
	string(ai.OutcomeOK):      v1.AICallOutcome_AI_CALL_OUTCOME_OK,
	string(ai.OutcomeError):   v1.AICallOutcome_AI_CALL_OUTCOME_ERROR,
	string(ai.OutcomeTimeout): v1.AICallOutcome_AI_CALL_OUTCOME_TIMEOUT,
	string(ai.OutcomeBudget):  v1.AICallOutcome_AI_CALL_OUTCOME_BUDGET,
}

// GetAIUsage implements AIService.GetAIUsage.
func (s *Service) GetAIUsage(ctx context.Context, _ *v1.GetAIUsageRequest) (*v1.GetAIUsageResponse, error) {
	u, err := s.settings.Usage(ctx)
	if err != nil {
		return nil, err
	}
	out := &v1.GetAIUsageResponse{TokensUsed: u.TokensUsed, TokenBudget: u.TokenBudget, PeriodStart: pbconv.Time(u.PeriodStart), CallCount: int32(u.CallCount)}
	for _, c := range u.Calls {
		call := &v1.AICall{
			CreateTime: pbconv.Time(c.CreatedAt), Purpose: c.Purpose, Model: c.Model, PromptTokens: c.PromptTokens,
			CompletionTokens: c.CompletionTokens, LatencyMs: c.LatencyMs, Outcome: outcomes[c.Outcome],
		}
		if c.UserID != nil {
			call.UserId = c.UserID.String()
		}
		out.Calls = append(out.Calls, call)
	}
	return out, nil
}
