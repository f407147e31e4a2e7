package analyzer

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// labelledAgreementFloor is the share of labelled machines whose band the
// analyzer must agree with. It is what the analyzer reached when the corpus
// was added (model 2026.11.1: 19 of 41 = 0.463), rounded down to 0.05. The
// lead raises it as the scoring model improves (the test logs when it can
// be raised); it is not lowered to let a change through, and labels are not
// changed to match the analyzer (see testdata/labelled/README.md).
const labelledAgreementFloor = 0.55

// labelledDir holds the labelled corpus: one snapshot per machine and
// labels.json.
var labelledDir = filepath.Join("testdata", "labelled")

// labelFile is testdata/labelled/labels.json.
type labelFile struct {
	// Now is the analysis time of the whole corpus.
	Now      time.Time      `json:"now"`
	Machines []machineLabel `json:"machines"`
}

// machineLabel is a technician's judgement of one machine.
type machineLabel struct {
	File                 string   `json:"file"`
	OS                   string   `json:"os"`
	Role                 string   `json:"role"`
	Band                 Band     `json:"band"`
	ExpectedChecks       []string `json:"expected_checks"`
	ExpectedWithoutCheck []string `json:"expected_without_check"`
	Rationale            string   `json:"rationale"`
}

func loadLabels(t *testing.T) labelFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(labelledDir, "labels.json"))
	if err != nil {
		t.Fatal(err)
	}
	var l labelFile
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		t.Fatalf("labels.json: %v", err)
	}
	if l.Now.IsZero() {
		t.Fatal("labels.json: now is missing")
	}
	return l
}

