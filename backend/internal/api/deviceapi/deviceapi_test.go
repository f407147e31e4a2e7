package deviceapi

import (
	"context"
	"strings"
	"testing"

	v1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/v1"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
)

// TestListDevicesRefusesBadInput: every malformed filter, sort or size is
// invalid_argument before any query runs (the service is nil here, so a
// request that got past validation would panic).
func TestListDevicesRefusesBadInput(t *testing.T) {
	s := New(nil)
	cases := map[string]*v1.ListDevicesRequest{
		"page size too large":       {PageSize: 501},
		"negative page size":        {PageSize: -1},
		"organisation not a uuid":   {OrganisationId: "org-1"},
		"group not a uuid":          {GroupId: "1234"},
		"unknown platform":          {Platform: v1.Platform(42)},
		"unknown sort order":        {OrderBy: v1.DeviceOrder(42)},
		"unknown band":              {Bands: []v1.Band{v1.Band_BAND_POOR, v1.Band(42)}},
		"too many bands":            {Bands: []v1.Band{1, 2, 3, 4, 0, 1}},
		"check id too long":         {FailingCheckId: strings.Repeat("x", 101)},
		"software name too long":    {Software: &v1.SoftwareFilter{Name: strings.Repeat("x", 501)}},
		"software version too long": {Software: &v1.SoftwareFilter{Name: "x", Version: strings.Repeat("1", 201)}},
	}
	for name, req := range cases {
		_, err := s.ListDevices(context.Background(), req)
		if !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("%s: %v, want invalid_argument", name, err)
		}
	}
}
