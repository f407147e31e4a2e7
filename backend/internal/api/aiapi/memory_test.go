package aiapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/ai/memory"
	"github.com/wegweiser/wegweiser/backend/internal/api/aiapi"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// The handler is called directly: AIService is registered with the rest of
// its procedures.
func TestMemoryHandler(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "memory")
		other := testenv.NewTenant(t, srv, "other")
		as := func(tn *testenv.Tenant, role viewer.Role) context.Context {
			v := &viewer.Viewer{UserID: uuid.MustParse(tn.Members[role].ID), TenantID: uuid.MustParse(tn.ID), Role: role}
			if role.Scoped() {
				v.OrganisationIDs = []uuid.UUID{uuid.MustParse(tn.Organisations[0])}
			}
			return viewer.NewContext(context.Background(), v)
		}
		h := &aiapi.MemoryHandler{Memories: memory.NewService(st)}
		ctx := as(ten, viewer.RoleOwner)
		org := &v1.EntityRef{Kind: v1.EntityKind_ENTITY_KIND_ORGANISATION, Id: ten.Organisations[0]}
		dev := &v1.EntityRef{Kind: v1.EntityKind_ENTITY_KIND_DEVICE, Id: ten.Devices[0]}
		created, err := h.CreateMemory(ctx, &v1.CreateMemoryRequest{Scope: org, Text: " Backups run at 02:00 "})
		if err != nil {
			t.Fatal(err)
		}
		m := created.GetMemory()
		if m.GetText() != "Backups run at 02:00" || m.GetCreatedBy() != ten.Owner.ID || m.GetScopeName() == "" || m.GetConversationId() != "" {
			t.Fatalf("memory %+v", m)
		}
		// Listed at the organisation, and at its device only with the
		// inherited ones (the fixture taught one about the device itself).
		list, err := h.ListMemories(ctx, &v1.ListMemoriesRequest{Scope: dev})
		if err != nil || len(list.GetMemories()) != 1 {
			t.Fatalf("device memories %+v %v", list, err)
		}
		list, err = h.ListMemories(ctx, &v1.ListMemoriesRequest{Scope: dev, IncludeInherited: true})
		if err != nil || len(list.GetMemories()) != 2 || list.GetMemories()[1].GetId() != m.GetId() {
			t.Fatalf("inherited memories %+v %v", list, err)
		}
		for _, tc := range []struct {
			req   *v1.CreateMemoryRequest
			field string
		}{
			{&v1.CreateMemoryRequest{Scope: org, Text: ""}, "text"},
			{&v1.CreateMemoryRequest{Scope: org, Text: strings.Repeat("x", 1001)}, "text"},
			{&v1.CreateMemoryRequest{Scope: &v1.EntityRef{Kind: v1.EntityKind_ENTITY_KIND_DEVICE}, Text: "x"}, "scope.id"},
			{&v1.CreateMemoryRequest{Scope: org, Text: "x", ConversationId: "nope"}, "conversation_id"},
		} {
			_, err := h.CreateMemory(ctx, tc.req)
			if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindInvalid || e.Field != tc.field {
				t.Fatalf("%+v: %v", tc.req, err)
			}
		}
		// Another tenant's entity, memory or conversation is not found.
		octx := as(other, viewer.RoleOwner)
		if _, err := h.CreateMemory(octx, &v1.CreateMemoryRequest{Scope: org, Text: "x"}); !apperr.Is(err, apperr.KindNotFound) {
			t.Fatalf("foreign scope: %v", err)
		}
		if _, err := h.DeleteMemory(octx, &v1.DeleteMemoryRequest{Id: m.GetId()}); !apperr.Is(err, apperr.KindNotFound) {
			t.Fatalf("foreign delete: %v", err)
		}
		ownOrg := &v1.EntityRef{Kind: v1.EntityKind_ENTITY_KIND_ORGANISATION, Id: other.Organisations[0]}
		if _, err := h.CreateMemory(octx, &v1.CreateMemoryRequest{Scope: ownOrg, Text: "x", ConversationId: ten.Conversation}); !apperr.Is(err, apperr.KindNotFound) {
			t.Fatalf("foreign conversation: %v", err)
		}
		// A technician limited to the first organisation neither sees nor
		// teaches the tenant's memories.
		tctx := as(ten, viewer.RoleTechnician)
		if _, err := h.ListMemories(tctx, &v1.ListMemoriesRequest{}); !apperr.Is(err, apperr.KindPermissionDenied) {
			t.Fatalf("scoped tenant list: %v", err)
		}
		if _, err := h.DeleteMemory(ctx, &v1.DeleteMemoryRequest{Id: m.GetId()}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.DeleteMemory(ctx, &v1.DeleteMemoryRequest{Id: m.GetId()}); !apperr.Is(err, apperr.KindNotFound) {
			t.Fatalf("second delete: %v", err)
		}
	})
}
