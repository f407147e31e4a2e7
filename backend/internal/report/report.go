// Package report renders the printable health report of one organisation
// that an MSP reviews with its customer: score and trend, devices by band,
// top risks by check, what changed in the period, the devices needing
// attention and the assistant's stored narrative. It renders HTML (one
// self-contained page with a print stylesheet) and PDF (that page printed
// by a headless Chromium), sends reports by mail and keeps the monthly
// schedules that send them. Everything is read through the health and
// narrative services as the viewer in the context.
package report

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/ai/narrative"
	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/jobs"
	"github.com/wegweiser/wegweiser/backend/internal/mail"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Format is how a report is rendered.
type Format string

// The formats.
const (
	HTML Format = "html"
	PDF  Format = "pdf"
)

// Limits of a report.
const (
	// DefaultPeriodDays is the period covered when none is asked for.
	DefaultPeriodDays = 30
	// MinPeriodDays and MaxPeriodDays bound the period.
	MinPeriodDays = 7
	MaxPeriodDays = 365
	// MaxRisks is how many checks the top risks list.
	MaxRisks = 10
	// MaxAttention is how many devices needing attention are listed.
	MaxAttention = 10
	// MaxChangedDevices bounds the devices whose changes are compared.
	MaxChangedDevices = 500
	// MaxRecipients bounds the recipients of a mailed report.
	MaxRecipients = 20
)

// Document is a rendered report.
type Document struct {
	// Title names the report, e.g. "Acme, 1 Nov – 1 Dec 2026".
	Title       string
	FileName    string
	ContentType string
	Content     []byte
}

// Service renders and sends reports.
type Service struct {
	st         *store.Store
	health     *health.Service
	narratives *narrative.Service
	printer    *Printer
	mail       mail.Sender
	jobs       *jobs.Client
	log        *slog.Logger
	now        func() time.Time
}

