// Package tools holds the assistant's read-only tools. Each runs as the
// caller (the viewer in the context: the same ent privacy rules and
// organisation scope as the RPCs), only inside the conversation's scope, and
// returns endpoint text as quoted data with the records it comes from, so
// an answer can cite them.
package tools

import (
	"context"
	"encoding/json"

	"github.com/wegweiser/wegweiser/backend/internal/device"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/inventory"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/backend/internal/tenancy"
)

// RecordKind names the kind of record a citation points at.
type RecordKind string

// The kinds of records (see wegweiser.v1.RecordKind).
const (
	RecordDevice       RecordKind = "device"
	RecordGroup        RecordKind = "group"
	RecordOrganisation RecordKind = "organisation"
	RecordTenant       RecordKind = "tenant"
	RecordFinding      RecordKind = "finding"
	RecordEventLog     RecordKind = "event_log"
	RecordSoftware     RecordKind = "software"
	RecordHistory      RecordKind = "history"
	RecordMemory       RecordKind = "memory"
	RecordCheck        RecordKind = "check"
)

// Record is a record a tool result comes from: what an answer cites.
type Record struct {
	// Kind of record.
	Kind RecordKind
	// ID of the record (a device id, a check id for findings, …).
	ID string
	// Entity is the device, group, organisation or tenant the record
	// belongs to: the page to open.
	Entity health.Ref
	// Label is short and readable, e.g. "PC-07 · Volume C: has 3 % free".
	Label string
}

// Result is what a tool returns.
type Result struct {
	// Summary says in a few words what came back, for the tool activity
	// shown to the user, e.g. "12 devices" or "no data".
	Summary string
	// Data is the result given to the model, encoded as JSON. Text that
	// comes from endpoints is in string fields only.
	Data any
	// Records are the records in Data, most relevant first; Data refers
	// to them by their index as "ref": "R1", "R2", ….
	Records []Record
	// Empty is true when there was no data, which the model is told
	// plainly rather than getting an empty list that reads as "none".
	Empty bool
}

// Tool is one read-only tool.
type Tool struct {
	// Name, e.g. "search_devices".
	Name string
	// Description tells the model what it returns and when to use it.
	Description string
	// Parameters is the JSON schema of the arguments.
	Parameters map[string]any
	// Run runs it as the viewer in ctx, limited to scope.
	Run func(ctx context.Context, scope health.Ref, args json.RawMessage) (Result, error)
}

// Activity is a tool run as shown to the user.
type Activity struct {
	// Name of the tool.
	Name string
	// Summary of what it was asked, e.g. "devices failing storage.free_space".
	Summary string
	// Result in a few words, e.g. "12 devices" or "no data".
	Result string
	// Failed is true when the tool failed.
	Failed bool
}

// Deps are the domain services the tools read through.
type Deps struct {
	// Store is the database.
	Store *store.Store
	// Health reads scores, findings and history.
	Health *health.Service
	// Devices lists and filters devices.
	Devices *device.Service
	// Inventory reads software and event logs.
	Inventory *inventory.Service
	// Tenancy reads organisations and groups.
	Tenancy *tenancy.Service
}

// Catalogue returns every tool, reading through d, each result sized to
// TokenBudget.
func Catalogue(d Deps) []Tool { return CatalogueWithBudget(d, TokenBudget) }

// CatalogueWithBudget returns every tool with results sized to tokens
// (estimated at CharsPerToken characters each).
func CatalogueWithBudget(d Deps, tokens int) []Tool {
	k := &kit{d: d, budget: tokens}
	return []Tool{
		k.searchDevices(),
		k.deviceHealth(),
		k.deviceFindings(),
		k.searchEventLogs(),
		k.searchSoftware(),
		k.scoreHistory(),
		k.compareOrganisations(),
		k.fleetDistribution(),
		k.diskForecast(),
		k.silentAgents(),
	}
}

// Find returns the tool of ts named name.
func Find(ts []Tool, name string) (Tool, bool) {
	for _, t := range ts {
		if t.Name == name {
			return t, true
		}
	}
	return Tool{}, false
}
