package server_test

// The isolation sweep is driven by the service descriptors and calls every
// procedure by name with raw JSON (testenv.Call), so it covers procedures
// no typed test names.

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	_ "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/authz"
	"github.com/wegweiser/wegweiser/backend/internal/config"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/testenv"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// services returns every Wegweiser service in the registered descriptors,
// so a new RPC is swept without anyone remembering to add it.
func services(t *testing.T) []protoreflect.ServiceDescriptor {
	var out []protoreflect.ServiceDescriptor
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if strings.HasPrefix(string(fd.Package()), "wegweiser.") {
			for i := 0; i < fd.Services().Len(); i++ {
				out = append(out, fd.Services().Get(i))
			}
		}
		return true
	})
	if len(out) < 4 {
		t.Fatalf("found %d services in the descriptors", len(out))
	}
	return out
}

// isIDField reports whether a field carries entity ids. A tour id names a
// guided tour of the SPA, not an entity: it is filled like a name.
func isIDField(fd protoreflect.FieldDescriptor) bool {
	n := string(fd.Name())
	// A tour's name and an OAuth client identifier name no record.
	if n == "tour_id" || n == "client_id" {
		return false
	}
	return fd.Kind() == protoreflect.StringKind && (n == "id" || n == "ids" || strings.HasSuffix(n, "_id") || strings.HasSuffix(n, "_ids"))
}

// fill sets every field of msg to a value that passes validation, and every
// id field to id (when id is not empty). It reports whether msg has id
// fields.
func fill(msg protoreflect.Message, id string, seq int, self testenv.Member) bool {
	return fillPick(msg, func(protoreflect.Message, protoreflect.FieldDescriptor) (string, string) { return id, "" }, seq, self)
}

// idPick chooses the id for one id field of msg and, for an entity
// reference, the kind of entity it names ("" keeps the message's default).
// An empty id leaves the field unset.
type idPick func(msg protoreflect.Message, fd protoreflect.FieldDescriptor) (id, kind string)

// fillPick is fill with an id chosen per field.
func fillPick(msg protoreflect.Message, pick idPick, seq int, self testenv.Member) bool {
	hasID := false
	refKind := ""
	fields := msg.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		name := string(fd.Name())
		switch {
		case isIDField(fd):
			hasID = true
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
		case fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap():
			// Nested messages (an entity reference, a snapshot) are filled
			// too, so ids inside them are swept; well-known types stay unset.
			if strings.HasPrefix(string(fd.Message().FullName()), "google.protobuf.") {
				continue
			}
			sub := msg.Mutable(fd).Message()
			hasID = fillPick(sub, pick, seq, self) || hasID
		case fd.IsList() || fd.IsMap():
			if fd.Kind() == protoreflect.StringKind {
				msg.Mutable(fd).List().Append(protoreflect.ValueOfString("sweep"))
			}
		case fd.Kind() == protoreflect.StringKind:
			var v string
			switch {
			case name == "email":
				v = self.Email
				if msg.Descriptor().Name() != "LoginRequest" {
					v = fmt.Sprintf("sweep-%d@example.com", seq)
				}
			case name == "password":
				v = testenv.Password
			case name == "tour_id":
				v = "sweep"
			case strings.HasSuffix(name, "_token"), name == "query", name == "tag", name == "level":
				continue // empty: first page, no filter
			default:
				v = fmt.Sprintf("Sweep %d", seq)
			}
			msg.Set(fd, protoreflect.ValueOfString(v))
		case fd.Kind() == protoreflect.EnumKind:
			// A value that passes validation: technician for roles (it may be
			// scoped), otherwise the first defined value.
			ev := fd.Enum().Values()
			v := ev.Get(min(1, ev.Len()-1)).Number()
			if tech := ev.ByName(protoreflect.Name(strings.TrimSuffix(string(ev.Get(0).Name()), "UNSPECIFIED") + "TECHNICIAN")); tech != nil {
				v = tech.Number()
			}
			msg.Set(fd, protoreflect.ValueOfEnum(v))
		}
	}
	setRefKind(msg, refKind)
	return hasID
}

// setRefKind points an entity reference (a message with an id and a kind or
// level enum) at the kind of entity its id names.
func setRefKind(msg protoreflect.Message, kind string) {
	if kind == "" {
		return
	}
	fields := msg.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if fd.Kind() != protoreflect.EnumKind || (fd.Name() != "kind" && fd.Name() != "level") {
			continue
		}
		ev := fd.Enum().Values()
		for j := 0; j < ev.Len(); j++ {
			if strings.HasSuffix(string(ev.Get(j).Name()), "_"+strings.ToUpper(kind)) {
				msg.Set(fd, protoreflect.ValueOfEnum(ev.Get(j).Number()))
			}
		}
	}
}

