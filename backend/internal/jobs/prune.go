package jobs

import "time"

// PruneArgs is the periodic job that deletes records past each tenant's
// retention (see the retention package).
type PruneArgs struct{}

// Kind implements river.JobArgs.
func (PruneArgs) Kind() string { return "prune_retention" }

// PruneInterval is how often retention is applied.
const PruneInterval = 6 * time.Hour
