package chatapi_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/ai/aitest"
	"github.com/wegweiser/wegweiser/backend/internal/ai/provider"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/chatmessage"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

const (
	send   = "wegweiser.v1.ChatService/SendMessage"
	create = "wegweiser.v1.ChatService/CreateConversation"
	get    = "wegweiser.v1.ChatService/GetConversation"
)

// resolver points every tenant at one provider and can refuse for budget.
type resolver struct {
	p         ai.Provider
	mu        sync.Mutex
	exhausted bool
}

func (r *resolver) Provider(context.Context, uuid.UUID) (ai.Provider, error) { return r.p, nil }
func (r *resolver) Allow(context.Context, uuid.UUID) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.exhausted {
		return apperr.ResourceExhausted(3600, "the tenant's monthly token budget is spent")
	}
	return nil
}
func (r *resolver) Record(context.Context, ai.Call) error { return nil }

type env struct {
	srv   *testenv.Server
	ten   *testenv.Tenant
	model *aitest.Server
	res   *resolver
	owner string
}

func start(t *testing.T, st *store.Store, replies ...aitest.Reply) *env {
	model := aitest.New(t, replies...)
	p, err := provider.NewOpenAI(provider.Config{BaseURL: model.URL(), Model: "m", APIKey: "sk-test", Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	res := &resolver{p: p}
	srv := testenv.StartServerWith(t, st, func(c *config.Config) { c.AIResolver = res })
	ten := testenv.NewTenant(t, srv, "chatapi")
	return &env{srv: srv, ten: ten, model: model, res: res, owner: ten.Login(t, ten.Owner)}
}

func (e *env) conversation(t *testing.T, token string) string {
	t.Helper()
	c := testenv.Call(t, e.srv.URL, create, token, map[string]any{
		"scope": map[string]any{"kind": "ENTITY_KIND_DEVICE", "id": e.ten.Devices[0]},
	})
	c.Must(t)
	return c.Str("conversation.id")
}

func (e *env) messages(t *testing.T, id string) int {
	t.Helper()
	g := testenv.Call(t, e.srv.URL, get, e.owner, map[string]any{"id": id})
	g.Must(t)
	ms, _ := g.Body["messages"].([]any)
	return len(ms)
}

func TestSendMessageStreams(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		e := start(t, st, aitest.Reply{Text: "No device of this scope reports data yet.", PromptTokens: 10, CompletionTokens: 5})
		id := e.conversation(t, e.owner)
		res := testenv.CallStream(t, e.srv.URL, send, e.owner, map[string]any{"conversationId": id, "text": "How is it?"})
		if res.Code != "ok" || len(res.Messages) < 3 {
			t.Fatalf("%s: %s", res.Code, res.Raw)
		}
		first, last := res.Messages[0], res.Messages[len(res.Messages)-1]
		q, _ := first["question"].(map[string]any)
		a, _ := last["answer"].(map[string]any)
		if q == nil || q["text"] != "How is it?" || a == nil || a["text"] != "No device of this scope reports data yet." {
			t.Fatalf("first %v last %v", first, last)
		}
		var text strings.Builder
		for _, m := range res.Messages[1 : len(res.Messages)-1] {
			d, _ := m["textDelta"].(string)
			text.WriteString(d)
		}
		if text.String() != a["text"] {
			t.Fatalf("deltas %q", text.String())
		}
		usage, _ := a["usage"].(map[string]any)
		if usage["model"] != "m" || usage["promptTokens"] != "10" {
			t.Fatalf("usage %v", usage)
		}
		if n := e.messages(t, id); n != 2 {
			t.Fatalf("%d stored messages", n)
		}
	})
}

