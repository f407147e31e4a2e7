// Package provider talks to language model endpoints that speak the OpenAI
// chat-completions protocol: OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio.
package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/azure"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
)

// DefaultTimeout bounds one model call when Config.Timeout is zero.
const DefaultTimeout = 60 * time.Second

// Config is an endpoint.
type Config struct {
	// BaseURL of the API, e.g. "https://api.openai.com/v1"; for Azure
	// OpenAI the resource's endpoint, e.g. "https://x.openai.azure.com".
	BaseURL string
	// Model name; for Azure OpenAI the deployment name.
	Model string
	// APIKey, sent as a bearer token (as "api-key" for Azure).
	APIKey string
	// AzureAPIVersion selects Azure OpenAI's URL scheme and API version
	// when set.
	AzureAPIVersion string
	// HTTPClient makes the calls; nil uses a client whose dialer refuses
	// nothing (callers pass one that refuses private addresses for tenant
	// endpoints).
	HTTPClient *http.Client
	// Timeout bounds one call (default 60 s).
	Timeout time.Duration
}

// openAI is a Provider on the openai-go client.
type openAI struct {
	client  openai.Client
	model   string
	timeout time.Duration
	host    string
}

// NewOpenAI returns a provider for an OpenAI-compatible endpoint. The
// configuration is checked here (a base URL with a scheme and host, a
// model); the endpoint itself is first contacted by Complete.
func NewOpenAI(cfg Config) (ai.Provider, error) {
	base := strings.TrimSpace(cfg.BaseURL)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, apperr.FailedPrecondition("the model endpoint's base URL must be an http or https URL, e.g. https://api.openai.com/v1")
	}
	model := strings.TrimSpace(cfg.Model)
	if model == "" {
		return nil, apperr.FailedPrecondition("the model endpoint needs a model name (the deployment name for Azure OpenAI)")
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	hc := cfg.HTTPClient
	custom := hc != nil
	if hc == nil {
		hc = &http.Client{}
	}
	opts := []option.RequestOption{
		option.WithHTTPClient(hc),
		// Retries would multiply the latency of a failing endpoint; the
		// caller gets unavailable and may ask again.
		option.WithMaxRetries(0),
	}
	if cfg.AzureAPIVersion != "" {
		opts = append(opts,
			azure.WithEndpoint(strings.TrimSuffix(base, "/"), cfg.AzureAPIVersion),
			azure.WithAPIKey(cfg.APIKey),
		)
		// Plain HTTP is for a local endpoint of the operator only: the
		// client refuses it for anything but loopback, and a tenant's
		// endpoint (a custom client) must use HTTPS.
		if u.Scheme == "http" && !custom {
			opts = append(opts, azure.WithUnsafeAllowHTTP())
		}
	} else {
		opts = append(opts, option.WithBaseURL(strings.TrimSuffix(base, "/")+"/"), option.WithAPIKey(cfg.APIKey))
	}
	return &openAI{client: openai.NewClient(opts...), model: model, timeout: timeout, host: u.Host}, nil
}

// Model returns the model name.
func (p *openAI) Model() string { return p.model }

// Complete sends req; it streams when onText is not nil.
func (p *openAI) Complete(ctx context.Context, req ai.Request, onText func(string)) (ai.Response, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, p.timeout, errTimeout)
	defer cancel()
	params := p.params(req)
	if onText == nil {
		res, err := p.client.Chat.Completions.New(ctx, params)
		if err != nil {
			return ai.Response{}, p.mapError(ctx, err)
		}
		if len(res.Choices) == 0 {
			return ai.Response{}, apperr.Unavailable(nil, "the model endpoint at %s returned no answer", p.host)
		}
		msg := res.Choices[0].Message
		out := ai.Response{
			Message:          ai.Message{Role: ai.RoleAssistant, Content: msg.Content},
			PromptTokens:     res.Usage.PromptTokens,
			CompletionTokens: res.Usage.CompletionTokens,
			Model:            orDefault(res.Model, p.model),
		}
		for _, tc := range msg.ToolCalls {
			if tc.Type != "" && tc.Type != "function" {
				continue
			}
			out.Message.ToolCalls = append(out.Message.ToolCalls, ai.ToolCall{
				ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments,
			})
		}
		return out, nil
	}

	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	stream := p.client.Chat.Completions.NewStreaming(ctx, params)
	defer func() { _ = stream.Close() }()
	out := ai.Response{Message: ai.Message{Role: ai.RoleAssistant}, Model: p.model}
	var text strings.Builder
	calls := map[int64]*ai.ToolCall{}
	for stream.Next() {
		chunk := stream.Current()
		if chunk.Model != "" {
			out.Model = chunk.Model
		}
		if chunk.Usage.PromptTokens > 0 || chunk.Usage.CompletionTokens > 0 {
			out.PromptTokens = chunk.Usage.PromptTokens
			out.CompletionTokens = chunk.Usage.CompletionTokens
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue
			}
			if ch.Delta.Content != "" {
				text.WriteString(ch.Delta.Content)
				onText(ch.Delta.Content)
			}
			// Tool calls arrive in pieces: the first delta of a call has
			// its id and name, the following ones append to its
			// arguments, all under the call's index.
			for _, d := range ch.Delta.ToolCalls {
				c := calls[d.Index]
				if c == nil {
					c = &ai.ToolCall{}
					calls[d.Index] = c
				}
				if d.ID != "" {
					c.ID = d.ID
				}
				if d.Function.Name != "" {
					c.Name += d.Function.Name
				}
				c.Arguments += d.Function.Arguments
			}
		}
	}
	if err := stream.Err(); err != nil {
		return ai.Response{}, p.mapError(ctx, err)
	}
	out.Message.Content = text.String()
	idx := make([]int64, 0, len(calls))
	for i := range calls {
		idx = append(idx, i)
	}
	sort.Slice(idx, func(a, b int) bool { return idx[a] < idx[b] })
	for n, i := range idx {
		c := *calls[i]
		if c.ID == "" {
			c.ID = fmt.Sprintf("call_%d", n)
		}
		out.Message.ToolCalls = append(out.Message.ToolCalls, c)
	}
	return out, nil
}

