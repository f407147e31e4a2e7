package authz_test

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	_ "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1" // registers the descriptors
	"github.com/wegweiser/wegweiser/backend/internal/authz"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Procedures returns "/pkg.Service/Method" for every method of every
// Wegweiser service in the registered descriptors.
func procedures() []string {
	var out []string
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(string(fd.Package()), "wegweiser.") {
			return true
		}
		for i := 0; i < fd.Services().Len(); i++ {
			sd := fd.Services().Get(i)
			for j := 0; j < sd.Methods().Len(); j++ {
				out = append(out, "/"+string(sd.FullName())+"/"+string(sd.Methods().Get(j).Name()))
			}
		}
		return true
	})
	slices.Sort(out)
	return out
}

// TestEveryProcedureIsMapped fails when an RPC in the contract has no entry
// in the permission map (it would be refused at run time), or when the map
// names an RPC that no longer exists.
func TestEveryProcedureIsMapped(t *testing.T) {
	procs := procedures()
	if len(procs) < 20 {
		t.Fatalf("found only %d procedures in the descriptors; is the registry loaded?", len(procs))
	}
	for _, p := range procs {
		if _, ok := authz.Procedures[p]; !ok {
			t.Errorf("procedure %s has no entry in authz.Procedures", p)
		}
	}
	for p := range authz.Procedures {
		if !slices.Contains(procs, p) {
			t.Errorf("authz.Procedures names %s, which is not in the contract", p)
		}
	}
}

// TestRolePermissions pins the role model: what each role may do.
func TestRolePermissions(t *testing.T) {
	en, err := authz.NewEnforcer()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[viewer.Role][]authz.Permission{
		viewer.RoleOwner:      {authz.TenantWrite, authz.OrganisationWrite, authz.GroupWrite, authz.DeviceDelete, authz.UserManage},
		viewer.RoleAdmin:      {authz.OrganisationWrite, authz.GroupWrite, authz.DeviceWrite, authz.DeviceDelete, authz.UserManage},
		viewer.RoleTechnician: {authz.OrganisationRead, authz.GroupWrite, authz.DeviceWrite},
		viewer.RoleViewer:     {authz.TenantRead, authz.OrganisationRead, authz.GroupRead, authz.DeviceRead},
		viewer.RoleCustomer:   {authz.OrganisationRead, authz.GroupRead, authz.DeviceRead},
	}
	denied := map[viewer.Role][]authz.Permission{
		viewer.RoleAdmin:      {authz.TenantWrite},
		viewer.RoleTechnician: {authz.OrganisationWrite, authz.DeviceDelete, authz.UserRead, authz.UserManage},
		viewer.RoleViewer:     {authz.OrganisationWrite, authz.GroupWrite, authz.DeviceWrite, authz.UserRead},
		viewer.RoleCustomer:   {authz.GroupWrite, authz.DeviceWrite, authz.UserRead, authz.UserManage},
	}
	v := &viewer.Viewer{}
	for role, perms := range cases {
		v.Role = role
		for _, p := range perms {
			if ok, err := en.Allowed(v, p); err != nil || !ok {
				t.Errorf("%s should have %s (err %v)", role, p, err)
			}
		}
	}
	for role, perms := range denied {
		v.Role = role
		for _, p := range perms {
			if ok, _ := en.Allowed(v, p); ok {
				t.Errorf("%s must not have %s", role, p)
			}
		}
	}
	// A role change takes effect at once, and an unknown role has nothing.
	v.Role = viewer.RoleOwner
	if ok, _ := en.Allowed(v, authz.TenantWrite); !ok {
		t.Fatal("owner lacks tenant.write")
	}
	v.Role = "ghost"
	if ok, _ := en.Allowed(v, authz.TenantRead); ok {
		t.Fatal("unknown role was allowed tenant.read")
	}
}