func TestSendMessageFailures(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		e := start(t, st)
		id := e.conversation(t, e.owner)
		ask := func() *testenv.Response {
			return testenv.CallStream(t, e.srv.URL, send, e.owner, map[string]any{"conversationId": id, "text": "Why?"})
		}
		for _, tc := range []struct {
			reply aitest.Reply
			code  string
		}{
			{aitest.Reply{Status: 500}, "unavailable"},
			{aitest.Reply{Hang: true}, "unavailable"},
			{aitest.Reply{Status: 401}, "failed_precondition"},
			{aitest.Reply{Status: 429}, "resource_exhausted"},
		} {
			e.model.Script(tc.reply)
			res := ask()
			if res.Code != tc.code {
				t.Fatalf("%+v: got %s (%s)", tc.reply, res.Code, res.Raw)
			}
			if strings.Contains(string(res.Raw), "sk-test") {
				t.Fatalf("the key leaked: %s", res.Raw)
			}
		}
		e.model.Script(aitest.Reply{Text: "fine"})
		e.res.exhausted = true
		n := len(e.model.Requests())
		if res := ask(); res.Code != "resource_exhausted" {
			t.Fatalf("budget: %s %s", res.Code, res.Raw)
		}
		if len(e.model.Requests()) != n {
			t.Fatal("the model was called past the budget")
		}
		if got := e.messages(t, id); got != 0 {
			t.Fatalf("%d messages stored for questions without answers", got)
		}
	})
}

func TestValidationAndPrivacy(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		e := start(t, st, aitest.Reply{Text: "ok"})
		id := e.conversation(t, e.owner)
		for _, tc := range []struct {
			proc  string
			body  map[string]any
			field string
		}{
			{send, map[string]any{"conversationId": id, "text": ""}, "text"},
			{send, map[string]any{"conversationId": id, "text": strings.Repeat("x", 4001)}, "text"},
			{send, map[string]any{"conversationId": "nope", "text": "hi"}, "conversation_id"},
			{create, map[string]any{"scope": map[string]any{"kind": "ENTITY_KIND_DEVICE"}}, "scope.id"},
			{create, map[string]any{"scope": map[string]any{"kind": "ENTITY_KIND_DEVICE", "id": e.ten.Devices[0]}, "title": strings.Repeat("t", 201)}, "title"},
			{"wegweiser.v1.ChatService/RenameConversation", map[string]any{"id": id, "title": ""}, "title"},
			{"wegweiser.v1.ChatService/SubmitFeedback", map[string]any{"messageId": id, "comment": strings.Repeat("c", 2001)}, "comment"},
		} {
			var res *testenv.Response
			if tc.proc == send {
				res = testenv.CallStream(t, e.srv.URL, tc.proc, e.owner, tc.body)
			} else {
				res = testenv.Call(t, e.srv.URL, tc.proc, e.owner, tc.body)
			}
			msg, _ := res.Body["message"].(string)
			if res.Code != "invalid_argument" || !strings.HasPrefix(msg, tc.field+":") {
				t.Fatalf("%s %v: %s %s", tc.proc, tc.body, res.Code, res.Raw)
			}
		}
		// Another user of the tenant cannot see or use the conversation.
		admin := e.ten.Login(t, e.ten.Members[viewer.RoleAdmin])
		if res := testenv.Call(t, e.srv.URL, get, admin, map[string]any{"id": id}); res.Code != "not_found" {
			t.Fatalf("get as another user: %s", res.Code)
		}
		if res := testenv.CallStream(t, e.srv.URL, send, admin, map[string]any{"conversationId": id, "text": "hi"}); res.Code != "not_found" {
			t.Fatalf("send as another user: %s", res.Code)
		}
		// A viewer may ask but not teach.
		vt := e.ten.Login(t, e.ten.Members[viewer.RoleViewer])
		vid := e.conversation(t, vt)
		if res := testenv.CallStream(t, e.srv.URL, send, vt, map[string]any{"conversationId": vid, "text": "Remember: x"}); res.Code != "permission_denied" {
			t.Fatalf("viewer teaching: %s %s", res.Code, res.Raw)
		}
		tt := e.ten.Login(t, e.ten.Members[viewer.RoleTechnician])
		tid := e.conversation(t, tt)
		res := testenv.CallStream(t, e.srv.URL, send, tt, map[string]any{"conversationId": tid, "text": "Remember: PC-00 is the file server"})
		if res.Code != "ok" || !strings.Contains(string(res.Raw), "RECORD_KIND_MEMORY") {
			t.Fatalf("technician teaching: %s %s", res.Code, res.Raw)
		}
		// A scoped technician cannot start a tenant conversation.
		if res := testenv.Call(t, e.srv.URL, create, tt, map[string]any{"scope": map[string]any{"kind": "ENTITY_KIND_TENANT"}}); res.Code != "permission_denied" {
			t.Fatalf("scoped tenant conversation: %s", res.Code)
		}
	})
}

