package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1/wegweiserv1connect"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/bypass"
	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/apikey"
	"github.com/wegweiser/wegweiser/ent/auditevent"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// keyClient is an APIKeyService client sending token.
func keyClient(srv *testenv.Server, token string) wegweiserv1connect.APIKeyServiceClient {
	return wegweiserv1connect.NewAPIKeyServiceClient(http.DefaultClient, srv.URL, connect.WithInterceptors(
		connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
			return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
				req.Header().Set("Authorization", "Bearer "+token)
				return next(ctx, req)
			}
		})))
}

// keyDeviceIDs lists the devices a token sees.
func keyDeviceIDs(t *testing.T, srv *testenv.Server, token string) []string {
	t.Helper()
	res := testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/ListDevices", token, map[string]any{"pageSize": 500})
	res.Must(t)
	var ids []string
	items, _ := res.Body["devices"].([]any)
	for _, it := range items {
		d, _ := it.(map[string]any)
		if dev, ok := d["device"].(map[string]any); ok {
			d = dev
		}
		id, _ := d["id"].(string)
		ids = append(ids, id)
	}
	return ids
}

// auditCount counts a tenant's audit events of action about target.
func auditCount(t *testing.T, srv *testenv.Server, tenantID, target, action string) int {
	t.Helper()
	ctx := bypass.AsTenant(context.Background(), uuid.MustParse(tenantID), "test: read the audit log")
	n, err := srv.App.Store.Ent.AuditEvent.Query().Where(auditevent.Action(action), auditevent.TargetID(uuid.MustParse(target))).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAPIKeys: an owner creates a key (secret shown once, only its hash
// stored), the key calls the API with its role and scope, its use is
// recorded once a minute at most, and revoking it stops it on the next
// request; creation and revocation are audited.
func TestAPIKeys(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		a := testenv.NewTenant(t, srv, "keys-a")
		b := testenv.NewTenant(t, srv, "keys-b")
		ctx := context.Background()
		owner := a.Login(t, a.Owner)
		c := keyClient(srv, owner)

		created, err := c.CreateAPIKey(ctx, &v1.CreateAPIKeyRequest{Name: "  CI export ", Role: v1.Role_ROLE_VIEWER})
		if err != nil {
			t.Fatal(err)
		}
		secret, key := created.GetSecret(), created.GetApiKey()
		if !strings.HasPrefix(secret, "wwk_") || len(secret) != 47 || key.GetPrefix() != secret[:12] || key.GetName() != "CI export" ||
			key.GetRole() != v1.Role_ROLE_VIEWER || key.GetCreatedBy() != a.Owner.Email || key.GetRevokeTime() != nil {
			t.Fatalf("created %v with secret %q", key, secret)
		}
		sys := bypass.AsTenant(ctx, uuid.MustParse(a.ID), "test: read the stored key")
		row, err := st.Ent.APIKey.Get(sys, uuid.MustParse(key.GetId()))
		if err != nil {
			t.Fatal(err)
		}
		if row.SecretHash == "" || strings.Contains(row.SecretHash, secret[4:]) {
			t.Fatalf("stored %q for the secret", row.SecretHash)
		}

		// The key sees its tenant's devices, never tenant B's.
		seen := keyDeviceIDs(t, srv, secret)
		if len(seen) != len(a.Devices) {
			t.Errorf("viewer key sees %d devices, want %d", len(seen), len(a.Devices))
		}
		for _, id := range b.Devices {
			if slices.Contains(seen, id) {
				t.Fatalf("tenant A's key sees tenant B's device %s", id)
			}
			if res := testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/GetDevice", secret, map[string]any{"id": id}); res.Code != "not_found" {
				t.Fatalf("tenant A's key reads B's device: %s %s", res.Code, res.Raw)
			}
		}
		// The viewer role holds: no writes, and no session-only procedures.
		if res := testenv.Call(t, srv.URL, "wegweiser.v1.TenantService/CreateOrganisation", secret, map[string]any{"name": "x"}); res.Code != "permission_denied" {
			t.Errorf("viewer key created an organisation: %s", res.Code)
		}
		ownerKey := a.APIKeys[viewer.RoleOwner]
		if res := testenv.Call(t, srv.URL, "wegweiser.v1.APIKeyService/CreateAPIKey", ownerKey, map[string]any{"name": "child", "role": "ROLE_VIEWER"}); res.Code != "permission_denied" {
			t.Errorf("a key created a key: %s %s", res.Code, res.Raw)
		}

		// Last use: written on the first request, not again within the
		// minute; one apikey.use event.
		list, err := c.ListAPIKeys(ctx, &v1.ListAPIKeysRequest{})
		if err != nil {
			t.Fatal(err)
		}
		got := list.GetApiKeys()[0]
		if got.GetId() != key.GetId() || got.GetLastUseTime() == nil || got.GetLastUseAddress() == "" {
			t.Fatalf("newest key %v: want the new key with its last use", got)
		}
		if n := auditCount(t, srv, a.ID, key.GetId(), audit.APIKeyUse); n != 1 {
			t.Errorf("%d apikey.use events after several requests within a minute, want 1", n)
		}
		// A minute later (moved back in the database) the next use is
		// recorded again.
		if err := st.Ent.APIKey.UpdateOneID(row.ID).SetLastUsedAt(time.Now().Add(-2 * time.Minute)).Exec(sys); err != nil {
			t.Fatal(err)
		}
		keyDeviceIDs(t, srv, secret)
		if n := auditCount(t, srv, a.ID, key.GetId(), audit.APIKeyUse); n != 2 {
			t.Errorf("%d apikey.use events after a use a minute later, want 2", n)
		}
		if n := auditCount(t, srv, a.ID, key.GetId(), audit.APIKeyCreate); n != 1 {
			t.Errorf("%d apikey.create events, want 1", n)
		}

		// Revoked: the next request is refused; revoking again changes
		// nothing.
		rev, err := c.RevokeAPIKey(ctx, &v1.RevokeAPIKeyRequest{ApiKeyId: key.GetId()})
		if err != nil || rev.GetApiKey().GetRevokeTime() == nil {
			t.Fatalf("revoke: %v %v", rev, err)
		}
		if res := testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/ListDevices", secret, map[string]any{}); res.Code != "unauthenticated" {
			t.Fatalf("revoked key: %s %s", res.Code, res.Raw)
		}
		again, err := c.RevokeAPIKey(ctx, &v1.RevokeAPIKeyRequest{ApiKeyId: key.GetId()})
		if err != nil || !again.GetApiKey().GetRevokeTime().AsTime().Equal(rev.GetApiKey().GetRevokeTime().AsTime()) {
			t.Fatalf("second revoke: %v %v", again, err)
		}
		if n := auditCount(t, srv, a.ID, key.GetId(), audit.APIKeyRevoke); n != 1 {
			t.Errorf("%d apikey.revoke events after revoking twice, want 1", n)
		}
		// Tenant B's owner cannot see or revoke A's keys.
		bc := keyClient(srv, b.Login(t, b.Owner))
		if _, err := bc.RevokeAPIKey(ctx, &v1.RevokeAPIKeyRequest{ApiKeyId: a.APIKey}); testenv.Code(err) != "not_found" {
			t.Errorf("B revoked A's key: %v", err)
		}
		bl, err := bc.ListAPIKeys(ctx, &v1.ListAPIKeysRequest{PageSize: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range bl.GetApiKeys() {
			if k.GetId() == a.APIKey || k.GetId() == key.GetId() {
				t.Fatalf("B lists A's key %s", k.GetId())
			}
		}

		// Expired: refused.
		exp := a.APIKeys[viewer.RoleAdmin]
		if res := testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/ListDevices", exp, map[string]any{}); res.Code != "ok" {
			t.Fatalf("admin key: %s", res.Raw)
		}
		if _, err := st.Ent.APIKey.Update().Where(apikey.Name("admin key")).SetLastUsedAt(time.Now()).Save(sys); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DB.ExecContext(ctx, "UPDATE api_keys SET expires_at = $1 WHERE name = 'admin key' AND tenant_id = $2",
			time.Now().Add(-time.Second).UTC(), uuid.MustParse(a.ID)); err != nil {
			t.Fatal(err)
		}
		if res := testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/ListDevices", exp, map[string]any{}); res.Code != "unauthenticated" {
			t.Fatalf("expired key: %s %s", res.Code, res.Raw)
		}
		// Malformed and unknown keys: unauthenticated, like bad tokens.
		for _, bad := range []string{"wwk_short", "wwk_" + strings.Repeat("A", 43)} {
			if res := testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/ListDevices", bad, map[string]any{}); res.Code != "unauthenticated" {
				t.Errorf("key %q: %s", bad, res.Code)
			}
		}
	})
}

