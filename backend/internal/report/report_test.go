package report

import (
	"strings"
	"testing"
	"time"

	"github.com/wegweiser/wegweiser/backend/internal/ai/narrative"
	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/health"
)

// TestPageEscapesEverything: names, finding titles, advice and narrative
// text with markup come out as text, and the page has no script and loads
// nothing.
func TestPageEscapesEverything(t *testing.T) {
	to := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	hostile := `<script>alert(1)</script>`
	d := &Data{
		Tenant: hostile, Organisation: hostile, From: to.AddDate(0, 0, -30), To: to, Generated: to, PeriodDays: 30,
		Health: &health.View{Score: 64, Band: analyzer.BandPoor, Scored: true, CapReason: `<img src=x onerror=alert(2)>`},
		History: []health.Point{
			{Time: to.AddDate(0, 0, -31), Score: 80, Band: analyzer.BandFair, Scored: true},
			{Time: to.AddDate(0, 0, -10), Score: 64, Band: analyzer.BandPoor, Scored: true},
		},
		Delta: -16, StartScore: 80, HasDelta: true,
		Risks: []Risk{{CheckSummary: health.CheckSummary{CheckID: "storage.volume_free_space", Title: `Volume <b onmouseover="x">C:</b>`,
			Severity: analyzer.Severity("high"), DevicesFailing: 2}, Advice: `<a href="https://evil.example">click</a>`}},
		New:       []ChangeCount{{CheckID: "x", Title: `<svg onload=alert(3)>`, Devices: 1}},
		Attention: []health.DeviceScore{{Hostname: `<iframe src="//evil.example">`, Score: 40, Band: analyzer.BandCritical, Scored: true}},
		Narrative: &narrative.Narrative{Text: `Fix </p><script>alert(4)</script>`, Model: `<i>m</i>`,
			Steps: []narrative.Step{{Title: `<style>body{display:none}</style>`}}},
	}
	d.Bands = []BandCount{{analyzer.BandPoor, 2}, {analyzer.BandCritical, 1}}
	out, err := renderHTML(d)
	if err != nil {
		t.Fatal(err)
	}
	page := string(out)
	for _, bad := range []string{"<script", "<img", "<iframe", "<a ", "<b ", "<svg onload", "<style>body", "<i>", `src="`, `href="`, "url(", "@import"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "Volume &lt;b", "&lt;iframe", "-16", "<polyline", `data-score="64"`, "healthy 90–100"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(page, "<svg"); n != 2 {
		t.Errorf("%d SVG charts, want 2", n)
	}
}

func TestNextSend(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		now  string
		day  int
		want string
	}{
		{"2026-12-01T05:59:00Z", 1, "2026-12-01T06:00:00Z"},
		{"2026-12-01T06:00:00Z", 1, "2027-01-01T06:00:00Z"},
		{"2026-12-15T10:00:00Z", 28, "2026-12-28T06:00:00Z"},
		{"2026-12-29T00:00:00Z", 28, "2027-01-28T06:00:00Z"},
		{"2027-01-31T12:00:00Z", 28, "2027-02-28T06:00:00Z"},
	} {
		if got := NextSend(at(c.now), c.day); !got.Equal(at(c.want)) {
			t.Errorf("NextSend(%s, %d) = %s, want %s", c.now, c.day, got, c.want)
		}
	}
}

func TestRecipients(t *testing.T) {
	if _, err := Recipients("recipients", []string{"a@example.com", "nope"}); err == nil {
		t.Error("bad address accepted")
	}
	got, err := Recipients("recipients", []string{"A@example.com", "a@example.com", " b@example.com "})
	if err != nil || len(got) != 2 || got[0] != "a@example.com" || got[1] != "b@example.com" {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := Recipients("recipients", make([]string, 21)); err == nil {
		t.Error("21 recipients accepted")
	}
	if fileName("<Ä & B>", time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)) != "b-health-2026-11" {
		t.Errorf("file name %q", fileName("<Ä & B>", time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)))
	}
}
