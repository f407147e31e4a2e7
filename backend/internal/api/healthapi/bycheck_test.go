package healthapi

import (
	"context"
	"testing"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
)

// TestListCheckSummariesRefusesBadInput: a missing or unknown scope, a
// device as scope, a malformed id or an unknown domain is invalid_argument
// before any query runs (the service is nil here).
func TestListCheckSummariesRefusesBadInput(t *testing.T) {
	s := New(nil)
	cases := map[string]*v1.ListCheckSummariesRequest{
		"no entity":           {},
		"unspecified kind":    {Entity: &v1.EntityRef{}},
		"unknown kind":        {Entity: &v1.EntityRef{Kind: v1.EntityKind(42)}},
		"device without id":   {Entity: &v1.EntityRef{Kind: v1.EntityKind_ENTITY_KIND_DEVICE}},
		"organisation bad id": {Entity: &v1.EntityRef{Kind: v1.EntityKind_ENTITY_KIND_ORGANISATION, Id: "acme"}},
		"group without id":    {Entity: &v1.EntityRef{Kind: v1.EntityKind_ENTITY_KIND_GROUP}},
		"tenant bad id":       {Entity: &v1.EntityRef{Kind: v1.EntityKind_ENTITY_KIND_TENANT, Id: "me"}},
	}
	for name, req := range cases {
		_, err := s.ListCheckSummaries(context.Background(), req)
		if !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("%s: %v, want invalid_argument", name, err)
		}
	}
}
