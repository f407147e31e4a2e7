package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/ai/chat"
	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

// stubModel is the language model of P11, in process: asked a question it
// calls the tools a model typically calls at tenant level for "which
// devices need attention and why is the fleet's score down?", and given
// their results it answers with a short text citing the first record.
type stubModel struct{}

// Model names the stub.
func (stubModel) Model() string { return "bench-stub" }

// Complete answers without a network: tool calls first, then text.
func (stubModel) Complete(_ context.Context, req ai.Request, onText func(string)) (ai.Response, error) {
	prompt := 0
	for _, m := range req.Messages {
		prompt += len(m.Content)
	}
	res := ai.Response{Model: "bench-stub", PromptTokens: int64(prompt / 4)}
	if n := len(req.Messages); n > 0 && req.Messages[n-1].Role == ai.RoleTool {
		text := "The fleet's score is down because of the checks failing on most devices [1]; the devices listed need attention first."
		if onText != nil {
			for _, part := range strings.SplitAfter(text, " ") {
				onText(part)
			}
		}
		res.Message = ai.Message{Role: ai.RoleAssistant, Content: text}
		res.CompletionTokens = int64(len(text) / 4)
		return res, nil
	}
	res.Message = ai.Message{Role: ai.RoleAssistant, ToolCalls: []ai.ToolCall{
		{ID: "call_1", Name: "fleet_distribution", Arguments: `{}`},
		{ID: "call_2", Name: "search_devices", Arguments: `{"needs_attention":true,"limit":20}`},
	}}
	res.CompletionTokens = 40
	return res, nil
}

// p11Checks are the checks the synthetic findings of P11 come from: a
// handful spread over the catalogue's domains.
func p11Checks() []analyzer.CheckInfo {
	cat := analyzer.Catalogue()
	var out []analyzer.CheckInfo
	for i := 0; i < 8; i++ {
		out = append(out, cat[i*len(cat)/8])
	}
	return out
}