// New returns the report service. printer may be nil (no PDF), narratives
// nil (no narrative section), sender nil (mail written to the log).
func New(st *store.Store, hs *health.Service, narratives *narrative.Service, printer *Printer, sender mail.Sender, jc *jobs.Client, log *slog.Logger) *Service {
	if sender == nil {
		sender = mail.Log{Log: log}
	}
	return &Service{st: st, health: hs, narratives: narratives, printer: printer, mail: sender, jobs: jc, log: log,
		now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// CanPrint reports whether PDF can be rendered here.
func (s *Service) CanPrint() bool { return s.printer.Available() == nil }

// PeriodDays checks a requested period (0: the default).
func PeriodDays(field string, n int) (int, error) {
	if n == 0 {
		return DefaultPeriodDays, nil
	}
	if n < MinPeriodDays || n > MaxPeriodDays {
		return 0, apperr.Invalid(field, "must be between %d and %d days", MinPeriodDays, MaxPeriodDays)
	}
	return n, nil
}

// Render renders an organisation's report for the last periodDays as the
// viewer.
func (s *Service) Render(ctx context.Context, orgID uuid.UUID, format Format, periodDays int) (*Document, error) {
	periodDays, err := PeriodDays("period_days", periodDays)
	if err != nil {
		return nil, err
	}
	data, err := s.Build(ctx, orgID, periodDays)
	if err != nil {
		return nil, err
	}
	if format == PDF {
		if err := s.printer.Available(); err != nil {
			return nil, err
		}
	}
	page, err := renderHTML(data)
	if err != nil {
		return nil, err
	}
	name := fileName(data.Organisation, data.To)
	title := data.Organisation + ", " + data.From.Format("2 Jan") + " – " + data.To.Format("2 Jan 2006")
	if format != PDF {
		return &Document{Title: title, FileName: name + ".html", ContentType: "text/html; charset=utf-8", Content: page}, nil
	}
	pdf, err := s.printer.Print(ctx, page)
	if err != nil {
		return nil, err
	}
	return &Document{Title: title, FileName: name + ".pdf", ContentType: "application/pdf", Content: pdf}, nil
}

var unsafeName = regexp.MustCompile(`[^a-z0-9]+`)

// fileName suggests a file name: "acme-health-2026-11".
func fileName(org string, at time.Time) string {
	slug := strings.Trim(unsafeName.ReplaceAllString(strings.ToLower(org), "-"), "-")
	if len(slug) > 40 {
		slug = strings.Trim(slug[:40], "-")
	}
	if slug == "" {
		slug = "organisation"
	}
	return slug + "-health-" + at.UTC().Format("2006-01")
}

// Data is what a report shows.
type Data struct {
	Tenant, Organisation string
	From, To, Generated  time.Time
	PeriodDays           int
	Health               *health.View
	History              []health.Point
	// Delta is the score's change over the period from StartScore, the
	// first score of the period (valid when HasDelta).
	Delta, StartScore int
	HasDelta          bool
	Bands             []BandCount
	Risks             []Risk
	// CheckedDevices counts the devices in scope of the risks.
	CheckedDevices int
	New, Resolved  []ChangeCount
	Attention      []health.DeviceScore
	Narrative      *narrative.Narrative
}

// BandCount is the number of devices in one band.
type BandCount struct {
	Band  analyzer.Band
	Count int
}

// Risk is one check failing or warning across the organisation's devices.
type Risk struct {
	health.CheckSummary
	Advice string
}

// ChangeCount is one check that appeared or went away on some devices in
// the period.
type ChangeCount struct {
	CheckID, Title string
	Devices        int
	Points         int
}

// Build gathers a report's data as the viewer, through the health and
// narrative services.
func (s *Service) Build(ctx context.Context, orgID uuid.UUID, periodDays int) (*Data, error) {
	org, err := s.st.Ent.Organisation.Get(ctx, orgID)
	if err != nil {
		return nil, apperr.NotFoundIf(err, "organisation")
	}
	v := viewer.FromContext(ctx)
	ten, err := s.st.Ent.Tenant.Get(ctx, v.TenantID)
	if err != nil {
		return nil, fmt.Errorf("load tenant: %w", err)
	}
	now := s.now()
	span := time.Duration(periodDays) * 24 * time.Hour
	d := &Data{Tenant: ten.Name, Organisation: org.Name, From: now.Add(-span), To: now, Generated: now, PeriodDays: periodDays}
	ref := health.Ref{Kind: health.KindOrganisation, ID: orgID}
	if d.Health, err = s.health.Get(ctx, ref); err != nil {
		return nil, err
	}
	if d.History, err = s.health.History(ctx, ref, span); err != nil {
		return nil, err
	}
	for _, p := range d.History {
		if p.Scored && d.Health.Scored {
			d.Delta, d.StartScore, d.HasDelta = d.Health.Score-p.Score, p.Score, true
			break
		}
	}
	for _, b := range analyzer.AllBands {
		d.Bands = append(d.Bands, BandCount{Band: b, Count: d.Health.Bands[b]})
	}
	if err := s.risks(ctx, ref, d); err != nil {
		return nil, err
	}
	devices, err := s.health.Worst(ctx, ref, MaxChangedDevices)
	if err != nil {
		return nil, err
	}
	for _, dev := range devices {
		if dev.NeedsAttention && len(d.Attention) < MaxAttention {
			d.Attention = append(d.Attention, dev)
		}
	}
	if err := s.changes(ctx, devices, d); err != nil {
		return nil, err
	}
	if s.narratives != nil {
		if d.Narrative, err = s.narratives.Stored(ctx, ref); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// risks fills the top risks: the check summaries with the advice of their
// worst finding.
func (s *Service) risks(ctx context.Context, ref health.Ref, d *Data) error {
	sums, total, err := s.health.CheckSummaries(ctx, ref, "")
	if err != nil {
		return err
	}
	d.CheckedDevices = total
	// Most devices affected first, then impact (the summaries come by
	// impact).
	sort.SliceStable(sums, func(i, j int) bool {
		return sums[i].DevicesFailing+sums[i].DevicesWarning > sums[j].DevicesFailing+sums[j].DevicesWarning
	})
	if len(sums) > MaxRisks {
		sums = sums[:MaxRisks]
	}
	if len(sums) == 0 {
		return nil
	}
	findings, err := s.health.Findings(ctx, ref, false, "", 10000)
	if err != nil {
		return err
	}
	advice := map[string]string{}
	for _, f := range findings {
		if advice[f.CheckID] == "" && f.Recommendation != "" && !f.Suppressed {
			advice[f.CheckID] = f.Recommendation
		}
	}
	info := catalogue()
	for _, c := range sums {
		r := Risk{CheckSummary: c, Advice: advice[c.CheckID]}
		if r.Advice == "" {
			r.Advice = info[c.CheckID].Description
		}
		d.Risks = append(d.Risks, r)
	}
	return nil
}

// changes fills what changed: the findings that appeared and went away on
// the devices in the period, by check (health.Service.Explain from the
// period's start to now, device by device).
func (s *Service) changes(ctx context.Context, devices []health.DeviceScore, d *Data) error {
	type agg struct {
		devices map[uuid.UUID]bool
		points  int
	}
	added, gone := map[string]*agg{}, map[string]*agg{}
	count := func(m map[string]*agg, c health.Change, dev uuid.UUID) {
		a := m[c.CheckID]
		if a == nil {
			a = &agg{devices: map[uuid.UUID]bool{}}
			m[c.CheckID] = a
		}
		a.devices[dev] = true
		a.points += abs(c.Delta)
	}
	for _, dev := range devices {
		e, err := s.health.Explain(ctx, dev.DeviceID, d.From, time.Time{})
		if apperr.Is(err, apperr.KindFailedPrecondition) || apperr.Is(err, apperr.KindNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		for _, c := range e.Changes {
			switch c.Kind {
			case "new":
				count(added, c, dev.DeviceID)
			case "resolved":
				count(gone, c, dev.DeviceID)
			}
		}
	}
	info := catalogue()
	list := func(m map[string]*agg) []ChangeCount {
		var out []ChangeCount
		for id, a := range m {
			title := info[id].Title
			if title == "" {
				title = id
			}
			out = append(out, ChangeCount{CheckID: id, Title: title, Devices: len(a.devices), Points: a.points})
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Devices != out[j].Devices {
				return out[i].Devices > out[j].Devices
			}
			return out[i].CheckID < out[j].CheckID
		})
		if len(out) > MaxRisks {
			out = out[:MaxRisks]
		}
		return out
	}
	d.New, d.Resolved = list(added), list(gone)
	return nil
}

// catalogue returns the check catalogue by id.
func catalogue() map[string]analyzer.CheckInfo {
	out := map[string]analyzer.CheckInfo{}
	for _, c := range analyzer.Catalogue() {
		out[c.ID] = c
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
