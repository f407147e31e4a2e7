package analyzer

import (
	_ "embed"
	"regexp"
	"strconv"
	"strings"
)

// macModelsTSV maps Mac model identifiers to their model year; its header
// names the source (Apple's "Identify your Mac" pages).
//
//go:embed data/mac_models.tsv
var macModelsTSV string

// macModel is one row of data/mac_models.tsv.
type macModel struct {
	year int
	name string
}

// macModels is data/mac_models.tsv keyed by identifier ("MacBookPro12,1").
var macModels = func() map[string]macModel {
	m := map[string]macModel{}
	for i, l := range strings.Split(macModelsTSV, "\n") {
		if l = strings.TrimRight(l, "\r"); l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) != 3 {
			panic("analyzer: data/mac_models.tsv line " + strconv.Itoa(i+1) + ": want 3 tab-separated columns")
		}
		y, err := strconv.Atoi(f[1])
		if err != nil {
			panic("analyzer: data/mac_models.tsv line " + strconv.Itoa(i+1) + ": " + err.Error())
		}
		if _, dup := m[f[0]]; dup {
			panic("analyzer: data/mac_models.tsv: duplicate identifier " + f[0])
		}
		m[f[0]] = macModel{year: y, name: f[2]}
	}
	return m
}()

// macIdentifier finds a Mac model identifier in a model string, e.g.
// "MacBook Pro (MacBookPro12,1)" → "MacBookPro12,1". Longer families come
// first so that "MacBookPro12,1" is not read as "MacBook…".
var macIdentifier = regexp.MustCompile(`\b(?:MacBookPro|MacBookAir|MacBook|Macmini|iMacPro|iMac|MacPro|Mac)\d+,\d+\b`)

// macModelYear returns the model year of a Mac from the identifier in its
// model string, and the identifier and marketing name it came from.
func macModelYear(model string) (year int, id, name string, ok bool) {
	id = macIdentifier.FindString(model)
	if id == "" {
		return 0, "", "", false
	}
	m, ok := macModels[id]
	if !ok {
		return 0, id, "", false
	}
	return m.year, id, m.name, true
}
