package analyzer

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scoringDoc is the technicians' description of the health model; its table
// of checks is generated from Catalogue() between these markers.
var scoringDoc = filepath.Join("..", "..", "..", "docs", "scoring.md")

const (
	tableBegin = "<!-- checks table: generated from analyzer.Catalogue(); `go test ./backend/internal/analyzer -run TestScoringDocTable -update` -->"
	tableEnd   = "<!-- end of checks table -->"
)

// checksTable renders the catalogue as a markdown table.
func checksTable() string {
	var b strings.Builder
	b.WriteString("| Check | Platforms | Warn | Fail | Critical | Unit | Severity (warn / fail) | Source of the thresholds |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, c := range Catalogue() {
		th := func(v *float64) string {
			if v == nil {
				return "—"
			}
			return c.Compare + " " + fmtNum(*v)
		}
		pl := "all"
		if len(c.Platforms) > 0 {
			pl = strings.Join(c.Platforms, ", ")
		}
		sev := string(c.Severity)
		if c.WarnSeverity != "" {
			sev = string(c.WarnSeverity) + " / " + sev
		}
		if c.Critical != nil {
			sev += " (critical beyond the critical threshold)"
		}
		unit := c.Unit
		if unit == "" {
			unit = "—"
		}
		cell := func(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
		b.WriteString("| `" + c.ID + "` " + cell(c.Title) + ": " + cell(c.Description) +
			" | " + pl + " | " + cell(th(c.Warn)) + " | " + cell(th(c.Fail)) + " | " + cell(th(c.Critical)) +
			" | " + cell(unit) + " | " + sev + " | " + cell(c.Source) + " |\n")
	}
	return b.String()
}

// TestScoringDocTable keeps the table of checks in docs/scoring.md equal to
// Catalogue(): a new check, threshold, severity or source that is not in the
// documentation fails here. Run with -update to rewrite the table.
func TestScoringDocTable(t *testing.T) {
	doc, err := os.ReadFile(scoringDoc)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(doc, []byte(tableBegin))
	j := bytes.Index(doc, []byte(tableEnd))
	if i < 0 || j < i {
		t.Fatalf("%s has no generated table between %q and %q", scoringDoc, tableBegin, tableEnd)
	}
	start := i + len(tableBegin) + 1
	got := []byte("\n" + checksTable() + "\n")
	if *update {
		out := append(append(append([]byte{}, doc[:start-1]...), got...), doc[j:]...)
		if err := os.WriteFile(scoringDoc, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := doc[start-1 : j]; !bytes.Equal(want, got) {
		t.Errorf("the table of checks in %s differs from Catalogue() (run with -update and review the diff):\n%s", scoringDoc, firstDiff(want, got))
	}
}

// TestScoringDocPenalties keeps the penalty and domain-factor tables of
// docs/scoring.md equal to Penalty and Deduction.
func TestScoringDocPenalties(t *testing.T) {
	b, err := os.ReadFile(scoringDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, sev := range Severities() {
		row := fmt.Sprintf("| %s | %d | %d |", sev, Penalty(Fail, sev), Penalty(Warn, sev))
		if !strings.Contains(doc, row) {
			t.Errorf("docs/scoring.md lacks the penalty row %q", row)
		}
	}
	for _, d := range Domains() {
		row := fmt.Sprintf("| %s | %d | %d %% | %d | %d | %d |", d, DomainWeight(d), DomainFactor(d),
			Deduction(d, Fail, High), Deduction(d, Warn, High), Deduction(d, Fail, Critical))
		if !strings.Contains(doc, row) {
			t.Errorf("docs/scoring.md lacks the domain row %q", row)
		}
	}
}
