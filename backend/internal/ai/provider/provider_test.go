package provider_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/ai/aitest"
	"github.com/wegweiser/wegweiser/backend/internal/ai/provider"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
)

const key = "sk-secret-test-key"

func newProvider(t *testing.T, cfg provider.Config) ai.Provider {
	t.Helper()
	if cfg.Model == "" {
		cfg.Model = "test-model"
	}
	if cfg.APIKey == "" {
		cfg.APIKey = key
	}
	p, err := provider.NewOpenAI(cfg)
	if err != nil {
		t.Fatalf("NewOpenAI: %v", err)
	}
	return p
}

var request = ai.Request{
	Messages: []ai.Message{
		{Role: ai.RoleSystem, Content: "rules"},
		{Role: ai.RoleUser, Content: "why?"},
		{Role: ai.RoleAssistant, ToolCalls: []ai.ToolCall{{ID: "c1", Name: "device_health", Arguments: `{}`}}},
		{Role: ai.RoleTool, ToolCallID: "c1", Content: `{"records":[]}`},
	},
	Tools: []ai.ToolSpec{{Name: "device_health", Description: "health", Parameters: map[string]any{"type": "object"}}},
}

func TestStreamingText(t *testing.T) {
	srv := aitest.New(t, aitest.Reply{Text: "The disk is full [1].", PromptTokens: 120, CompletionTokens: 9})
	p := newProvider(t, provider.Config{BaseURL: srv.URL()})
	var pieces []string
	res, err := p.Complete(context.Background(), request, func(s string) { pieces = append(pieces, s) })
	if err != nil {
		t.Fatal(err)
	}
	if res.Message.Content != "The disk is full [1]." || strings.Join(pieces, "") != res.Message.Content || len(pieces) < 2 {
		t.Fatalf("text %q from pieces %q", res.Message.Content, pieces)
	}
	if res.PromptTokens != 120 || res.CompletionTokens != 9 || res.Model != "test-model" {
		t.Fatalf("usage %+v", res)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Path != "/v1/chat/completions" || r.Authorization != "Bearer "+key {
		t.Fatalf("path %q auth %q", r.Path, r.Authorization)
	}
	if so, _ := r.Body["stream_options"].(map[string]any); so["include_usage"] != true {
		t.Fatalf("stream_options %v", r.Body["stream_options"])
	}
	roles := []string{}
	for _, m := range r.Messages() {
		roles = append(roles, m.Role)
	}
	if strings.Join(roles, ",") != "system,user,assistant,tool" {
		t.Fatalf("roles %v", roles)
	}
	if !strings.Contains(r.Raw, `"tool_call_id":"c1"`) || !strings.Contains(r.Raw, `"name":"device_health"`) {
		t.Fatalf("body %s", r.Raw)
	}
}

func TestStreamedToolCalls(t *testing.T) {
	srv := aitest.New(t, aitest.Reply{ToolCalls: []aitest.ToolCall{
		{Name: "search_devices", Arguments: `{"band":"critical","limit":5}`},
		{Name: "device_health", Arguments: `{"device":"PC-07"}`},
	}, PromptTokens: 50, CompletionTokens: 20})
	p := newProvider(t, provider.Config{BaseURL: srv.URL()})
	res, err := p.Complete(context.Background(), request, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	calls := res.Message.ToolCalls
	if len(calls) != 2 {
		t.Fatalf("calls %+v", calls)
	}
	if calls[0].ID != "call_1" || calls[0].Name != "search_devices" || calls[0].Arguments != `{"band":"critical","limit":5}` {
		t.Fatalf("call 0 %+v", calls[0])
	}
	if calls[1].Name != "device_health" || calls[1].Arguments != `{"device":"PC-07"}` {
		t.Fatalf("call 1 %+v", calls[1])
	}
	if res.PromptTokens != 50 || res.CompletionTokens != 20 {
		t.Fatalf("usage %+v", res)
	}
}

func TestNonStreaming(t *testing.T) {
	srv := aitest.New(t, aitest.Reply{Text: "summary", ToolCalls: []aitest.ToolCall{{Name: "x", Arguments: `{}`}}, PromptTokens: 3, CompletionTokens: 4})
	p := newProvider(t, provider.Config{BaseURL: srv.URL()})
	res, err := p.Complete(context.Background(), request, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Message.Content != "summary" || len(res.Message.ToolCalls) != 1 || res.Message.ToolCalls[0].Name != "x" || res.PromptTokens != 3 {
		t.Fatalf("res %+v", res)
	}
	if stream, _ := srv.Requests()[0].Body["stream"].(bool); stream {
		t.Fatal("streamed without onText")
	}
}

func TestAzure(t *testing.T) {
	srv := aitest.New(t, aitest.Reply{Text: "ok"})
	p := newProvider(t, provider.Config{BaseURL: srv.Server.URL, Model: "my-deployment", AzureAPIVersion: "2024-06-01"})
	if _, err := p.Complete(context.Background(), request, func(string) {}); err != nil {
		t.Fatal(err)
	}
	r := srv.Requests()[0]
	if r.Path != "/openai/deployments/my-deployment/chat/completions" || r.Query != "api-version=2024-06-01" {
		t.Fatalf("path %q query %q", r.Path, r.Query)
	}
	if r.APIKey != key || r.Authorization != "" {
		t.Fatalf("api-key %q authorization %q", r.APIKey, r.Authorization)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		status int
		kind   apperr.Kind
		says   string
	}{
		{500, apperr.KindUnavailable, "failed"},
		{503, apperr.KindUnavailable, "failed"},
		{429, apperr.KindResourceExhausted, "rate limit"},
		{401, apperr.KindFailedPrecondition, "API key"},
		{403, apperr.KindFailedPrecondition, "API key"},
		{404, apperr.KindFailedPrecondition, "model"},
		{400, apperr.KindFailedPrecondition, "model"},
	} {
		for _, stream := range []bool{false, true} {
			srv := aitest.New(t, aitest.Reply{Status: tc.status})
			p := newProvider(t, provider.Config{BaseURL: srv.URL()})
			var onText func(string)
			if stream {
				onText = func(string) {}
			}
			_, err := p.Complete(context.Background(), request, onText)
			e, ok := apperr.As(err)
			if !ok || e.Kind != tc.kind || !strings.Contains(e.Msg, tc.says) {
				t.Fatalf("HTTP %d (stream %v): %v", tc.status, stream, err)
			}
			if strings.Contains(err.Error(), key) {
				t.Fatalf("error echoes the key: %v", err)
			}
		}
	}
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	p := newProvider(t, provider.Config{BaseURL: "http://" + addr + "/v1"})
	_, err = p.Complete(context.Background(), request, func(string) {})
	if !apperr.Is(err, apperr.KindUnavailable) || strings.Contains(err.Error(), key) {
		t.Fatalf("err %v", err)
	}
}

func TestTimeout(t *testing.T) {
	srv := aitest.New(t, aitest.Reply{Hang: true})
	p := newProvider(t, provider.Config{BaseURL: srv.URL(), Timeout: 200 * time.Millisecond})
	for _, onText := range []func(string){nil, func(string) {}} {
		_, err := p.Complete(context.Background(), request, onText)
		if !apperr.Is(err, apperr.KindUnavailable) || !provider.IsTimeout(err) || !strings.Contains(err.Error(), "in time") {
			t.Fatalf("err %v", err)
		}
	}
}

func TestConfigChecked(t *testing.T) {
	for _, cfg := range []provider.Config{
		{BaseURL: "", Model: "m"},
		{BaseURL: "ftp://x", Model: "m"},
		{BaseURL: "http://x/v1", Model: " "},
	} {
		if _, err := provider.NewOpenAI(cfg); !apperr.Is(err, apperr.KindFailedPrecondition) {
			t.Fatalf("%+v: %v", cfg, err)
		}
	}
	// A custom client (a tenant's endpoint) never sends an Azure key over
	// plain HTTP.
	srv := aitest.New(t, aitest.Reply{Text: "ok"})
	p := newProvider(t, provider.Config{BaseURL: srv.Server.URL, Model: "d", AzureAPIVersion: "2024-06-01", HTTPClient: &http.Client{Transport: http.DefaultTransport}})
	if _, err := p.Complete(context.Background(), request, nil); err == nil || len(srv.Requests()) != 0 {
		t.Fatalf("azure over http with a custom client: %v, %d requests", err, len(srv.Requests()))
	}
}