// TestAPIKeyScope: a customer key sees only its organisations, a
// technician key scoped like its member likewise; a key stops when its
// creator is disabled.
func TestAPIKeyScope(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		a := testenv.NewTenant(t, srv, "scope")
		firstOrg := a.Devices[:6]
		for _, role := range []viewer.Role{viewer.RoleCustomer, viewer.RoleTechnician} {
			seen := keyDeviceIDs(t, srv, a.APIKeys[role])
			for _, id := range seen {
				if !slices.Contains(firstOrg, id) && id != a.Agent.DeviceID {
					t.Errorf("%s key limited to the first organisation sees device %s", role, id)
				}
			}
			if len(seen) == 0 {
				t.Errorf("%s key sees no device", role)
			}
			if res := testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/GetDevice", a.APIKeys[role], map[string]any{"id": a.Devices[6]}); res.Code != "not_found" {
				t.Errorf("%s key reads a device of the second organisation: %s", role, res.Code)
			}
		}

		// The admin's keys stop when the admin is disabled.
		admin := a.Members[viewer.RoleAdmin]
		adminTok := a.Login(t, admin)
		_, secret := a.CreateAPIKey(t, adminTok, viewer.RoleTechnician, "admin's")
		if res := testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/ListDevices", secret, map[string]any{}); res.Code != "ok" {
			t.Fatalf("admin's key: %s", res.Raw)
		}
		testenv.Call(t, srv.URL, "wegweiser.v1.UserService/DisableUser", a.Login(t, a.Owner), map[string]any{"userId": admin.ID}).Must(t)
		if res := testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/ListDevices", secret, map[string]any{}); res.Code != "unauthenticated" {
			t.Fatalf("key of a disabled admin: %s %s", res.Code, res.Raw)
		}
	})
}

