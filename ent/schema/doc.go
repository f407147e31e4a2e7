// Package schema holds the ent schema of Wegweiser: the entities, their
// fields, edges and indexes, and the privacy policies that keep every query
// inside the viewer's tenant. `go tool ent generate` turns it into package ent.
package schema
