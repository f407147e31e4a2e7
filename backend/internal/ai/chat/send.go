package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/ai/memory"
	"github.com/wegweiser/wegweiser/backend/internal/ai/provider"
	"github.com/wegweiser/wegweiser/backend/internal/ai/scope"
	"github.com/wegweiser/wegweiser/backend/internal/ai/tools"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/validate"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/chatmessage"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// CheckQuestion trims a question and checks it is 1 to MaxQuestionLen
// characters.
func CheckQuestion(field, text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", apperr.Invalid(field, "must not be empty")
	}
	if utf8.RuneCountInString(text) > MaxQuestionLen {
		return "", apperr.Invalid(field, "must be at most %d characters", MaxQuestionLen)
	}
	if !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
		return "", apperr.Invalid(field, "must be valid UTF-8 text")
	}
	return text, nil
}

// turn is one answer being written.
type turn struct {
	s        *Service
	ctx      context.Context
	emit     func(Event) error
	conv     *ent.Conversation
	entity   scope.Entity
	question Message
	started  time.Time

	text      strings.Builder
	activity  []tools.Activity
	citations []Citation
	// records are the records tools returned, numbered from 1 in the
	// order they came back; keys dedupe them.
	records []tools.Record
	keys    map[string]int
	usage   Usage
	// summary replaces the conversation's summary when set.
	summary *summaryUpdate
}

// Send asks text in conversation id and streams the answer to emit: the
// question first (with the id it is stored under), then text, tools and
// citations as they come, and the stored answer last. The question and the
// answer are stored together in one transaction once the answer is
// complete: a question that gets no answer (budget spent, model failing,
// a refused tool round) leaves nothing behind.
func (s *Service) Send(ctx context.Context, id uuid.UUID, text string, emit func(Event) error) error {
	text, err := CheckQuestion("text", text)
	if err != nil {
		return err
	}
	c, err := s.load(ctx, s.st.Ent, id)
	if err != nil {
		return err
	}
	e, err := scope.Resolve(ctx, s.st.Ent, refOf(c))
	if err != nil {
		return err
	}
	t := &turn{
		s: s, ctx: ctx, emit: emit, conv: c, entity: e, started: s.opts.Now(), keys: map[string]int{},
		question: Message{ID: newID(), Role: "user", Text: text, Feedback: "none", CreatedAt: s.opts.Now().UTC()},
	}
	if fact, ok := rememberText(text); ok {
		return t.remember(fact)
	}
	v := viewer.FromContext(ctx)
	p, err := s.opts.Resolver.Provider(ctx, v.TenantID)
	if err != nil {
		return err
	}
	if err := emit(Event{Question: &t.question}); err != nil {
		return err
	}
	if p == nil {
		err = t.answerBuiltin()
	} else {
		err = t.answerModel(p)
	}
	if err != nil {
		return err
	}
	return t.store(nil)
}

// rememberText returns the fact of a "Remember:" message.
func rememberText(text string) (string, bool) {
	if len(text) < len(RememberPrefix) || !strings.EqualFold(text[:len(RememberPrefix)], RememberPrefix) {
		return "", false
	}
	return strings.TrimSpace(text[len(RememberPrefix):]), true
}

// remember stores a fact about the conversation's entity and confirms it,
// citing the memory, without calling a model.
func (t *turn) remember(fact string) error {
	if err := t.s.opts.CanTeach(t.ctx); err != nil {
		return err
	}
	fact, err := memory.CheckText("text", fact)
	if err != nil {
		return err
	}
	if err := t.emit(Event{Question: &t.question}); err != nil {
		return err
	}
	t.usage = Usage{Model: ai.BuiltinModel, Builtin: true}
	return t.store(func(tx *store.Tx) error {
		m, err := memory.CreateTx(t.ctx, tx, t.entity, fact, t.conv.ID)
		if err != nil {
			return err
		}
		cit := Citation{Number: 1, Record: tools.Record{
			Kind: tools.RecordMemory, ID: m.ID.String(), Entity: t.entity.Ref,
			Label: clip(fact, 120),
		}}
		t.citations = []Citation{cit}
		fmt.Fprintf(&t.text, "I will remember this about %s %s [1]. Conversations about it and what is below it will use it; you can delete it from the memory list.",
			t.entity.Ref.Kind, t.entity.Name)
		return nil
	})
}

