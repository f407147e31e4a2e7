// Package authz decides what a viewer may do: a casbin RBAC-with-domains
// model (domain = tenant) with the role permissions embedded, and one map
// from every RPC procedure to the permission it needs.
package authz

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"

	"github.com/wegweiser/wegweiser/ent/viewer"
)

//go:embed model.conf
var modelText string

//go:embed policy.csv
var policyText string

// Permission is an object and an action, written "object.action".
type Permission struct {
	Object, Action string
}

// String returns "object.action".
func (p Permission) String() string { return p.Object + "." + p.Action }

// Enforcer answers whether a viewer holds a permission in its tenant.
// User-to-role assignments are synced from the viewer (which authentication
// loads from the membership table on every request), so a role change or a
// disabled member takes effect on the next call.
type Enforcer struct {
	mu sync.Mutex
	e  *casbin.Enforcer
}

// NewEnforcer loads the embedded model and role policy.
func NewEnforcer() (*Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("load casbin model: %w", err)
	}
	var lines []string
	for _, l := range strings.Split(policyText, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	e, err := casbin.NewEnforcer(m, stringadapter.NewAdapter(strings.Join(lines, "\n")))
	if err != nil {
		return nil, fmt.Errorf("create casbin enforcer: %w", err)
	}
	return &Enforcer{e: e}, nil
}

func subject(v *viewer.Viewer) string { return "user:" + v.UserID.String() }
func domain(v *viewer.Viewer) string  { return "tenant:" + v.TenantID.String() }

// Allowed reports whether v holds p in its tenant.
func (en *Enforcer) Allowed(v *viewer.Viewer, p Permission) (bool, error) {
	en.mu.Lock()
	defer en.mu.Unlock()
	if err := en.sync(v); err != nil {
		return false, err
	}
	ok, err := en.e.Enforce(subject(v), domain(v), p.Object, p.Action)
	if err != nil {
		return false, fmt.Errorf("enforce %s: %w", p, err)
	}
	return ok, nil
}

// sync makes the viewer's role in its tenant the only one casbin knows.
func (en *Enforcer) sync(v *viewer.Viewer) error {
	sub, dom, role := subject(v), domain(v), string(v.Role)
	have := en.e.GetRolesForUserInDomain(sub, dom)
	if len(have) == 1 && have[0] == role {
		return nil
	}
	for _, r := range have {
		if _, err := en.e.RemoveGroupingPolicy(sub, r, dom); err != nil {
			return fmt.Errorf("remove role: %w", err)
		}
	}
	if !v.Role.Valid() {
		return nil
	}
	if _, err := en.e.AddGroupingPolicy(sub, role, dom); err != nil {
		return fmt.Errorf("add role: %w", err)
	}
	return nil
}

// Permissions lists what role r grants, as "object.action" strings.
func (en *Enforcer) Permissions(r viewer.Role) []string {
	en.mu.Lock()
	defer en.mu.Unlock()
	var out []string
	rules, _ := en.e.GetFilteredPolicy(0, string(r))
	for _, p := range rules {
		out = append(out, p[2]+"."+p[3])
	}
	return out
}