// TestCreateAPIKeyRules: name, role, scope and expiry are checked like an
// invitation's: nobody grants above their role, admins no owner keys,
// customers need organisations of the tenant.
func TestCreateAPIKeyRules(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		a := testenv.NewTenant(t, srv, "rules")
		b := testenv.NewTenant(t, srv, "rules-b")
		owner := a.Login(t, a.Owner)
		admin := a.Login(t, a.Members[viewer.RoleAdmin])
		org := a.Organisations[0]
		future := func(d time.Duration) *timestamppb.Timestamp { return timestamppb.New(time.Now().Add(d)) }
		for _, c := range []struct {
			name  string
			token string
			req   *v1.CreateAPIKeyRequest
			code  string
			field string
		}{
			{"empty name", owner, &v1.CreateAPIKeyRequest{Name: " ", Role: v1.Role_ROLE_VIEWER}, "invalid_argument", "name"},
			{"long name", owner, &v1.CreateAPIKeyRequest{Name: strings.Repeat("n", 101), Role: v1.Role_ROLE_VIEWER}, "invalid_argument", "name"},
			{"no role", owner, &v1.CreateAPIKeyRequest{Name: "k"}, "invalid_argument", "role"},
			{"admin makes owner key", admin, &v1.CreateAPIKeyRequest{Name: "k", Role: v1.Role_ROLE_OWNER}, "permission_denied", ""},
			{"customer without organisations", owner, &v1.CreateAPIKeyRequest{Name: "k", Role: v1.Role_ROLE_CUSTOMER}, "invalid_argument", "organisation_ids"},
			{"viewer with organisations", owner, &v1.CreateAPIKeyRequest{Name: "k", Role: v1.Role_ROLE_VIEWER, OrganisationIds: []string{org}}, "invalid_argument", "organisation_ids"},
			{"foreign organisation", owner, &v1.CreateAPIKeyRequest{Name: "k", Role: v1.Role_ROLE_CUSTOMER, OrganisationIds: []string{b.Organisations[0]}}, "not_found", ""},
			{"bad organisation id", owner, &v1.CreateAPIKeyRequest{Name: "k", Role: v1.Role_ROLE_CUSTOMER, OrganisationIds: []string{"x"}}, "invalid_argument", "organisation_ids"},
			{"expired", owner, &v1.CreateAPIKeyRequest{Name: "k", Role: v1.Role_ROLE_VIEWER, ExpireTime: future(-time.Hour)}, "invalid_argument", "expire_time"},
			{"beyond two years", owner, &v1.CreateAPIKeyRequest{Name: "k", Role: v1.Role_ROLE_VIEWER, ExpireTime: future(731 * 24 * time.Hour)}, "invalid_argument", "expire_time"},
			{"technician member", a.Login(t, a.Members[viewer.RoleTechnician]), &v1.CreateAPIKeyRequest{Name: "k", Role: v1.Role_ROLE_VIEWER}, "permission_denied", ""},
			{"owner makes owner key", owner, &v1.CreateAPIKeyRequest{Name: "k", Role: v1.Role_ROLE_OWNER, ExpireTime: future(700 * 24 * time.Hour)}, "ok", ""},
			{"admin makes admin key", admin, &v1.CreateAPIKeyRequest{Name: "k", Role: v1.Role_ROLE_ADMIN}, "ok", ""},
			{"admin makes scoped technician key", admin, &v1.CreateAPIKeyRequest{Name: "k", Role: v1.Role_ROLE_TECHNICIAN, OrganisationIds: []string{org}}, "ok", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				res, err := keyClient(srv, c.token).CreateAPIKey(context.Background(), c.req)
				if testenv.Code(err) != c.code {
					t.Fatalf("%s, want %s", err, c.code)
				}
				if c.field != "" && !strings.Contains(err.Error(), c.field) {
					t.Errorf("%v does not name %s", err, c.field)
				}
				if err == nil && res.GetSecret() == "" {
					t.Error("no secret")
				}
			})
		}
		// Paging: newest first, every key once.
		c := keyClient(srv, owner)
		var ids []string
		token := ""
		for {
			page, err := c.ListAPIKeys(context.Background(), &v1.ListAPIKeysRequest{PageSize: 2, PageToken: token})
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range page.GetApiKeys() {
				ids = append(ids, k.GetId())
			}
			if token = page.GetNextPageToken(); token == "" {
				break
			}
		}
		all, err := c.ListAPIKeys(context.Background(), &v1.ListAPIKeysRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != len(all.GetApiKeys()) || len(ids) < 8 {
			t.Fatalf("paged %d keys, listed %d", len(ids), len(all.GetApiKeys()))
		}
		for i, k := range all.GetApiKeys() {
			if ids[i] != k.GetId() {
				t.Fatalf("page order differs at %d", i)
			}
			if i > 0 && k.GetCreateTime().AsTime().After(all.GetApiKeys()[i-1].GetCreateTime().AsTime()) {
				t.Fatalf("not newest first at %d", i)
			}
		}
	})
}

// TestAPIKeyRateLimit: past its limit a key gets resource_exhausted with
// Retry-After (in the API and at /mcp); another key is not affected.
func TestAPIKeyRateLimit(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServerWith(t, st, func(c *config.Config) { c.APIKeyRateLimit = 40 })
		a := testenv.NewTenant(t, srv, "limit")
		key := a.APIKeys[viewer.RoleViewer]
		for i := 0; i < 40; i++ {
			testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/ListDevices", key, map[string]any{}).Must(t)
		}
		res := testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/ListDevices", key, map[string]any{})
		if res.Code != "resource_exhausted" || res.Header.Get("Retry-After") == "" {
			t.Fatalf("request 41: %s %v %s", res.Code, res.Header, res.Raw)
		}
		mcp := testenv.Call(t, srv.URL, "mcp", key, map[string]any{"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
		if mcp.Status != http.StatusTooManyRequests || mcp.Header.Get("Retry-After") == "" {
			t.Fatalf("MCP past the limit: %d %v", mcp.Status, mcp.Header)
		}
		testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/ListDevices", a.APIKeys[viewer.RoleAdmin], map[string]any{}).Must(t)
	})
}

// TestAPIKeyMCP: /mcp takes an API key like an access token: the tools
// run as the key (its scope), a revoked key is refused.
func TestAPIKeyMCP(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServer(t, st)
		a := testenv.NewTenant(t, srv, "mcp-keys")
		list := map[string]any{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
		res := mcpCall(t, srv, a.APIKeys[viewer.RoleCustomer], list)
		if res.Status != http.StatusOK || !strings.Contains(string(res.Raw), `"tools"`) {
			t.Fatalf("tools/list with a customer key: %d %s", res.Status, res.Raw)
		}
		name := firstTool(t, res)
		callIn := func(org string) *testenv.Response {
			return mcpCall(t, srv, a.APIKeys[viewer.RoleCustomer], map[string]any{"jsonrpc": "2.0", "id": 2, "method": "tools/call",
				"params": map[string]any{"name": name, "arguments": map[string]any{"scope": map[string]any{"kind": "organisation", "id": org}}}})
		}
		if own := callIn(a.Organisations[0]); own.Status != http.StatusOK || strings.Contains(string(own.Raw), `"isError":true`) {
			t.Errorf("%s in the key's organisation: %s", name, own.Raw)
		}
		if other := callIn(a.Organisations[1]); !strings.Contains(string(other.Raw), `"isError":true`) || !strings.Contains(string(other.Raw), "not found") {
			t.Errorf("%s in another organisation with a customer key: %s", name, other.Raw)
		}
		owner := a.Login(t, a.Owner)
		for _, k := range mustList(t, srv, owner) {
			if k.GetName() == "customer key" {
				if _, err := keyClient(srv, owner).RevokeAPIKey(context.Background(), &v1.RevokeAPIKeyRequest{ApiKeyId: k.GetId()}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if res := mcpCall(t, srv, a.APIKeys[viewer.RoleCustomer], list); res.Status != http.StatusUnauthorized {
			t.Errorf("revoked key at /mcp: %d %s", res.Status, res.Raw)
		}
	})
}

func mustList(t *testing.T, srv *testenv.Server, token string) []*v1.APIKey {
	t.Helper()
	res, err := keyClient(srv, token).ListAPIKeys(context.Background(), &v1.ListAPIKeysRequest{PageSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	return res.GetApiKeys()
}

// mcpCall posts one JSON-RPC message to /mcp as an MCP client (or curl)
// would; an answer sent as an event stream is read from its data line.
func mcpCall(t *testing.T, srv *testenv.Server, token string, msg map[string]any) *testenv.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/mcp", bytes.NewReader(mustJSON(msg)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := &testenv.Response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	body := raw
	for _, line := range strings.Split(string(raw), "\n") {
		if data, ok := strings.CutPrefix(line, "data:"); ok {
			body = []byte(strings.TrimSpace(data))
		}
	}
	_ = json.Unmarshal(body, &out.Body)
	return out
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// firstTool returns the name of a listed tool that takes a scope.
func firstTool(t *testing.T, res *testenv.Response) string {
	t.Helper()
	result, _ := res.Body["result"].(map[string]any)
	tools, _ := result["tools"].([]any)
	for _, tl := range tools {
		m, _ := tl.(map[string]any)
		if name, _ := m["name"].(string); name != "" && strings.Contains(string(mustJSON(m["inputSchema"])), "scope") {
			return name
		}
	}
	t.Fatalf("no tool with a scope in %s", res.Raw)
	return ""
}