// answerBuiltin answers with the built-in answerer.
func (t *turn) answerBuiltin() error {
	mems, err := t.s.memories.ForEntity(t.ctx, t.entity, true)
	if err != nil {
		return err
	}
	facts := make([]string, 0, len(mems))
	for _, m := range mems {
		facts = append(facts, m.Text)
	}
	// The built-in answerer reads no history, but the conversation is
	// kept within its budget all the same.
	if _, _, err := t.condense(nil); err != nil {
		return err
	}
	ans, err := t.s.opts.Builtin.Answer(t.ctx, t.entity.Ref, t.question.Text, facts)
	if err != nil {
		return err
	}
	for i := range ans.Activity {
		a := ans.Activity[i]
		t.activity = append(t.activity, a)
		if err := t.emit(Event{Tool: &a}); err != nil {
			return err
		}
	}
	// The built-in answerer numbers its records by position; only the
	// numbers its text uses are cited.
	t.records = append(t.records, ans.Records...)
	// The built-in answerer labels its answers itself; the engine only
	// makes sure the label is there.
	body := strings.TrimSpace(ans.Text)
	if !strings.Contains(body, ai.BuiltinLabel) {
		body += "\n\n_" + ai.BuiltinLabel + "_"
	}
	if err := t.delta(body); err != nil {
		return err
	}
	t.usage = Usage{Model: ai.BuiltinModel, Builtin: true}
	return t.cite()
}

// delta appends text to the answer and streams it.
func (t *turn) delta(s string) error {
	if s == "" {
		return nil
	}
	t.text.WriteString(s)
	return t.emit(Event{TextDelta: s})
}

// number gives a record its citation number (the same record keeps its
// number).
func (t *turn) number(r tools.Record) int {
	key := string(r.Kind) + "|" + r.ID + "|" + string(r.Entity.Kind) + "|" + r.Entity.ID.String()
	if n, ok := t.keys[key]; ok {
		return n
	}
	t.records = append(t.records, r)
	n := len(t.records)
	t.keys[key] = n
	return n
}

var citationRef = regexp.MustCompile(`\[(\d{1,4})\]`)

// cite emits a citation for every number the answer's text uses that names
// a record a tool returned, in order of first use. Numbers that name no
// returned record (a model inventing [7]) get no citation.
func (t *turn) cite() error {
	seen := map[int]bool{}
	for _, m := range citationRef.FindAllStringSubmatch(t.text.String(), -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil || n < 1 || n > len(t.records) || seen[n] {
			continue
		}
		seen[n] = true
		c := Citation{Number: n, Record: t.records[n-1]}
		t.citations = append(t.citations, c)
		if err := t.emit(Event{Citation: &c}); err != nil {
			return err
		}
	}
	return nil
}

