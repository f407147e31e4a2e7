package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
)

//go:embed report.html.tmpl
var pageSource string

// page is the report's template: html/template escapes every value in its
// context (text, attributes, SVG).
var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"date":     func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
	"datetime": func(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") },
	"signed":   func(n int) string { return fmt.Sprintf("%+d", n) },
	"band":     bandLabel,
	"colour":   bandColour,
	"lower":    strings.ToLower,
}).Parse(pageSource))

// Chart sizes (SVG user units).
const (
	trendW, trendH = 640, 200
	trendLeft      = 52 // room for the band labels
	barW           = 360
)

// pageData is what the template reads.
type pageData struct {
	*Data
	Trend Trend
	Bars  []Bar
	// BandRanges says which scores each band covers, e.g. "healthy 90–100".
	BandRanges string
}

// bandRanges describes the bands of the scoring model.
func bandRanges() string {
	var parts []string
	for _, r := range analyzer.Bands() {
		parts = append(parts, fmt.Sprintf("%s %d–%d", r.Name, r.Min, r.Max))
	}
	return strings.Join(parts, ", ")
}

// Trend is the score line chart of the period.
type Trend struct {
	W, H, Left, Plot int
	// Points is the polyline ("x,y x,y …"), a step line holding each score
	// until the next.
	Points string
	// Dots are the changes, Bands the band areas behind the line, Ticks
	// the dates on the time axis.
	Dots  []Dot
	Bands []Area
	Ticks []Tick
	Empty bool
}

// Dot is one point of the trend.
type Dot struct {
	X, Y  float64
	Score int
}

// Area is a band's stripe behind the line.
type Area struct {
	Y, H    float64
	LabelDY float64
	Colour  string
	Label   string
}

// Tick is a date on the time axis.
type Tick struct {
	X     float64
	Label string
}

// Bar is one band's bar in the distribution chart.
type Bar struct {
	Band          analyzer.Band
	Count, Width  int
	Y             int
	Colour, Label string
}

func bandLabel(b analyzer.Band) string {
	if b == "" {
		return "Unscored"
	}
	return strings.ToUpper(string(b[:1])) + string(b[1:])
}

// bandColour is a light print colour per band.
func bandColour(b analyzer.Band) string {
	switch b {
	case analyzer.BandHealthy:
		return "#2e7d32"
	case analyzer.BandFair:
		return "#b7950b"
	case analyzer.BandPoor:
		return "#e67e22"
	case analyzer.BandCritical:
		return "#c0392b"
	}
	return "#8a8f98"
}

// trend lays out the score history of the period.
func trend(d *Data) Trend {
	t := Trend{W: trendW, H: trendH, Left: trendLeft, Plot: trendW - trendLeft - 24}
	top, bottom := 10.0, float64(trendH-24)
	y := func(score int) float64 { return bottom - (bottom-top)*float64(score)/100 }
	span := d.To.Sub(d.From).Seconds()
	x := func(at time.Time) float64 {
		f := at.Sub(d.From).Seconds() / span
		f = min(max(f, 0), 1)
		return float64(trendLeft) + f*float64(t.Plot)
	}
	for _, r := range analyzer.Bands() {
		low, top := r.Min, min(r.Max+1, 100)
		if low <= 1 {
			low = 0
		}
		h := y(low) - y(top)
		t.Bands = append(t.Bands, Area{Y: y(top), H: h, LabelDY: h/2 + 3, Colour: bandColour(r.Name), Label: bandLabel(r.Name)})
	}
	for i := 0; i <= 4; i++ {
		at := d.From.Add(time.Duration(float64(d.To.Sub(d.From)) * float64(i) / 4))
		t.Ticks = append(t.Ticks, Tick{X: x(at), Label: at.UTC().Format("2 Jan")})
	}
	var pts []string
	last := -1
	for _, p := range d.History {
		if !p.Scored {
			continue
		}
		px, py := x(p.Time), y(p.Score)
		if last >= 0 {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px, y(last)))
		}
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", px, py))
		t.Dots = append(t.Dots, Dot{X: px, Y: py, Score: p.Score})
		last = p.Score
	}
	if d.Health.Scored {
		if last < 0 {
			t.Dots = append(t.Dots, Dot{X: x(d.To), Y: y(d.Health.Score), Score: d.Health.Score})
		} else {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(d.To), y(last)))
		}
	}
	t.Points = strings.Join(pts, " ")
	t.Empty = len(t.Dots) == 0
	return t
}

// bars lays out the devices by band.
func bars(d *Data) []Bar {
	most := 1
	for _, b := range d.Bands {
		most = max(most, b.Count)
	}
	out := make([]Bar, len(d.Bands))
	for i, b := range d.Bands {
		out[i] = Bar{Band: b.Band, Count: b.Count, Width: b.Count * (barW - 150) / most, Y: i * 26,
			Colour: bandColour(b.Band), Label: bandLabel(b.Band)}
	}
	return out
}

// renderHTML renders the report page.
func renderHTML(d *Data) ([]byte, error) {
	var b bytes.Buffer
	if err := reportPage.Execute(&b, pageData{Data: d, Trend: trend(d), Bars: bars(d), BandRanges: bandRanges()}); err != nil {
		return nil, fmt.Errorf("render report: %w", err)
	}
	return b.Bytes(), nil
}
