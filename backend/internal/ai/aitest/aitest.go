// Package aitest is a language model endpoint for tests: an HTTP server in
// the test process that speaks the OpenAI chat-completions protocol (plain
// JSON and server-sent events, with tool calls and usage), answers with
// scripted replies and records every request it received.
package aitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Reply is one scripted answer of the server.
type Reply struct {
	// Text is the answer's text; streamed in pieces of a few characters.
	Text string
	// ToolCalls the answer asks for; streamed with the arguments split.
	ToolCalls []ToolCall
	// Status, when not 0 or 200, answers with that HTTP status and an
	// error body instead.
	Status int
	// Hang, when set, answers nothing until the client gives up.
	Hang bool
	// PromptTokens and CompletionTokens are reported as usage.
	PromptTokens, CompletionTokens int64
}

// ToolCall is a scripted tool call.
type ToolCall struct {
	// Name of the tool and its Arguments (a JSON object).
	Name, Arguments string
}

// Request is a request the server received.
type Request struct {
	// Path and the headers that matter.
	Path, Authorization, APIKey, Query string
	// Body is the decoded JSON body.
	Body map[string]any
	// Raw is the body as sent.
	Raw string
}

// Messages returns the request's messages as role and content pairs.
func (r Request) Messages() []Message {
	var out []Message
	ms, _ := r.Body["messages"].([]any)
	for _, m := range ms {
		mm, _ := m.(map[string]any)
		role, _ := mm["role"].(string)
		var content string
		switch c := mm["content"].(type) {
		case string:
			content = c
		case []any:
			for _, part := range c {
				p, _ := part.(map[string]any)
				s, _ := p["text"].(string)
				content += s
			}
		}
		out = append(out, Message{Role: role, Content: content})
	}
	return out
}

// Message is a message of a recorded request.
type Message struct{ Role, Content string }

// Server is the fake endpoint.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	replies  []Reply
	requests []Request
	release  chan struct{}
}

// New starts a server answering with replies in order (the last one
// repeats) and closes it when the test ends.
func New(t testing.TB, replies ...Reply) *Server {
	s := &Server{replies: replies, release: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		close(s.release)
		s.Close()
	})
	return s
}

// URL of the API (the base URL a provider is configured with).
func (s *Server) URL() string { return s.Server.URL + "/v1" }

// Script replaces the replies still to come.
func (s *Server) Script(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies = replies
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	req := Request{
		Path: r.URL.Path, Authorization: r.Header.Get("Authorization"), APIKey: r.Header.Get("Api-Key"),
		Query: r.URL.RawQuery, Raw: string(raw),
	}
	_ = json.Unmarshal(raw, &req.Body)
	s.mu.Lock()
	s.requests = append(s.requests, req)
	var rep Reply
	if len(s.replies) > 0 {
		rep = s.replies[0]
		if len(s.replies) > 1 {
			s.replies = s.replies[1:]
		}
	}
	s.mu.Unlock()

	if rep.Hang {
		select {
		case <-r.Context().Done():
		case <-s.release:
		}
		return
	}
	if rep.Status != 0 && rep.Status != http.StatusOK {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rep.Status)
		_, _ = fmt.Fprintf(w, `{"error":{"message":"scripted failure %d","type":"test","code":"scripted","param":null}}`, rep.Status)
		return
	}
	model, _ := req.Body["model"].(string)
	if stream, _ := req.Body["stream"].(bool); stream {
		s.stream(w, model, rep)
		return
	}
	msg := map[string]any{"role": "assistant", "content": rep.Text}
	if len(rep.ToolCalls) > 0 {
		var calls []map[string]any
		for i, c := range rep.ToolCalls {
			calls = append(calls, map[string]any{
				"id": fmt.Sprintf("call_%d", i+1), "type": "function",
				"function": map[string]any{"name": c.Name, "arguments": c.Arguments},
			})
		}
		msg["tool_calls"] = calls
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": 1, "model": model,
		"choices": []map[string]any{{"index": 0, "message": msg, "finish_reason": "stop"}},
		"usage": map[string]any{
			"prompt_tokens": rep.PromptTokens, "completion_tokens": rep.CompletionTokens,
			"total_tokens": rep.PromptTokens + rep.CompletionTokens,
		},
	})
}

// stream writes rep as server-sent events: text in pieces, each tool call
// as a first delta with id and name followed by argument pieces, then a
// usage chunk and [DONE].
func (s *Server) stream(w http.ResponseWriter, model string, rep Reply) {
	w.Header().Set("Content-Type", "text/event-stream")
	flusher, _ := w.(http.Flusher)
	send := func(v any) {
		b, _ := json.Marshal(v)
		_, _ = fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{
			"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1, "model": model,
			"choices": []map[string]any{{"index": 0, "delta": delta, "finish_reason": finish}},
		}
	}
	send(chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	for _, piece := range pieces(rep.Text, 7) {
		send(chunk(map[string]any{"content": piece}, nil))
	}
	for i, c := range rep.ToolCalls {
		send(chunk(map[string]any{"tool_calls": []map[string]any{{
			"index": i, "id": fmt.Sprintf("call_%d", i+1), "type": "function",
			"function": map[string]any{"name": c.Name, "arguments": ""},
		}}}, nil))
		for _, piece := range pieces(c.Arguments, 5) {
			send(chunk(map[string]any{"tool_calls": []map[string]any{{
				"index": i, "function": map[string]any{"arguments": piece},
			}}}, nil))
		}
	}
	finish := "stop"
	if len(rep.ToolCalls) > 0 {
		finish = "tool_calls"
	}
	send(chunk(map[string]any{}, finish))
	send(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1, "model": model,
		"choices": []any{},
		"usage": map[string]any{
			"prompt_tokens": rep.PromptTokens, "completion_tokens": rep.CompletionTokens,
			"total_tokens": rep.PromptTokens + rep.CompletionTokens,
		},
	})
	_, _ = io.WriteString(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

// pieces splits s into runs of at most n runes.
func pieces(s string, n int) []string {
	var out []string
	r := []rune(s)
	for len(r) > 0 {
		k := min(n, len(r))
		out = append(out, string(r[:k]))
		r = r[k:]
	}
	return out
}

// Contains reports whether any message of any request with role contains
// s.
func (s *Server) Contains(role, sub string) bool {
	for _, r := range s.Requests() {
		for _, m := range r.Messages() {
			if m.Role == role && strings.Contains(m.Content, sub) {
				return true
			}
		}
	}
	return false
}