// seedHealth gives every device of the population that has no health row
// yet (P7 re-scores some) a synthetic one, written with COPY: a realistic
// spread of scores and bands from 0 to 5 findings of a handful of checks
// (their rows in device_findings too), some unscored, some stale. Then it
// rolls the tenant up once, so the organisations and the tenant have their
// health. Only P11 needs it; it runs after P7–P9.
func (b *bench) seedHealth(pop *population) (string, error) {
	if pop.scored {
		return "", nil
	}
	start := time.Now()
	pool, err := pgxpool.New(b.ctx, b.db)
	if err != nil {
		return "", err
	}
	defer pool.Close()
	rows, err := pool.Query(b.ctx, `SELECT id, organisation_id, role FROM devices WHERE tenant_id = $1
		AND id NOT IN (SELECT device_id FROM device_healths WHERE tenant_id = $1) ORDER BY id`, pop.tenantID)
	if err != nil {
		return "", fmt.Errorf("devices without health: %w", err)
	}
	type dev struct {
		id, org uuid.UUID
		server  bool
	}
	var devs []dev
	for rows.Next() {
		var d dev
		var role string
		if err := rows.Scan(&d.id, &d.org, &role); err != nil {
			rows.Close()
			return "", err
		}
		d.server = role == "server"
		devs = append(devs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	checks := p11Checks()
	rng := rand.New(rand.NewPCG(11, 11)) //nolint:gosec // G404: synthetic data, reproducible on purpose
	now := time.Now().UTC()
	var healthRows, findingRows [][]any
	bands := map[string]int{}
	attention := 0
	for _, d := range devs {
		// 0 findings for 45 % of devices, 1 for 30 %, 2 for 15 %, 3 for 7 %, 5 for 3 %.
		n := 0
		switch r := rng.IntN(100); {
		case r < 45:
		case r < 75:
			n = 1
		case r < 90:
			n = 2
		case r < 97:
			n = 3
		default:
			n = 5
		}
		var issues []analyzer.Finding
		for _, ci := range rng.Perm(len(checks))[:n] {
			c := checks[ci]
			f := analyzer.Finding{CheckID: c.ID, Domain: c.Domain, Title: c.Title, Status: analyzer.Warn, Severity: c.WarnSeverity, Evidence: []analyzer.Evidence{}}
			if f.Severity == "" {
				f.Severity = analyzer.Low
			}
			if rng.IntN(3) == 0 {
				f.Status, f.Severity = analyzer.Fail, c.Severity
			}
			f.Penalty = analyzer.Deduction(f.Domain, f.Status, f.Severity)
			issues = append(issues, f)
		}
		sort.SliceStable(issues, func(i, j int) bool { return issues[i].Penalty > issues[j].Penalty })
		score := 100 - rng.IntN(8)
		high := false
		for _, f := range issues {
			score -= f.Penalty
			high = high || f.Severity == analyzer.High || f.Severity == analyzer.Critical
		}
		score = max(score, 1)
		scored := rng.IntN(100) >= 2 // 2 % unscored (too little data)
		stale := rng.IntN(100) < 3   // 3 % silent for more than a day
		band := analyzer.BandOf(score)
		coverage := 0.9
		if !scored {
			score, band, coverage = 0, analyzer.BandUnscored, 0.2
		}
		needs := scored && (high || band == analyzer.BandPoor || band == analyzer.BandCritical)
		bands[string(band)]++
		if needs {
			attention++
		}
		received := now.Add(-time.Duration(rng.IntN(60)) * time.Minute)
		if stale {
			received = now.Add(-time.Duration(2+rng.IntN(20)) * 24 * time.Hour)
		}
		var top analyzer.Finding
		if len(issues) > 0 {
			top = issues[0]
		}
		domains := map[analyzer.Domain]int{}
		for _, f := range issues {
			domains[f.Domain] += f.Penalty
		}
		var ds []analyzer.DomainScore
		for dom, pen := range domains {
			ds = append(ds, analyzer.DomainScore{Domain: dom, Score: max(100-pen, 1), Scored: true, Checks: 5})
		}
		findings, _ := json.Marshal(issues)
		if issues == nil {
			findings = []byte("[]")
		}
		domainsJSON, _ := json.Marshal(ds)
		if ds == nil {
			domainsJSON = []byte("[]")
		}
		healthRows = append(healthRows, []any{uuid.Must(uuid.NewV7()), pop.tenantID, d.id, d.org, score, string(band), scored, d.server, stale, coverage, "",
			needs, top.CheckID, top.Title, string(top.Severity), len(issues), string(domainsJSON), string(findings), received, now})
		for _, f := range issues {
			findingRows = append(findingRows, []any{uuid.Must(uuid.NewV7()), pop.tenantID, d.id, d.org, f.CheckID, f.Subject, string(f.Domain), string(f.Status), string(f.Severity), f.Penalty, f.Title})
		}
	}
	copies := []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"device_healths", []string{"id", "tenant_id", "device_id", "organisation_id", "score", "band", "scored", "server", "stale", "coverage", "cap_reason",
			"needs_attention", "top_check_id", "top_title", "top_severity", "issue_count", "domains", "findings", "snapshot_received_at", "computed_at"}, healthRows},
		{"device_findings", []string{"id", "tenant_id", "device_id", "organisation_id", "check_id", "subject", "domain", "status", "severity", "penalty", "title"}, findingRows},
	}
	for _, c := range copies {
		if _, err := pool.CopyFrom(b.ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return "", fmt.Errorf("copy %s: %w", c.table, err)
		}
	}
	if _, err := pool.Exec(b.ctx, `ANALYZE devices, device_healths, device_findings`); err != nil {
		return "", err
	}
	if err := b.app.Health.RollUpTenant(b.ctx, pop.tenantID); err != nil {
		return "", fmt.Errorf("roll up: %w", err)
	}
	pop.scored = true
	fmt.Printf("seeded health of %d devices (%d finding rows) and rolled up in %s\n", len(devs), len(findingRows), time.Since(start).Round(time.Second))
	note := fmt.Sprintf("synthetic health for %d devices: bands %v, %d need attention, %d finding rows over %d checks",
		len(devs), bands, attention, len(findingRows), len(checks))
	if n := len(pop.devices) - len(devs); n > 0 {
		note += fmt.Sprintf(" (the other %d as P7 re-scored them)", n)
	}
	return note, nil
}

// p95 returns the 95th percentile of ds (nearest rank).
func p95(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)*95+99)/100-1]
}

