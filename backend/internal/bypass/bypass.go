// Package bypass is the one way server code steps around the tenant privacy
// rules of the ent schemas. Every call states its reason as a string
// literal; TestCallSites lists every call with its reason and compares the
// list with testdata/callsites.txt, and fails on any direct use of
// privacy.DecisionContext or viewer.System elsewhere under backend/, so a
// new bypass shows up in review.
//
// Allow crosses tenants (sign-up, sign-in, token look-ups, sweeps over all
// tenants); AsTenant acts as one tenant on the server's own behalf (jobs,
// data clean-up done for a request that was already authorised).
package bypass

import (
	"context"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/ent/privacy"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

type reasonKey struct{}

// Allow returns a copy of ctx in which every ent privacy rule allows: the
// queries and mutations made with it see and change every tenant's rows.
// reason says why (a string literal; see the package comment).
func Allow(ctx context.Context, reason string) context.Context {
	return privacy.DecisionContext(context.WithValue(ctx, reasonKey{}, reason), privacy.Allow)
}

// AsTenant returns a copy of ctx that acts as tenantID on the server's own
// behalf: it sees and changes the whole tenant and nothing else. reason says
// why (a string literal).
func AsTenant(ctx context.Context, tenantID uuid.UUID, reason string) context.Context {
	return viewer.NewContext(context.WithValue(ctx, reasonKey{}, reason), TenantViewer(tenantID, reason))
}

// TenantViewer returns the viewer AsTenant puts into a context, for code
// that hands a viewer on (a device's agent acts as its tenant). reason says
// why (a string literal).
func TenantViewer(tenantID uuid.UUID, _ string) *viewer.Viewer {
	return viewer.System(tenantID)
}

// Reason returns the reason given to Allow or AsTenant for ctx, or "".
func Reason(ctx context.Context) string {
	r, _ := ctx.Value(reasonKey{}).(string)
	return r
}