// TestIsolationSweep is docs/security.md abuse test 1: every procedure of every
// service, called by every role of tenant A with ids that belong to tenant
// B, ends in not_found or permission_denied (unauthenticated for the
// credential procedures), leaks no id of B, and leaves B exactly as it was.
// Procedures without id fields cannot name B's rows; they are still called
// and must neither leak nor change anything of B. Every role calls twice:
// as a signed-in member and with an API key of that role (scoped like the
// member), with the same expectations.
func TestIsolationSweep(t *testing.T) {
	testenv.EachStore(t, func(t *testing.T, st *store.Store) {
		srv := testenv.StartServerWith(t, st, unlimitedKeys)
		home := testenv.NewTenant(t, srv, "home")
		foreign := testenv.NewTenant(t, srv, "foreign")

		foreignIDs := map[string][]string{
			"tenant":       {foreign.ID},
			"organisation": foreign.Organisations,
			"group":        foreign.Groups,
			"device":       foreign.Devices,
			"override":     {foreign.Override},
			"webhook":      {foreign.Webhook},
			"key":          {foreign.Key},
			"conversation": {foreign.Conversation},
			"message":      {foreign.Message},
			"memory":       {foreign.Memory},
			"bulk":         {foreign.Bulk},
			"schedule":     {foreign.ReportSchedule},
			"api_key":      {foreign.APIKey},
		}
		for _, m := range foreign.Members {
			foreignIDs["user"] = append(foreignIDs["user"], m.ID)
		}
		// Pre-registrations are named by no request; no response may name
		// B's either.
		allForeign := []string{foreign.Preregistration}
		for _, ids := range foreignIDs {
			allForeign = append(allForeign, ids...)
		}
		// B's own analysis of its fixture snapshot must be done first.
		testenv.SettleJobs(t, srv)
		before := foreign.Dump(t)

		roles := []viewer.Role{viewer.RoleOwner, viewer.RoleAdmin, viewer.RoleTechnician, viewer.RoleViewer, viewer.RoleCustomer}
		// Agents are principals of their own: device procedures are swept
		// with the device token of one of home's devices.
		homeAgent := home.Enrol(t, "home-agent")
		const deviceRole viewer.Role = "device"
		seq, calls := 0, 0
		swept := map[string]bool{}
		for _, sd := range services(t) {
			for i := 0; i < sd.Methods().Len(); i++ {
				md := sd.Methods().Get(i)
				procedure := string(sd.FullName()) + "/" + string(md.Name())
				if md.IsStreamingClient() {
					t.Fatalf("%s streams requests: teach the sweep to call client-streaming procedures", procedure)
				}
				// Server-streaming procedures are called with the Connect
				// streaming envelope; their code is the end of the stream's.
				streams := md.IsStreamingServer()
				authProc := sd.Name() == "AuthService"
				principals := roles
				if authz.Procedures["/"+procedure].Device {
					principals = []viewer.Role{deviceRole}
				}
				for _, p := range principalsOf(principals) {
					role := p.role
					self := home.Members[role]
					var token string
					switch {
					case role == deviceRole:
						token = homeAgent.Token
					case p.key:
						token = home.APIKeys[role]
					default:
						token = home.Login(t, self) // fresh: Logout ends the session
					}
					probe := dynamicpb.NewMessage(md.Input())
					if !fill(probe, "", seq, self) {
						seq++
						res := call(t, srv.URL, procedure, token, probe, streams)
						calls++
						checkNoLeak(t, procedure, p, res, allForeign)
						continue
					}
					for kind, ids := range foreignIDs {
						id := ids[0]
						seq++
						msg := dynamicpb.NewMessage(md.Input())
						fill(msg, id, seq, self)
						res := call(t, srv.URL, procedure, token, msg, streams)
						calls++
						ok := res.Code == "not_found" || res.Code == "permission_denied" || (authProc && res.Code == "unauthenticated")
						if !ok {
							t.Errorf("%s as %s with a foreign %s id: got %s (%s), want not_found or permission_denied", procedure, p, kind, res.Code, res.Raw)
						}
						checkNoLeak(t, procedure, p, res, allForeign)
					}
				}
				swept[procedure] = true
			}
		}
		// Jobs the sweep queued (analyses, roll-ups) run before comparing.
		testenv.SettleJobs(t, srv)
		if after := foreign.Dump(t); after != before {
			t.Errorf("tenant B changed during the sweep:\nbefore: %s\nafter:  %s", before, after)
		}
		var names []string
		for p := range swept {
			names = append(names, p)
		}
		slices.Sort(names)
		t.Logf("swept %d procedures with %d calls: %s", len(names), calls, strings.Join(names, ", "))
	})
}

// unlimitedKeys lifts the API keys' rate limit for sweeps that call
// thousands of procedures with one key.
func unlimitedKeys(c *config.Config) { c.APIKeyRateLimit = 1 << 30 }

// principal is a role calling as a signed-in member or with an API key.
type principal struct {
	role viewer.Role
	key  bool
}

func (p principal) String() string {
	if p.key {
		return string(p.role) + " API key"
	}
	return string(p.role)
}

// principalsOf returns, for each role, the member and an API key of that
// role (agents have no keys).
func principalsOf(roles []viewer.Role) []principal {
	var out []principal
	for _, r := range roles {
		out = append(out, principal{role: r})
		if r.Valid() {
			out = append(out, principal{role: r, key: true})
		}
	}
	return out
}

// tokenOf returns a fresh access token of the role's member, or its API
// key's secret.
func tokenOf(t *testing.T, ten *testenv.Tenant, p principal) string {
	if p.key {
		return ten.APIKeys[p.role]
	}
	return ten.Login(t, ten.Members[p.role])
}

func call(t *testing.T, url, procedure, token string, msg protoreflect.ProtoMessage, stream bool) *testenv.Response {
	t.Helper()
	body, err := protojson.Marshal(msg)
	if err != nil {
		t.Fatalf("marshal %s: %v", procedure, err)
	}
	var res *testenv.Response
	if stream {
		res = testenv.CallStream(t, url, procedure, token, body)
	} else {
		res = testenv.Call(t, url, procedure, token, body)
	}
	if res.Code == "internal" || res.Code == "unknown" || strings.HasPrefix(res.Code, "http_") {
		t.Errorf("%s: %s (%s) for %s", procedure, res.Code, res.Raw, body)
	}
	return res
}

func checkNoLeak(t *testing.T, procedure string, who any, res *testenv.Response, foreign []string) {
	t.Helper()
	for _, id := range foreign {
		if strings.Contains(string(res.Raw), id) {
			t.Errorf("%s as %v leaked foreign id %s: %s", procedure, who, id, res.Raw)
		}
	}
}
