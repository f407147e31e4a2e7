// Package ent holds the generated data-access code for Wegweiser's schemas
// (see schema/). Regenerate with `make gen`.
package ent

//go:generate go tool ent generate --feature privacy,entql,sql/versioned-migration,sql/upsert,sql/execquery ./schema