// store writes the question and the answer (and, with extra, what the
// turn adds in the same transaction) and emits the stored answer.
func (t *turn) store(extra func(tx *store.Tx) error) error {
	v := viewer.FromContext(t.ctx)
	answer := Message{
		ID: newID(), Role: "assistant", Feedback: "none", Tools: t.activity, Usage: t.usage,
		CreatedAt: t.s.opts.Now().UTC(),
	}
	if !answer.CreatedAt.After(t.question.CreatedAt) {
		answer.CreatedAt = t.question.CreatedAt.Add(time.Microsecond)
	}
	answer.Usage.LatencyMS = t.s.opts.Now().Sub(t.started).Milliseconds()
	err := t.s.st.Tx(t.ctx, func(tx *store.Tx) error {
		// The device lock keeps a move from changing the conversation's
		// organisation under us, and a deleted entity ends the answer.
		if _, err := memory.LockedOrganisation(t.ctx, tx, t.entity); err != nil {
			return err
		}
		c, err := t.s.load(t.ctx, tx.Client, t.conv.ID)
		if err != nil {
			return err
		}
		if extra != nil {
			if err := extra(tx); err != nil {
				return err
			}
		}
		answer.Text = t.text.String()
		answer.Citations = t.citations
		upd := c.Update().SetMessageCount(c.MessageCount + 2).SetUpdatedAt(answer.CreatedAt)
		if c.Title == "" {
			upd.SetTitle(clip(t.question.Text, MaxTitleLen))
		}
		if t.summary != nil {
			upd.SetSummary(t.summary.text).SetSummarisedUpTo(t.summary.upTo)
		}
		if err := upd.Exec(t.ctx); err != nil {
			return fmt.Errorf("update conversation: %w", err)
		}
		cits, err := json.Marshal(answer.Citations)
		if err != nil {
			return fmt.Errorf("encode citations: %w", err)
		}
		acts, err := json.Marshal(answer.Tools)
		if err != nil {
			return fmt.Errorf("encode tool activity: %w", err)
		}
		if err := tx.ChatMessage.Create().SetID(t.question.ID).SetTenantID(v.TenantID).SetConversationID(c.ID).
			SetRole(chatmessage.RoleUser).SetText(t.question.Text).SetCreatedAt(t.question.CreatedAt).Exec(t.ctx); err != nil {
			return fmt.Errorf("store question: %w", err)
		}
		u := answer.Usage
		if err := tx.ChatMessage.Create().SetID(answer.ID).SetTenantID(v.TenantID).SetConversationID(c.ID).
			SetRole(chatmessage.RoleAssistant).SetText(answer.Text).SetCitations(cits).SetTools(acts).
			SetPromptTokens(u.PromptTokens).SetCompletionTokens(u.CompletionTokens).SetModel(validate.Clip(u.Model, 200)).
			SetBuiltin(u.Builtin).SetLatencyMs(u.LatencyMS).SetCreatedAt(answer.CreatedAt).Exec(t.ctx); err != nil {
			return fmt.Errorf("store answer: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if extra != nil {
		// What extra wrote is streamed once it is stored.
		if err := t.emit(Event{TextDelta: answer.Text}); err != nil {
			return err
		}
		for i := range answer.Citations {
			if err := t.emit(Event{Citation: &answer.Citations[i]}); err != nil {
				return err
			}
		}
	}
	return t.emit(Event{Answer: &answer})
}

// answerModel lets the model answer, running the tools it calls, for at
// most MaxRounds model calls.
func (t *turn) answerModel(p ai.Provider) error {
	v := viewer.FromContext(t.ctx)
	if err := t.s.opts.Resolver.Allow(t.ctx, v.TenantID); err != nil {
		if rerr := t.record(p.Model(), ai.Response{}, 0, ai.OutcomeBudget); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	msgs, err := t.context(p)
	if err != nil {
		return err
	}
	specs := make([]ai.ToolSpec, 0, len(t.s.opts.Tools))
	for _, tl := range t.s.opts.Tools {
		specs = append(specs, ai.ToolSpec{Name: tl.Name, Description: tl.Description, Parameters: tl.Parameters})
	}
	t.usage.Model = p.Model()
	for round := 0; ; round++ {
		req := ai.Request{Messages: msgs}
		last := round == t.s.opts.MaxRounds-1
		if !last {
			req.Tools = specs
		}
		var streamErr error
		res, err := t.complete(p, req, func(s string) {
			if streamErr == nil {
				streamErr = t.delta(s)
			}
		})
		if err != nil {
			return err
		}
		if streamErr != nil {
			return streamErr
		}
		if len(res.Message.ToolCalls) == 0 || last {
			break
		}
		msgs = append(msgs, ai.Message{Role: ai.RoleAssistant, Content: res.Message.Content, ToolCalls: res.Message.ToolCalls})
		for _, call := range res.Message.ToolCalls {
			content, err := t.runTool(call)
			if err != nil {
				return err
			}
			msgs = append(msgs, ai.Message{Role: ai.RoleTool, ToolCallID: call.ID, Content: content})
		}
	}
	return t.cite()
}

// complete makes one model call and records it: tokens, latency and
// outcome, never the prompt, the answer or the key.
func (t *turn) complete(p ai.Provider, req ai.Request, onText func(string)) (ai.Response, error) {
	start := time.Now()
	res, err := p.Complete(t.ctx, req, onText)
	outcome := ai.OutcomeOK
	switch {
	case err != nil && provider.IsTimeout(err):
		outcome = ai.OutcomeTimeout
	case err != nil:
		outcome = ai.OutcomeError
	}
	if rerr := t.record(p.Model(), res, time.Since(start), outcome); rerr != nil && err == nil {
		return res, rerr
	}
	if err != nil {
		return res, err
	}
	t.usage.PromptTokens += res.PromptTokens
	t.usage.CompletionTokens += res.CompletionTokens
	if res.Model != "" {
		t.usage.Model = res.Model
	}
	return res, nil
}

// record stores the record of a model call.
func (t *turn) record(model string, res ai.Response, latency time.Duration, outcome ai.Outcome) error {
	v := viewer.FromContext(t.ctx)
	if res.Model != "" {
		model = res.Model
	}
	err := t.s.opts.Resolver.Record(t.ctx, ai.Call{
		TenantID: v.TenantID, UserID: v.UserID, Purpose: ai.PurposeChat, Model: model,
		PromptTokens: res.PromptTokens, CompletionTokens: res.CompletionTokens, Latency: latency, Outcome: outcome,
	})
	if err != nil {
		return fmt.Errorf("record model call: %w", err)
	}
	return nil
}

// toolResult is what the model gets back from a tool: endpoint text only
// inside string values of this JSON, and the citation number of every
// record it refers to as "R1", "R2", ….
type toolResult struct {
	Tool    string            `json:"tool"`
	Summary string            `json:"summary,omitempty"`
	NoData  string            `json:"no_data,omitempty"`
	Error   string            `json:"error,omitempty"`
	Data    any               `json:"data,omitempty"`
	Cite    map[string]string `json:"cite,omitempty"`
}

// runTool runs one tool call as the viewer, limited to the conversation's
// entity, and returns the tool message's content. A tool that fails or is
// unknown tells the model so (a domain error's message, nothing of an
// internal one); only a cancelled call ends the answer.
func (t *turn) runTool(call ai.ToolCall) (string, error) {
	var tool *tools.Tool
	for i := range t.s.opts.Tools {
		if t.s.opts.Tools[i].Name == call.Name {
			tool = &t.s.opts.Tools[i]
			break
		}
	}
	act := tools.Activity{Name: clip(call.Name, 64), Summary: clip(argsSummary(call.Arguments), 200)}
	out := toolResult{Tool: call.Name}
	args := json.RawMessage(call.Arguments)
	if strings.TrimSpace(call.Arguments) == "" {
		args = json.RawMessage("{}")
	}
	switch {
	case tool == nil:
		act.Failed, act.Result = true, "unknown tool"
		out.Error = "there is no tool of that name"
	case !json.Valid(args):
		act.Failed, act.Result = true, "bad arguments"
		out.Error = "the arguments are not a JSON object"
	default:
		res, err := tool.Run(t.ctx, t.entity.Ref, args)
		if err != nil {
			if t.ctx.Err() != nil {
				return "", t.ctx.Err()
			}
			act.Failed, act.Result = true, "failed"
			out.Error = "the tool failed: " + toolError(err)
			break
		}
		act.Result = res.Summary
		out.Summary = res.Summary
		if res.Empty {
			out.NoData = "There is no data for this question in this scope; say so plainly rather than saying there are none."
			if act.Result == "" {
				act.Result = "no data"
			}
		}
		out.Data = res.Data
		if len(res.Records) > 0 {
			out.Cite = map[string]string{}
			for i, r := range res.Records {
				out.Cite[fmt.Sprintf("R%d", i+1)] = fmt.Sprintf("[%d]", t.number(r))
			}
		}
	}
	t.activity = append(t.activity, act)
	if err := t.emit(Event{Tool: &act}); err != nil {
		return "", err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("encode tool result: %w", err)
	}
	return string(b), nil
}

// toolError is what the model is told of a failed tool: the message of a
// domain error (written for callers), nothing of an internal one.
func toolError(err error) string {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return "internal error"
}

// argsSummary renders a tool call's arguments for people.
func argsSummary(args string) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(args), &m); err != nil || len(m) == 0 {
		return ""
	}
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s=%v", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }
