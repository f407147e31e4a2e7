package server_test

// Like isolation_test.go, the scope sweep calls procedures by name with raw
// JSON (testenv.Call), driven by the service descriptors.

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	entsql "entgo.io/ent/dialect/sql"
	"github.com/google/uuid"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/wegweiser/wegweiser/backend/internal/authz"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/migrate"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// kindOf names the kind of entity an id field holds, from its name or, for
// a bare "id", from its message; "entity" is an entity reference whose kind
// enum says what it names; "" is not an entity id (a check id, a snapshot
// id, notification ids).
func kindOf(msg protoreflect.MessageDescriptor, fd protoreflect.FieldDescriptor) string {
	n := strings.TrimSuffix(strings.TrimSuffix(string(fd.Name()), "_ids"), "_id")
	switch n {
	case "device", "organisation", "group", "webhook", "user", "tenant", "conversation", "message", "memory", "api_key":
		return n
	case "id", "ids":
		name := string(msg.Name())
		if name == "EntityRef" || name == "PolicyScope" {
			return "entity"
		}
		for _, k := range []struct{ word, kind string }{
			{"Device", "device"}, {"Organisation", "organisation"}, {"Group", "group"}, {"Webhook", "webhook"},
			{"Override", "override"}, {"EnrolmentKey", "key"}, {"User", "user"},
			{"Conversation", "conversation"}, {"Memory", "memory"}, {"BulkOperation", "bulk"},
		} {
			if strings.Contains(name, k.word) {
				return k.kind
			}
		}
	}
	return ""
}

// idFields lists the entity id fields of a request message (nested
// messages included) as dotted paths.
func idFields(md protoreflect.MessageDescriptor, prefix string) []string {
	var out []string
	for i := 0; i < md.Fields().Len(); i++ {
		fd := md.Fields().Get(i)
		switch {
		case isIDField(fd) && kindOf(md, fd) != "":
			out = append(out, prefix+string(fd.Name()))
		case fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap() &&
			!strings.HasPrefix(string(fd.Message().FullName()), "google.protobuf."):
			out = append(out, idFields(fd.Message(), prefix+string(fd.Name())+".")...)
		}
	}
	return out
}

// pathOf returns the dotted path of fd inside the request, given the
// message it belongs to.
func pathOf(root protoreflect.MessageDescriptor, msg protoreflect.Message, fd protoreflect.FieldDescriptor) string {
	if msg.Descriptor() == root {
		return string(fd.Name())
	}
	// Nested (entity references, snapshots, a bulk operation's selection):
	// find the first field path of root holding this message type.
	if prefix, ok := pathTo(root, msg.Descriptor(), "", 0); ok {
		return prefix + string(fd.Name())
	}
	return string(fd.Name())
}

// pathTo returns the dotted path (ending in ".") of the first field under md
// that holds a message of type want.
func pathTo(md, want protoreflect.MessageDescriptor, prefix string, depth int) (string, bool) {
	if depth > 3 {
		return "", false
	}
	// Direct fields first, then nested ones.
	for i := 0; i < md.Fields().Len(); i++ {
		f := md.Fields().Get(i)
		if f.Kind() == protoreflect.MessageKind && !f.IsList() && !f.IsMap() && f.Message() == want {
			return prefix + string(f.Name()) + ".", true
		}
	}
	for i := 0; i < md.Fields().Len(); i++ {
		f := md.Fields().Get(i)
		if f.Kind() != protoreflect.MessageKind || f.IsList() || f.IsMap() {
			continue
		}
		if p, ok := pathTo(f.Message(), want, prefix+string(f.Name())+".", depth+1); ok {
			return p, true
		}
	}
	return "", false
}

// chooseOneofs makes the branches of msg's oneofs that lead to the field
// at path the ones that are set (fill sets every branch, so the last one
// would win), filling a newly chosen branch with pick.
func chooseOneofs(msg protoreflect.Message, path string, pick idPick, seq int, self testenv.Member) {
	head, rest, nested := strings.Cut(path, ".")
	fd := msg.Descriptor().Fields().ByName(protoreflect.Name(head))
	if fd == nil || !nested || fd.Kind() != protoreflect.MessageKind {
		return
	}
	if o := fd.ContainingOneof(); o != nil && !o.IsSynthetic() && msg.WhichOneof(o) != fd {
		fillPick(msg.Mutable(fd).Message(), pick, seq, self)
	}
	chooseOneofs(msg.Mutable(fd).Message(), rest, pick, seq, self)
}

// nonEntity is a valid value for an id field that names no entity.
func nonEntity(fd protoreflect.FieldDescriptor) string {
	switch fd.Name() {
	case "check_id":
		return "system.uptime"
	case "snapshot_id":
		return uuid.NewString()
	}
	return ""
}

// scopedKinds are the kinds of entity that belong to one organisation.
var scopedKinds = map[string]bool{"device": true, "group": true, "organisation": true, "entity": true, "override": true, "key": true}

// namesScoped reports whether a request has an id field of an entity that
// belongs to one organisation.
func namesScoped(md protoreflect.MessageDescriptor) bool {
	for i := 0; i < md.Fields().Len(); i++ {
		fd := md.Fields().Get(i)
		if isIDField(fd) && scopedKinds[kindOf(md, fd)] {
			return true
		}
		if fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap() &&
			!strings.HasPrefix(string(fd.Message().FullName()), "google.protobuf.") && namesScoped(fd.Message()) {
			return true
		}
	}
	return false
}

// idSet is a choice of one id per kind of entity.
type idSet map[string]string

// picker fills each id field from set by its kind; entity references name
// the kind refKind (organisation, group or device).
func (set idSet) picker(refKind string) idPick {
	return func(msg protoreflect.Message, fd protoreflect.FieldDescriptor) (string, string) {
		k := kindOf(msg.Descriptor(), fd)
		if k == "" {
			return nonEntity(fd), ""
		}
		if k == "entity" {
			return set[refKind], refKind
		}
		return set[k], ""
	}
}

// readOnly reports whether a method is declared free of side effects.
func readOnly(md protoreflect.MethodDescriptor) bool {
	opts, ok := md.Options().(*descriptorpb.MethodOptions)
	return ok && opts.GetIdempotencyLevel() == descriptorpb.MethodOptions_NO_SIDE_EFFECTS
}

// orgRows returns every row that belongs to an organisation (its own row,
// and every row of every table carrying its id), for before/after
// comparisons.
func orgRows(t *testing.T, st *store.Store, org string) string {
	t.Helper()
	var b strings.Builder
	for _, tab := range migrate.Tables {
		col := ""
		if tab.Name == "organisations" {
			col = "id"
		}
		if hasColumn(tab, "organisation_id") {
			col = "organisation_id"
		}
		if col == "" {
			continue
		}
		q, args := entsql.Dialect(st.Dialect).Select("*").From(entsql.Table(tab.Name)).
			Where(entsql.EQ(col, uuid.MustParse(org))).OrderBy("id").Query()
		rows, err := st.DB.Query(q, args...)
		if err != nil {
			t.Fatalf("dump %s: %v", tab.Name, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s%v\n", tab.Name, vals)
		}
		_ = rows.Close()
	}
	return b.String()
}

// sweepProcedures calls fn for every procedure of every wegweiser.v1
// service (agent procedures have their own principal and are swept by
// TestIsolationSweep).
func sweepProcedures(t *testing.T, fn func(procedure string, md protoreflect.MethodDescriptor)) {
	for _, sd := range services(t) {
		for i := 0; i < sd.Methods().Len(); i++ {
			md := sd.Methods().Get(i)
			procedure := string(sd.FullName()) + "/" + string(md.Name())
			if authz.Procedures["/"+procedure].Device {
				continue
			}
			fn(procedure, md)
		}
	}
}

func refused(code string, authProc bool) bool {
	return code == "not_found" || code == "permission_denied" || (authProc && code == "unauthenticated")
}

// TestIsolationSweepScopes extends the cross-tenant sweep the way a data
// leak between organisations would be found:
//
//   - mixed ids: every procedure with several id fields is called with each
//     field in turn naming another tenant's entity and the others the
//     caller's own (own device, foreign organisation, and the reverse);
//   - inside one tenant: a technician and a customer limited to the first
//     organisation call every procedure with ids of the second;
//   - after a device moved from the first to the second organisation and
//     another was deleted, every read procedure, called by those scoped
//     users with their own ids and with none, returns nothing of the second
//     organisation or of the gone device — checked by names, hostnames and
//     software, not only by id.
//
// Jobs are settled before every comparison.
func TestIsolationSweepScopes(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServerWith(t, st, unlimitedKeys)
		home := testenv.NewTenant(t, srv, "home")
		foreign := testenv.NewTenant(t, srv, "foreign")
		owner := home.Login(t, home.Owner)
		// Entities of the second organisation that the fixture lacks.
		ov := testenv.Call(t, srv.URL, "wegweiser.v1.PolicyService/SetOverride", owner, map[string]any{
			"scope": map[string]any{"level": "POLICY_LEVEL_ORGANISATION", "id": home.Organisations[1]}, "checkId": "system.uptime",
			"suppress": true, "reason": "second organisation",
		})
		org1Key := testenv.Call(t, srv.URL, "wegweiser.v1.EnrolmentService/CreateEnrolmentKey", owner, map[string]any{
			"organisationId": home.Organisations[1], "description": "second organisation",
		})
		own := idSet{
			"device": home.Devices[0], "group": home.Groups[0], "organisation": home.Organisations[0],
			"user": home.Members[viewer.RoleTechnician].ID, "webhook": home.Webhook, "override": home.Override,
			"key": home.Key, "tenant": home.ID,
			"conversation": home.Conversation, "message": home.Message, "memory": home.Memory,
			"bulk": home.Bulk, "api_key": home.APIKey,
		}
		foreignSet := idSet{
			"device": foreign.Devices[0], "group": foreign.Groups[0], "organisation": foreign.Organisations[0],
			"user": foreign.Members[viewer.RoleTechnician].ID, "webhook": foreign.Webhook, "override": foreign.Override,
			"key": foreign.Key, "tenant": foreign.ID,
			"conversation": foreign.Conversation, "message": foreign.Message, "memory": foreign.Memory,
			"bulk": foreign.Bulk, "api_key": foreign.APIKey,
		}
		second := idSet{ // the home tenant's second organisation
			"device": home.Devices[6], "group": home.Groups[2], "organisation": home.Organisations[1],
			"override": ov.Str("override.id"), "key": org1Key.Str("key.id"),
		}
		if second["override"] == "" || second["key"] == "" {
			t.Fatalf("fixture: %s %s", ov.Raw, org1Key.Raw)
		}
		roles := []viewer.Role{viewer.RoleOwner, viewer.RoleAdmin, viewer.RoleTechnician, viewer.RoleViewer, viewer.RoleCustomer}
		testenv.SettleJobs(t, srv)

		t.Run("mixed ids", func(t *testing.T) {
			before := foreign.Dump(t)
			calls := 0
			sweepProcedures(t, func(procedure string, md protoreflect.MethodDescriptor) {
				fields := idFields(md.Input(), "")
				if len(fields) < 2 {
					return
				}
				authProc := strings.HasPrefix(procedure, "wegweiser.v1.AuthService/")
				for _, p := range principalsOf(roles) {
					self := home.Members[p.role]
					token := tokenOf(t, home, p)
					for _, odd := range fields {
						for _, refKind := range []string{"organisation", "group", "device"} {
							root := md.Input()
							msg := dynamicpb.NewMessage(root)
							pickOwn, pickForeign := own.picker(refKind), foreignSet.picker(refKind)
							pick := func(m protoreflect.Message, fd protoreflect.FieldDescriptor) (string, string) {
								if pathOf(root, m, fd) == odd {
									return pickForeign(m, fd)
								}
								return pickOwn(m, fd)
							}
							fillPick(msg, pick, calls, self)
							chooseOneofs(msg, odd, pick, calls, self)
							res := call(t, srv.URL, procedure, token, msg, md.IsStreamingServer())
							calls++
							if !refused(res.Code, authProc) {
								t.Errorf("%s as %s with a foreign %s and own other ids: %s (%s)", procedure, p, odd, res.Code, res.Raw)
							}
							checkNoLeak(t, procedure, p, res, []string{foreign.ID, foreign.Organisations[0], foreign.Devices[0]})
							if !strings.HasPrefix(odd, "entity.") && !strings.HasPrefix(odd, "scope.") {
								break // the reference kind matters only for entity references
							}
						}
					}
				}
			})
			if calls == 0 {
				t.Fatal("no procedure has several id fields: the sweep tests nothing")
			}
			testenv.SettleJobs(t, srv)
			if after := foreign.Dump(t); after != before {
				t.Errorf("tenant B changed during the mixed-id sweep")
			}
			t.Logf("%d mixed-id calls", calls)
		})

		scoped := []viewer.Role{viewer.RoleTechnician, viewer.RoleCustomer}
		t.Run("inside the tenant", func(t *testing.T) {
			before := orgRows(t, st, home.Organisations[1])
			calls := 0
			sweepProcedures(t, func(procedure string, md protoreflect.MethodDescriptor) {
				if !namesScoped(md.Input()) {
					return
				}
				authProc := strings.HasPrefix(procedure, "wegweiser.v1.AuthService/")
				for _, p := range principalsOf(scoped) {
					self := home.Members[p.role]
					token := tokenOf(t, home, p)
					for _, kind := range []string{"device", "group", "organisation", "override", "key"} {
						id := second[kind]
						msg := dynamicpb.NewMessage(md.Input())
						// Every entity id field names the second organisation's
						// entity of this kind; other id fields stay the caller's.
						fillPick(msg, func(m protoreflect.Message, fd protoreflect.FieldDescriptor) (string, string) {
							k := kindOf(m.Descriptor(), fd)
							switch k {
							case "entity":
								if kind == "device" || kind == "group" || kind == "organisation" {
									return id, kind
								}
								return second["organisation"], "organisation"
							case "user", "webhook", "tenant":
								return own[k], ""
							case "":
								return nonEntity(fd), ""
							}
							return id, ""
						}, calls, self)
						res := call(t, srv.URL, procedure, token, msg, md.IsStreamingServer())
						calls++
						if !refused(res.Code, authProc) {
							t.Errorf("%s as a %s of the first organisation with the second's %s: %s (%s)", procedure, p, kind, res.Code, res.Raw)
						}
						checkNoLeak(t, procedure, p, res, []string{home.Organisations[1], home.Devices[6], home.Groups[2]})
					}
				}
			})
			testenv.SettleJobs(t, srv)
			if after := orgRows(t, st, home.Organisations[1]); after != before {
				t.Errorf("the second organisation changed while scoped users of the first swept it:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			t.Logf("%d calls inside the tenant", calls)
		})

		t.Run("after moves and deletes", func(t *testing.T) {
			a := home.Agent // in the first organisation, with a snapshot
			secret := "secret-crm-" + uuid.NewString()[:8]
			sendSecretSnapshot(t, srv, a, "home-agent", secret)
			testenv.SettleJobs(t, srv)
			testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/MoveDevice", owner, map[string]any{"id": a.DeviceID, "groupId": home.Groups[2]}).Must(t)
			gone := home.Devices[1] // home-o0g0-01
			testenv.Call(t, srv.URL, "wegweiser.v1.DeviceService/DeleteDevice", owner, map[string]any{"id": gone}).Must(t)
			testenv.SettleJobs(t, srv)
			forbidden := []string{
				secret, "home-agent", a.DeviceID, gone, "home-o0g0-01", "home org 1",
				home.Organisations[1], home.Groups[2], home.Groups[3],
			}
			forbidden = append(forbidden, home.Devices[6:12]...)
			for g := 0; g < 2; g++ {
				for k := 0; k < 3; k++ {
					forbidden = append(forbidden, fmt.Sprintf("home-o1g%d-%02d", g, k))
				}
			}
			ok := map[string]int{}
			sweepProcedures(t, func(procedure string, md protoreflect.MethodDescriptor) {
				if !readOnly(md) {
					return
				}
				for _, p := range principalsOf(scoped) {
					token := tokenOf(t, home, p)
					for _, set := range []idSet{own, {}} {
						for _, refKind := range []string{"organisation", "group", "device"} {
							msg := dynamicpb.NewMessage(md.Input())
							fillIDsOnly(msg, set.picker(refKind))
							res := call(t, srv.URL, procedure, token, msg, md.IsStreamingServer())
							if res.Code == "ok" {
								ok[procedure]++
							}
							for _, f := range forbidden {
								if strings.Contains(string(res.Raw), f) {
									t.Errorf("%s as a %s of the first organisation returned %q of the second organisation or of a deleted device: %s", procedure, p, f, res.Raw)
								}
							}
						}
					}
				}
			})
			// The sweep must have read real lists, or it proves nothing.
			for _, p := range []string{
				"wegweiser.v1.InventoryService/ListSoftware", "wegweiser.v1.DeviceService/ListDevices",
				"wegweiser.v1.HealthService/ListWorstDevices", "wegweiser.v1.HealthService/ListFindings",
				"wegweiser.v1.AlertService/ListNotifications", "wegweiser.v1.TenantService/ListOrganisations",
			} {
				if ok[p] == 0 {
					t.Errorf("%s never answered ok in the read sweep", p)
				}
			}
			var names []string
			for p := range ok {
				names = append(names, p)
			}
			sort.Strings(names)
			t.Logf("read procedures answered: %s", strings.Join(names, ", "))
		})
	})
}

// fillIDsOnly sets only the id fields (as pick says) and the kind of entity
// references, leaving every filter empty, so list calls return everything
// the caller may see.
func fillIDsOnly(msg protoreflect.Message, pick idPick) {
	fields := msg.Descriptor().Fields()
	refKind := ""
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		switch {
		case isIDField(fd):
			id, kind := pick(msg, fd)
			if id == "" {
				continue
			}
			if kind != "" {
				refKind = kind
			}
			if fd.IsList() {
				msg.Mutable(fd).List().Append(protoreflect.ValueOfString(id))
			} else {
				msg.Set(fd, protoreflect.ValueOfString(id))
			}
		case fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap() &&
			!strings.HasPrefix(string(fd.Message().FullName()), "google.protobuf."):
			fillIDsOnly(msg.Mutable(fd).Message(), pick)
		}
	}
	setRefKind(msg, refKind)
}