// p11 measures a tenant-level chat answer (chat.Service.Send: context
// assembly, the tools fleet_distribution and search_devices as an owner,
// citations, storing question and answer) with the model stubbed in
// process, against the bare SQL statements those tools amount to.
func (b *bench) p11(pop *population) (Result, error) {
	const warm, runs = 5, 40
	seeded, err := b.seedHealth(pop)
	if err != nil {
		return Result{}, err
	}
	vctx := viewer.NewContext(b.ctx, &viewer.Viewer{TenantID: pop.tenantID, Role: viewer.RoleOwner, UserID: pop.ownerID})
	tenant := health.Ref{Kind: health.KindTenant, ID: pop.tenantID}
	const question = "Which devices need attention and why is the fleet's score down?"
	var measured []time.Duration
	var toolsRun, citations int
	// Where an answer's time goes: until the question is emitted (load,
	// resolve), each tool (until its activity is emitted), the rest (the
	// second model call, citations, storing).
	phases := map[string][]time.Duration{}
	for i := 0; i < warm+runs; i++ {
		// A new conversation each time: no history, no summarisation.
		c, err := b.app.Chat.Create(vctx, tenant, "")
		if err != nil {
			return Result{}, fmt.Errorf("create conversation: %w", err)
		}
		var answer *chat.Message
		t0 := time.Now()
		last := t0
		mark := map[string]time.Duration{}
		err = b.app.Chat.Send(vctx, c.ID, question, func(e chat.Event) error {
			switch {
			case e.Question != nil:
				mark["start"] = time.Since(last)
				last = time.Now()
			case e.Tool != nil:
				mark[e.Tool.Name] = time.Since(last)
				last = time.Now()
			case e.Answer != nil:
				answer = e.Answer
			}
			return nil
		})
		d := time.Since(t0)
		mark["answer and store"] = time.Since(last)
		if err != nil {
			return Result{}, fmt.Errorf("send: %w", err)
		}
		if answer == nil || len(answer.Citations) == 0 || len(answer.Tools) != 2 {
			return Result{}, fmt.Errorf("answer without citation or tools: %+v", answer)
		}
		for _, t := range answer.Tools {
			if t.Failed {
				return Result{}, fmt.Errorf("tool %s failed: %s", t.Name, t.Result)
			}
		}
		toolsRun, citations = len(answer.Tools), len(answer.Citations)
		if i >= warm {
			measured = append(measured, d)
			for k, v := range mark {
				phases[k] = append(phases[k], v)
			}
		}
	}
	var split []string
	for _, k := range []string{"start", "fleet_distribution", "search_devices", "answer and store"} {
		split = append(split, fmt.Sprintf("%s %s", k, median(phases[k]).Round(time.Millisecond)))
	}

	db, err := sql.Open("pgx", b.db)
	if err != nil {
		return Result{}, err
	}
	defer func() { _ = db.Close() }()
	drain := func(rows *sql.Rows, err error) error {
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		_ = rows.Close()
		return rows.Err()
	}
	bareRun := func() (time.Duration, error) {
		t0 := time.Now()
		var n int
		if err := db.QueryRowContext(b.ctx, `SELECT COUNT(*) FROM devices WHERE tenant_id = $1`, pop.tenantID).Scan(&n); err != nil {
			return 0, err
		}
		// Band counts, needs attention and stale.
		if err := drain(db.QueryContext(b.ctx, `SELECT band, COUNT(*),
				COUNT(*) FILTER (WHERE needs_attention OR band IN ('poor', 'critical')),
				COUNT(*) FILTER (WHERE snapshot_received_at < $2)
			FROM device_healths WHERE tenant_id = $1 AND scored GROUP BY band`, pop.tenantID, time.Now().Add(-health.StaleAfter))); err != nil {
			return 0, err
		}
		var score int
		var band string
		if err := db.QueryRowContext(b.ctx, `SELECT score, band FROM entity_healths WHERE tenant_id = $1 AND kind = 'tenant'`, pop.tenantID).Scan(&score, &band); err != nil {
			return 0, err
		}
		// Top failing checks.
		if err := drain(db.QueryContext(b.ctx, `SELECT check_id, MAX(title), COUNT(DISTINCT device_id) FILTER (WHERE status = 'fail'),
				COUNT(DISTINCT device_id), SUM(penalty)
			FROM device_findings WHERE tenant_id = $1 GROUP BY check_id ORDER BY 5 DESC`, pop.tenantID)); err != nil {
			return 0, err
		}
		// The worst devices that need attention, with host and organisation names.
		if err := drain(db.QueryContext(b.ctx, `SELECT d.id, d.hostname, o.name, h.score, h.band, h.top_check_id, h.top_title, h.issue_count
			FROM device_healths h JOIN devices d ON d.id = h.device_id JOIN organisations o ON o.id = d.organisation_id
			WHERE h.tenant_id = $1 AND h.scored AND (h.needs_attention OR h.band IN ('poor', 'critical'))
			ORDER BY h.score, h.device_id LIMIT 20`, pop.tenantID)); err != nil {
			return 0, err
		}
		return time.Since(t0), nil
	}
	var bare []time.Duration
	for i := 0; i < warm+runs; i++ {
		d, err := bareRun()
		if err != nil {
			return Result{}, fmt.Errorf("bare: %w", err)
		}
		if i >= warm {
			bare = append(bare, d)
		}
	}
	m, bp := p95(measured), p95(bare)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return Result{
		ID: "P11", What: fmt.Sprintf("tenant-level chat answer, %d devices, model stubbed", len(pop.devices)),
		Baseline: "the bare SQL the tools amount to (5 statements, database/sql)",
		Unit:     "ms p95", Measured: ms(m), Bare: ms(bp), Ratio: float64(m) / float64(bp), Goal: "p95 ≤ 300 ms (ratio reported)", Met: m <= 300*time.Millisecond,
		Notes: fmt.Sprintf("chat.Service.Send as the owner, new conversation each, %d tool calls and %d citation per answer; %d runs after %d warm-up; median %s (%s) vs bare %s; %s",
			toolsRun, citations, runs, warm, median(measured).Round(time.Millisecond), strings.Join(split, ", "), median(bare).Round(100*time.Microsecond), seeded),
	}, nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
