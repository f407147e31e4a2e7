package collector

// Collectors and parsers that work the same on every OS: performance
// (gopsutil), Lynis reports and osquery.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/load"
	"github.com/shirou/gopsutil/v4/mem"
	agentv1 "github.com/wegweiser/wegweiser/backend/gen/wegweiser/agent/v1"
)

// collectPerformance samples CPU and memory PerfSamples times,
// PerfInterval apart.
func collectPerformance(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	n := env.PerfSamples
	if n <= 0 {
		n = 2
	}
	every := env.PerfInterval
	if every <= 0 {
		every = time.Second
	}
	p := &agentv1.Performance{SampleIntervalSeconds: int32(math.Round(every.Seconds()))}
	var errs []error
	for range n {
		c, err := cpu.PercentWithContext(ctx, every, false)
		if err != nil {
			errs = append(errs, fmt.Errorf("cpu: %w", err))
			if ctx.Err() != nil {
				break
			}
		} else if len(c) > 0 {
			p.CpuPercent = append(p.CpuPercent, round2(c[0]))
		}
		if vm, err := mem.VirtualMemoryWithContext(ctx); err == nil {
			p.MemoryPercent = append(p.MemoryPercent, round2(vm.UsedPercent))
		} else {
			errs = append(errs, fmt.Errorf("memory: %w", err))
		}
	}
	if runtime.GOOS != "windows" {
		if l, err := load.AvgWithContext(ctx); err == nil {
			p.LoadAverage = []float64{round2(l.Load1), round2(l.Load5), round2(l.Load15)}
		}
	}
	if sw, err := mem.SwapMemoryWithContext(ctx); err == nil && sw.Total > 0 {
		p.SwapPercent = round2(sw.UsedPercent)
	}
	out.Performance = p
	if len(p.CpuPercent) == 0 && len(p.MemoryPercent) == 0 {
		return errors.Join(errs...)
	}
	return nil
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// lynisReportPath is where Lynis writes its report on Linux and macOS.
const lynisReportPath = "/var/log/lynis-report.dat"

// maxLynisItems bounds warnings and suggestions.
const maxLynisItems = 100

// collectLynis reads the last Lynis report, when there is one.
func collectLynis(_ context.Context, env *Env, out *agentv1.Snapshot) error {
	if runtime.GOOS == "windows" {
		return ErrNotApplicable
	}
	b, err := env.readFile(lynisReportPath)
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNotApplicable
	}
	if err != nil {
		return err
	}
	h, err := parseLynisReport(b)
	if err != nil {
		return err
	}
	out.Hardening = h
	return nil
}

// parseLynisReport reads /var/log/lynis-report.dat (key=value lines;
// warning[]= and suggestion[]= hold "ID|text|details|solution|").
func parseLynisReport(b []byte) (*agentv1.HardeningAudit, error) {
	h := &agentv1.HardeningAudit{Tool: "lynis"}
	seen := false
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimRight(l, "\r")
		if l == "" || l[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		switch k {
		case "lynis_version":
			h.Version, seen = v, true
		case "hardening_index":
			h.HardeningIndex = atoi32(v)
		case "report_datetime_end", "report_datetime_start":
			if t, err := time.ParseInLocation("2006-01-02 15:04:05", v, time.Local); err == nil {
				if k == "report_datetime_end" || h.AuditTime == nil {
					h.AuditTime = ts(t)
				}
			}
		case "warning[]":
			if len(h.Warnings) < maxLynisItems {
				h.Warnings = append(h.Warnings, lynisItem(v))
			}
		case "suggestion[]":
			if len(h.Suggestions) < maxLynisItems {
				h.Suggestions = append(h.Suggestions, lynisItem(v))
			}
		}
	}
	if !seen {
		return nil, errors.New("not a Lynis report (no lynis_version)")
	}
	return h, nil
}

// lynisItem turns "AUTH-9286|Configure maximum password age|-|-|" into
// "AUTH-9286: Configure maximum password age", with details when given.
func lynisItem(v string) string {
	f := strings.Split(v, "|")
	if len(f) < 2 {
		return truncate(cleanText(v), 300)
	}
	s := f[0] + ": " + f[1]
	if len(f) > 2 && f[2] != "" && f[2] != "-" {
		s += " (" + f[2] + ")"
	}
	return truncate(cleanText(s), 300)
}

// osqueryQueries are the fixed queries run when osqueryi is present.
var osqueryQueries = []struct{ name, sql string }{
	{"listening_ports", "SELECT DISTINCT p.name, lp.port, lp.protocol, lp.address FROM listening_ports lp LEFT JOIN processes p USING (pid) WHERE lp.port != 0 AND lp.address NOT IN ('127.0.0.1', '::1') ORDER BY lp.port LIMIT 200;"},
	{"startup_items", "SELECT name, path, source, status FROM startup_items ORDER BY name LIMIT 200;"},
	{"users", "SELECT username, uid, description, directory FROM users WHERE type != 'special' ORDER BY username LIMIT 200;"},
}

// collectOsquery runs osqueryi --json with a few fixed queries.
func collectOsquery(ctx context.Context, env *Env, out *agentv1.Snapshot) error {
	bin := ""
	for _, c := range []string{"osqueryi", `C:\Program Files\osquery\osqueryi.exe`, "/opt/osquery/lib/osquery.app/Contents/MacOS/osqueryd"} {
		if env.has(c) {
			bin = c
			break
		}
	}
	if bin == "" {
		return ErrNotApplicable
	}
	var errs []error
	for _, q := range osqueryQueries {
		b, err := env.output(ctx, bin, "--json", q.sql)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", q.name, err))
			continue
		}
		rows, err := parseOsqueryJSON(b)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", q.name, err))
			continue
		}
		out.Osquery = append(out.Osquery, &agentv1.OsqueryResult{Name: q.name, Rows: rows})
	}
	return errors.Join(errs...)
}

// parseOsqueryJSON reads `osqueryi --json` output: an array of objects.
func parseOsqueryJSON(b []byte) ([]*agentv1.OsqueryRow, error) {
	var rows []map[string]any
	if err := json.Unmarshal(b, &rows); err != nil {
		return nil, fmt.Errorf("osqueryi: %w", err)
	}
	out := make([]*agentv1.OsqueryRow, 0, len(rows))
	for _, r := range rows {
		cols := make(map[string]string, len(r))
		keys := make([]string, 0, len(r))
		for k := range r {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch v := r[k].(type) {
			case nil:
				cols[k] = ""
			case string:
				cols[k] = truncate(cleanText(v), 500)
			default:
				cols[k] = fmt.Sprint(v)
			}
		}
		out = append(out, &agentv1.OsqueryRow{Columns: cols})
	}
	return out, nil
}