// params converts req to the protocol's request.
func (p *openAI) params(req ai.Request) openai.ChatCompletionNewParams {
	params := openai.ChatCompletionNewParams{Model: shared.ChatModel(p.model)}
	for _, m := range req.Messages {
		switch m.Role {
		case ai.RoleSystem:
			params.Messages = append(params.Messages, openai.SystemMessage(m.Content))
		case ai.RoleUser:
			params.Messages = append(params.Messages, openai.UserMessage(m.Content))
		case ai.RoleTool:
			params.Messages = append(params.Messages, openai.ToolMessage(m.Content, m.ToolCallID))
		case ai.RoleAssistant:
			a := openai.ChatCompletionAssistantMessageParam{}
			if m.Content != "" {
				a.Content.OfString = openai.String(m.Content)
			}
			for _, tc := range m.ToolCalls {
				a.ToolCalls = append(a.ToolCalls, openai.ChatCompletionMessageToolCallUnionParam{
					OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{
						ID: tc.ID,
						Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{
							Name: tc.Name, Arguments: tc.Arguments,
						},
					},
				})
			}
			params.Messages = append(params.Messages, openai.ChatCompletionMessageParamUnion{OfAssistant: &a})
		}
	}
	for _, t := range req.Tools {
		params.Tools = append(params.Tools, openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name:        t.Name,
			Description: openai.String(t.Description),
			Parameters:  shared.FunctionParameters(t.Parameters),
		}))
	}
	if req.MaxTokens > 0 {
		params.MaxTokens = openai.Int(int64(req.MaxTokens))
	}
	return params
}

// errTimeout is the cause of a call's context when its timeout passed.
var errTimeout = errors.New("model call timed out")

// IsTimeout reports whether err is a model call that timed out.
func IsTimeout(err error) bool { return errors.Is(err, errTimeout) }

// mapError turns a client error into an apperr kind with a message that
// says what to fix. Messages name the endpoint's host, never its key.
func (p *openAI) mapError(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), errTimeout) {
		return apperr.Unavailable(errTimeout, "the model endpoint at %s did not answer in time; try again or check the endpoint", p.host)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("model call: %w", ctx.Err())
	}
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		// The cause is kept for logs without the response body, which may
		// echo parts of the request.
		cause := fmt.Errorf("model endpoint answered HTTP %d", apiErr.StatusCode)
		switch code := apiErr.StatusCode; {
		case code == http.StatusTooManyRequests:
			return apperr.ResourceExhausted(30, "the model endpoint at %s refuses more requests for now (rate limit or quota); try again later", p.host)
		case code == http.StatusUnauthorized || code == http.StatusForbidden:
			return &apperr.Error{Kind: apperr.KindFailedPrecondition, Err: cause,
				Msg: fmt.Sprintf("the model endpoint at %s refused the API key (HTTP %d); check the key in the AI settings", p.host, code)}
		case code == http.StatusNotFound:
			return &apperr.Error{Kind: apperr.KindFailedPrecondition, Err: cause,
				Msg: fmt.Sprintf("the model endpoint at %s does not know model %q or the base URL is wrong (HTTP 404); check the base URL and the model (the deployment name for Azure OpenAI)", p.host, p.model)}
		case code == http.StatusBadRequest || code == http.StatusUnprocessableEntity:
			return &apperr.Error{Kind: apperr.KindFailedPrecondition, Err: cause,
				Msg: fmt.Sprintf("the model endpoint at %s refused the request (HTTP %d); check that model %q exists and supports tool calls", p.host, code, p.model)}
		case code >= 500:
			return apperr.Unavailable(cause, "the model endpoint at %s failed (HTTP %d); try again later", p.host, code)
		default:
			return apperr.Unavailable(cause, "the model endpoint at %s answered HTTP %d", p.host, code)
		}
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return apperr.Unavailable(errTimeout, "the model endpoint at %s did not answer in time; try again or check the endpoint", p.host)
	}
	// Connection refused, DNS failures, a broken stream: the endpoint
	// cannot be reached. The cause is logged; it holds no key.
	return apperr.Unavailable(scrub(err), "the model endpoint at %s cannot be reached; check the base URL and that the endpoint is running", p.host)
}

// scrub keeps only the error's text, dropping anything that might carry
// the request (the key is in headers, which errors do not print, but the
// type may hold the request).
func scrub(err error) error { return errors.New(err.Error()) }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