// TestConversationsFollowTheirEntity: a device's conversations and memories
// move with it; a deleted group's conversations go with their messages.
func TestConversationsFollowTheirEntity(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		e := start(t, st, aitest.Reply{Text: "ok"})
		dev := e.ten.Devices[0]
		conv := e.conversation(t, e.owner)
		if res := testenv.CallStream(t, e.srv.URL, send, e.owner, map[string]any{"conversationId": conv, "text": "Remember: the plotter PC"}); res.Code != "ok" {
			t.Fatalf("teach: %s", res.Raw)
		}
		g := testenv.Call(t, e.srv.URL, create, e.owner, map[string]any{"scope": map[string]any{"kind": "ENTITY_KIND_GROUP", "id": e.ten.Groups[1]}})
		g.Must(t)
		gconv := g.Str("conversation.id")
		if res := testenv.CallStream(t, e.srv.URL, send, e.owner, map[string]any{"conversationId": gconv, "text": "How is the group?"}); res.Code != "ok" {
			t.Fatalf("ask: %s", res.Raw)
		}
		testenv.Call(t, e.srv.URL, "wegweiser.v1.DeviceService/MoveDevice", e.owner, map[string]any{
			"id": dev, "organisationId": e.ten.Organisations[1],
		}).Must(t)
		ctx := viewer.NewContext(context.Background(), &viewer.Viewer{
			UserID: uuid.MustParse(e.ten.Owner.ID), TenantID: uuid.MustParse(e.ten.ID), Role: viewer.RoleOwner,
		})
		c := e.srv.App.Store.Ent
		convs, err := c.Conversation.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, cv := range convs {
			if cv.ScopeID.String() == dev && (cv.OrganisationID == nil || cv.OrganisationID.String() != e.ten.Organisations[1]) {
				t.Fatalf("conversation %s stayed in the old organisation", cv.ID)
			}
		}
		mems, err := c.Memory.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mems {
			if m.ScopeID.String() == dev && m.OrganisationID.String() != e.ten.Organisations[1] {
				t.Fatalf("memory %s stayed in the old organisation", m.ID)
			}
		}
		testenv.Call(t, e.srv.URL, "wegweiser.v1.TenantService/DeleteGroup", e.owner, map[string]any{"id": e.ten.Groups[1]}).Must(t)
		if res := testenv.Call(t, e.srv.URL, get, e.owner, map[string]any{"id": gconv}); res.Code != "not_found" {
			t.Fatalf("a deleted group's conversation: %s", res.Code)
		}
		if n, err := c.ChatMessage.Query().Where(chatmessage.ConversationID(uuid.MustParse(gconv))).Count(ctx); err != nil || n != 0 {
			t.Fatalf("%d messages of a deleted group's conversation (%v)", n, err)
		}
		if res := testenv.Call(t, e.srv.URL, get, e.owner, map[string]any{"id": conv}); res.Code != "ok" {
			t.Fatalf("the moved device's conversation: %s", res.Code)
		}
	})
}

