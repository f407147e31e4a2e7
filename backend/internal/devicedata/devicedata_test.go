package devicedata_test

import (
	"testing"

	"github.com/wegweiser/wegweiser/backend/internal/devicedata"
	"github.com/wegweiser/wegweiser/ent/migrate"
)

// TestEveryTableIsHandled fails when a table gains an organisation_id or a
// device_id column without devicedata saying what happens to its rows when
// a device moves or is deleted.
func TestEveryTableIsHandled(t *testing.T) {
	for _, tab := range migrate.Tables {
		for _, c := range tab.Columns {
			if c.Name != "organisation_id" && c.Name != "device_id" {
				continue
			}
			if _, ok := devicedata.Tables[tab.Name]; !ok {
				t.Errorf("table %s has %s but devicedata.Tables does not say how it follows its device", tab.Name, c.Name)
			}
		}
	}
}
