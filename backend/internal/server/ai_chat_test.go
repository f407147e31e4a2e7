package server_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// TestBuiltinChatOnADevicePage is what the SPA's browser test does with no
// model configured: on a device page, "what is wrong with this device?"
// streams an answer of the built-in answerer, labelled as such, citing at
// least one record of that device; the page's narrative panel asks for the
// narrative of an entity that has none yet and gets an empty response,
// not an error.
func TestBuiltinChatOnADevicePage(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		ten := testenv.NewTenant(t, srv, "chatpage")
		ctx := context.Background()
		tok := ten.Login(t, ten.Owner)
		own := srv.Clients(tok)
		bad := ten.Enrol(t, "chatpage-disk")
		submitSnapshot(t, srv, bad.Token, sick("chatpage-disk"))
		waitScored(t, own, bad.DeviceID, nil)

		for _, role := range []viewer.Role{viewer.RoleOwner, viewer.RoleViewer} {
			tok := ten.Login(t, ten.Members[role])
			conv := testenv.Call(t, srv.URL, "wegweiser.v1.ChatService/CreateConversation", tok, map[string]any{
				"scope": map[string]any{"kind": "ENTITY_KIND_DEVICE", "id": bad.DeviceID},
			})
			conv.Must(t)
			res := testenv.CallStream(t, srv.URL, "wegweiser.v1.ChatService/SendMessage", tok, map[string]any{
				"conversationId": conv.Str("conversation.id"), "text": "what is wrong with this device?",
			})
			if res.Code != "ok" || len(res.Messages) < 3 {
				t.Fatalf("%s: %s: %s", role, res.Code, res.Raw)
			}
			var text strings.Builder
			streamed := 0
			for _, m := range res.Messages {
				if d, ok := m["textDelta"].(string); ok {
					text.WriteString(d)
				}
				if _, ok := m["citation"]; ok {
					streamed++
				}
			}
			answer, _ := res.Messages[len(res.Messages)-1]["answer"].(map[string]any)
			if answer == nil || answer["text"] != text.String() {
				t.Fatalf("%s: last event %v, streamed text %q", role, res.Messages[len(res.Messages)-1], text.String())
			}
			usage, _ := answer["usage"].(map[string]any)
			if usage["builtin"] != true || usage["model"] != ai.BuiltinModel || !strings.Contains(text.String(), ai.BuiltinLabel) {
				t.Errorf("%s: not labelled as the built-in answerer: usage %v, text %q", role, usage, text.String())
			}
			cits, _ := answer["citations"].([]any)
			if len(cits) == 0 || streamed != len(cits) {
				t.Fatalf("%s: %d citations stored, %d streamed: %s", role, len(cits), streamed, res.Raw)
			}
			onDevice := false
			for _, c := range cits {
				cm, _ := c.(map[string]any)
				e, _ := cm["entity"].(map[string]any)
				if e["kind"] == "ENTITY_KIND_DEVICE" && e["id"] == bad.DeviceID {
					onDevice = true
				}
				if n, _ := cm["number"].(float64); n < 1 || !strings.Contains(text.String(), "["+strconv.Itoa(int(n))+"]") {
					t.Errorf("%s: citation %v is not referred to in the text", role, cm)
				}
			}
			if !onDevice {
				t.Errorf("%s: no citation names the device %s: %v", role, bad.DeviceID, cits)
			}
		}

		// Entities without a narrative: a device that never sent a
		// snapshot and a group created just now, each asked about once
		// (asking queues one).
		for i, role := range []viewer.Role{viewer.RoleOwner, viewer.RoleViewer} {
			c := srv.Clients(ten.Login(t, ten.Members[role]))
			g := must(own.Tenant.CreateGroup(ctx, &v1.CreateGroupRequest{OrganisationId: ten.Organisations[0], Name: "no narrative yet " + string(role)}))(t).GetGroup()
			for _, e := range []*v1.EntityRef{deviceRef(ten.Devices[1+i]), entity(v1.EntityKind_ENTITY_KIND_GROUP, g.GetId())} {
				res, err := c.AI.GetNarrative(ctx, &v1.GetNarrativeRequest{Entity: e})
				if err != nil {
					t.Fatalf("%s: narrative of %s %s: %v", role, e.GetKind(), e.GetId(), err)
				}
				if res.GetNarrative() != nil {
					t.Errorf("%s: %s %s has a narrative already: %s", role, e.GetKind(), e.GetId(), pj(res))
				}
			}
		}
	})
}