func TestConversationLifecycle(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		e := start(t, st, aitest.Reply{Text: "fine"})
		dev := map[string]any{"kind": "ENTITY_KIND_DEVICE", "id": e.ten.Devices[0]}
		org := map[string]any{"kind": "ENTITY_KIND_ORGANISATION", "id": e.ten.Organisations[0]}
		a := testenv.Call(t, e.srv.URL, create, e.owner, map[string]any{"scope": org, "title": "About the org"})
		a.Must(t)
		if a.Str("conversation.scopeName") == "" || a.Str("conversation.title") != "About the org" {
			t.Fatalf("created %s", a.Raw)
		}
		id := e.conversation(t, e.owner)
		res := testenv.CallStream(t, e.srv.URL, send, e.owner, map[string]any{"conversationId": id, "text": "Is it healthy?"})
		if res.Code != "ok" {
			t.Fatalf("send: %s", res.Raw)
		}
		answer, _ := res.Messages[len(res.Messages)-1]["answer"].(map[string]any)
		// Pages of one, newest first, filtered by entity.
		list := testenv.Call(t, e.srv.URL, "wegweiser.v1.ChatService/ListConversations", e.owner, map[string]any{"pageSize": 1})
		list.Must(t)
		if cs, _ := list.Body["conversations"].([]any); len(cs) != 1 || cs[0].(map[string]any)["id"] != id || list.Str("nextPageToken") == "" {
			t.Fatalf("first page %s", list.Raw)
		}
		byDev := testenv.Call(t, e.srv.URL, "wegweiser.v1.ChatService/ListConversations", e.owner, map[string]any{"scope": dev})
		byDev.Must(t)
		for _, c := range byDev.Body["conversations"].([]any) {
			if c.(map[string]any)["scope"].(map[string]any)["id"] != e.ten.Devices[0] {
				t.Fatalf("filtered list %s", byDev.Raw)
			}
		}
		got := testenv.Call(t, e.srv.URL, get, e.owner, map[string]any{"id": id})
		got.Must(t)
		if got.Str("conversation.title") != "Is it healthy?" || got.Body["conversation"].(map[string]any)["messageCount"] != float64(2) {
			t.Fatalf("get %s", got.Raw)
		}
		testenv.Call(t, e.srv.URL, "wegweiser.v1.ChatService/RenameConversation", e.owner, map[string]any{"id": id, "title": "Health"}).Must(t)
		testenv.Call(t, e.srv.URL, "wegweiser.v1.ChatService/SubmitFeedback", e.owner, map[string]any{
			"messageId": answer["id"], "feedback": "FEEDBACK_WRONG", "comment": "PC-00 is new",
		}).Must(t)
		got = testenv.Call(t, e.srv.URL, get, e.owner, map[string]any{"id": id})
		msgs := got.Body["messages"].([]any)
		if got.Str("conversation.title") != "Health" || msgs[1].(map[string]any)["feedback"] != "FEEDBACK_WRONG" {
			t.Fatalf("after rename and feedback %s", got.Raw)
		}
		// Feedback is for answers, and only the caller's.
		q := msgs[0].(map[string]any)["id"]
		if r := testenv.Call(t, e.srv.URL, "wegweiser.v1.ChatService/SubmitFeedback", e.owner, map[string]any{"messageId": q, "feedback": "FEEDBACK_HELPFUL"}); r.Code != "invalid_argument" {
			t.Fatalf("feedback on a question: %s", r.Code)
		}
		admin := e.ten.Login(t, e.ten.Members[viewer.RoleAdmin])
		if r := testenv.Call(t, e.srv.URL, "wegweiser.v1.ChatService/SubmitFeedback", admin, map[string]any{"messageId": answer["id"], "feedback": "FEEDBACK_HELPFUL"}); r.Code != "not_found" {
			t.Fatalf("feedback by another user: %s", r.Code)
		}
		testenv.Call(t, e.srv.URL, "wegweiser.v1.ChatService/DeleteConversation", e.owner, map[string]any{"id": id}).Must(t)
		if r := testenv.Call(t, e.srv.URL, get, e.owner, map[string]any{"id": id}); r.Code != "not_found" {
			t.Fatalf("deleted: %s", r.Code)
		}
	})
}