// TestLabelledCorpus analyses every labelled machine at the corpus's fixed
// time and compares the analyzer's band with the technician's. It prints an
// agreement table, the confusion between bands and the expected findings the
// analyzer did not raise, and fails when agreement drops below
// labelledAgreementFloor, when a snapshot does not parse, or when a snapshot
// has no label (or a label no snapshot).
func TestLabelledCorpus(t *testing.T) {
	l := loadLabels(t)
	files, err := filepath.Glob(filepath.Join(labelledDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	onDisk := map[string]bool{}
	for _, f := range files {
		if b := filepath.Base(f); b != "labels.json" {
			onDisk[b] = true
		}
	}
	known := map[string]bool{}
	for _, c := range Catalogue() {
		known[c.ID] = true
	}
	validBand := map[Band]bool{}
	for _, r := range Bands() {
		validBand[r.Name] = true
	}

	labelled := map[string]bool{}
	for _, m := range l.Machines {
		switch {
		case labelled[m.File]:
			t.Errorf("%s is labelled twice", m.File)
		case !onDisk[m.File]:
			t.Errorf("%s is labelled but has no snapshot file", m.File)
		case !validBand[m.Band] || m.Band == BandUnscored:
			t.Errorf("%s: label band %q is not a scored band", m.File, m.Band)
		case strings.TrimSpace(m.Rationale) == "":
			t.Errorf("%s: the label has no rationale", m.File)
		}
		for _, id := range m.ExpectedChecks {
			if !known[id] {
				t.Errorf("%s: expected check %q is not in the catalogue (describe it in expected_without_check instead)", m.File, id)
			}
		}
		labelled[m.File] = true
	}
	var unlabelled []string
	for f := range onDisk {
		if !labelled[f] {
			unlabelled = append(unlabelled, f)
		}
	}
	sort.Strings(unlabelled)
	for _, f := range unlabelled {
		t.Errorf("%s has no label in labels.json", f)
	}
	if len(l.Machines) < 30 {
		t.Errorf("the corpus has %d labelled machines, want at least 30", len(l.Machines))
	}
	if t.Failed() {
		t.FailNow()
	}

	bandOrder := []Band{BandHealthy, BandFair, BandPoor, BandCritical}
	confusion := map[[2]Band]int{}
	var table, missed, uncheckable []string
	agree := 0
	for _, m := range l.Machines {
		name := strings.TrimSuffix(m.File, ".json")
		s := loadLabelled(t, m.File)
		if s == nil {
			continue
		}
		in := Input{Snapshot: s, Now: l.Now, Server: m.Role == "server"}
		if ct, ok := tsOK(s.GetCollectedTime()); ok {
			in.ReceivedAt = ct.Add(30 * time.Second)
		}
		r, err := Analyze(in, Policy{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		mark := "≠"
		if r.Band == m.Band {
			agree++
			mark = "="
		}
		confusion[[2]Band{m.Band, r.Band}]++
		table = append(table, fmt.Sprintf("%-44s %-8s %s %-8s %3d  %s", name, m.Band, mark, r.Band, r.Score, topFindings(r, 3)))

		raised := map[string]bool{}
		for _, f := range r.Findings {
			if (f.Status == Warn || f.Status == Fail) && !f.Suppressed {
				raised[f.CheckID] = true
			}
		}
		var notRaised []string
		for _, id := range m.ExpectedChecks {
			if !raised[id] {
				notRaised = append(notRaised, id)
			}
		}
		if len(notRaised) > 0 {
			missed = append(missed, fmt.Sprintf("%-44s %s", name, strings.Join(notRaised, ", ")))
		}
		for _, x := range m.ExpectedWithoutCheck {
			uncheckable = append(uncheckable, fmt.Sprintf("%-44s %s", name, x))
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	t.Logf("labelled corpus at %s, model %s:\n%-44s %-8s   %-8s %3s  %s\n%s", l.Now.Format(time.RFC3339), Version,
		"machine", "label", "got", "scr", "top findings (penalty)", strings.Join(table, "\n"))
	var cm strings.Builder
	fmt.Fprintf(&cm, "%-10s", "label\\got")
	for _, g := range bandOrder {
		fmt.Fprintf(&cm, "%9s", g)
	}
	for _, lb := range bandOrder {
		fmt.Fprintf(&cm, "\n%-10s", lb)
		for _, g := range bandOrder {
			fmt.Fprintf(&cm, "%9d", confusion[[2]Band{lb, g}])
		}
	}
	t.Logf("band confusion (rows: technician, columns: analyzer):\n%s", cm.String())
	if len(missed) > 0 {
		t.Logf("expected findings the analyzer did not raise (warn or fail):\n%s", strings.Join(missed, "\n"))
	}
	if len(uncheckable) > 0 {
		t.Logf("expected findings no check covers yet:\n%s", strings.Join(uncheckable, "\n"))
	}

	ratio := float64(agree) / float64(len(l.Machines))
	t.Logf("band agreement: %d of %d = %.3f (floor %.2f)", agree, len(l.Machines), ratio, labelledAgreementFloor)
	if ratio+1e-9 < labelledAgreementFloor {
		t.Errorf("band agreement %.3f is below the floor %.2f: the analyzer disagrees with the technicians more than before", ratio, labelledAgreementFloor)
	}
	if math.Floor(ratio*20)/20 > labelledAgreementFloor+1e-9 {
		t.Logf("agreement has risen above the floor: raise labelledAgreementFloor to %.2f", math.Floor(ratio*20)/20)
	}
}

// loadLabelled parses one corpus snapshot, reporting a parse error as a
// test error (and returning nil).
func loadLabelled(t *testing.T, file string) *agentv1.Snapshot {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(labelledDir, file))
	if err != nil {
		t.Errorf("%s: %v", file, err)
		return nil
	}
	s := &agentv1.Snapshot{}
	if err := protojson.Unmarshal(b, s); err != nil {
		t.Errorf("%s does not parse as a snapshot: %v", file, err)
		return nil
	}
	return s
}

// topFindings names the n findings that cost the most points, with their
// penalty, most expensive first.
func topFindings(r Result, n int) string {
	fs := slices.Clone(r.Findings)
	fs = slices.DeleteFunc(fs, func(f Finding) bool { return f.Penalty == 0 })
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Penalty > fs[j].Penalty })
	var out []string
	for i, f := range fs {
		if i == n {
			out = append(out, fmt.Sprintf("+%d more", len(fs)-n))
			break
		}
		out = append(out, fmt.Sprintf("%s (%d)", f.Key(), f.Penalty))
	}
	if len(out) == 0 {
		return "—"
	}
	return strings.Join(out, "; ")
}
