// Package frontend embeds the built dashboard (frontend/dist, produced by
// `npm run build`) so that the wegweiser binary serves it.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built SPA. Built reports whether it holds an index.html
// (a fresh clone has only a placeholder until `npm run build` ran).
func Dist() (fsys fs.FS, built bool) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err)
	}
	_, err = fs.Stat(sub, "index.html")
	return sub, err == nil
}
