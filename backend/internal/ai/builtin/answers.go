package builtin

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wegweiser/wegweiser/backend/internal/ai/tools"
	"github.com/wegweiser/wegweiser/backend/internal/analyzer"
	"github.com/wegweiser/wegweiser/backend/internal/health"
)

func (s *session) worst(q string, t tools.Target) (string, error) {
	args := map[string]any{"limit": maxLines}
	switch {
	case reServers.MatchString(q):
		args["role"] = "server"
	case reWorkstations.MatchString(q):
		args["role"] = "workstation"
	}
	if m := reOS.FindString(q); m != "" {
		switch {
		case strings.HasPrefix(m, "mac"):
			args["os"] = "macos"
		default:
			args["os"] = m
		}
	}
	attention := strings.Contains(q, "attention") || strings.Contains(q, "aufmerksamkeit")
	if attention {
		args["needs_attention"] = true
	}
	res, err := s.runTarget("search_devices", args, t)
	if err != nil {
		return s.notFound(err)
	}
	if res.Empty {
		if attention {
			return "No device needs attention here: " + strings.TrimSuffix(emptyText(res), ".") + ".", nil
		}
		return emptyText(res), nil
	}
	l := res.Data.(tools.DeviceList)
	var b strings.Builder
	switch {
	case attention:
		fmt.Fprintf(&b, "**%s need attention** in %s, worst first:\n\n", plural(l.Total, "device", "devices"), md(l.Scope, 80))
	case l.Filters != "":
		fmt.Fprintf(&b, "**%s** in %s (%s), worst first:\n\n", plural(l.Total, "device", "devices"), md(l.Scope, 80), md(l.Filters, 120))
	default:
		fmt.Fprintf(&b, "**The worst devices** in %s, lowest score first:\n\n", md(l.Scope, 80))
	}
	for i, d := range l.Devices {
		fmt.Fprintf(&b, "%d. %s%s\n", i+1, deviceLine(d), s.citeRef(res, d.Ref))
	}
	if l.Total > len(l.Devices) {
		fmt.Fprintf(&b, "\n%d more not shown.", l.Total-len(l.Devices))
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

func deviceLine(d tools.DeviceRow) string {
	line := "**" + md(d.Hostname, 80) + "**"
	if d.Organisation != "" {
		line += " (" + md(d.Organisation, 80) + ")"
	}
	if d.Scored {
		line += fmt.Sprintf(" — score %d, %s", d.Score, d.Band)
	} else {
		line += " — no score yet"
	}
	if d.TopReason != "" {
		line += ": " + md(d.TopReason, 120)
	}
	if d.Stale {
		line += " (data is stale)"
	}
	return line
}

func (s *session) deviceHealth(t tools.Target) (string, error) {
	args := map[string]any{}
	if t.Device != "" {
		args["device"] = t.Device
	}
	res, err := s.run("device_health", args, true)
	if err != nil {
		return s.notFound(err)
	}
	if res.Empty {
		return emptyText(res), nil
	}
	h := res.Data.(tools.DeviceHealthData)
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** has a health score of **%d** (%s)%s.", md(h.Hostname, 80), h.Score, h.Band, s.citeRef(res, h.Ref))
	if h.NeedsAttention {
		b.WriteString(" It needs attention.")
	}
	if h.Stale {
		b.WriteString(" Its data is stale.")
	}
	if len(h.Reasons) == 0 {
		b.WriteString(" No check warns or fails.")
		return b.String(), nil
	}
	b.WriteString("\n\nWhat costs it most:\n\n")
	for i, r := range h.Reasons {
		if i == maxLines {
			break
		}
		fmt.Fprintf(&b, "- %s (%s, −%d)%s\n", md(r.Title, 160), r.Severity, r.Penalty, s.citeRef(res, r.Ref))
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

func (s *session) findings(q string, t tools.Target, checks []string) (string, error) {
	var b strings.Builder
	titles := map[string]string{}
	for _, c := range analyzer.Catalogue() {
		titles[c.ID] = c.Title
	}
	found := false
	var none []string
	for i, check := range checks {
		if i == 3 {
			break
		}
		args := map[string]any{"check": check, "limit": maxLines}
		switch {
		case reServers.MatchString(q):
			args["role"] = "server"
		case reWorkstations.MatchString(q):
			args["role"] = "workstation"
		}
		res, err := s.runTarget("device_findings", args, t)
		if err != nil {
			return s.notFound(err)
		}
		if res.Empty {
			none = append(none, titles[check])
			continue
		}
		found = true
		l := res.Data.(tools.FindingList)
		fmt.Fprintf(&b, "**%s** — %s in %s:\n\n", titles[check], plural(l.Total, "open finding", "open findings"), md(l.Scope, 80))
		for _, f := range l.Findings {
			line := fmt.Sprintf("- **%s**: %s (%s, −%d)", md(f.Hostname, 80), md(f.Title, 160), f.Severity, f.Penalty)
			if len(f.Evidence) > 0 {
				line += "; " + md(f.Evidence[0].Label, 40) + ": " + md(f.Evidence[0].Value, 80)
			}
			b.WriteString(line + s.citeRef(res, f.Ref) + "\n")
		}
		if l.Total > len(l.Findings) {
			fmt.Fprintf(&b, "- … %d more\n", l.Total-len(l.Findings))
		}
		if len(l.Findings) > 0 && l.Findings[0].Recommendation != "" {
			fmt.Fprintf(&b, "\nRecommended: %s\n", md(l.Findings[0].Recommendation, 300))
		}
		b.WriteString("\n")
	}
	if !found {
		return fmt.Sprintf("No device here has an open finding of %s: the check passes (or is suppressed) wherever it was measured.", strings.Join(none, ", ")), nil
	}
	if len(none) > 0 {
		fmt.Fprintf(&b, "No open findings of %s.", strings.Join(none, ", "))
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

func (s *session) software(q string, t tools.Target, prog string) (string, error) {
	mode := "present"
	if reMissing.MatchString(q) {
		mode = "missing"
	}
	res, err := s.runTarget("search_software", map[string]any{"name": prog, "mode": mode}, t)
	if err != nil {
		return s.notFound(err)
	}
	if res.Empty {
		return emptyText(res), nil
	}
	d := res.Data.(tools.SoftwareData)
	var b strings.Builder
	if mode == "missing" {
		fmt.Fprintf(&b, "**%s** in %s do not have \"%s\":\n\n", plural(d.Total, "device", "devices"), md(d.Scope, 80), md(prog, 80))
		for i, m := range d.Missing {
			if i == 2*maxLines {
				break
			}
			fmt.Fprintf(&b, "- %s%s\n", md(m.Hostname, 80), s.citeRef(res, m.Ref))
		}
		if d.Total > min(len(d.Missing), 2*maxLines) {
			fmt.Fprintf(&b, "- … %d more\n", d.Total-min(len(d.Missing), 2*maxLines))
		}
	} else {
		devs := map[string]bool{}
		for _, p := range d.Present {
			devs[p.DeviceID] = true
		}
		fmt.Fprintf(&b, "**%s** of \"%s\" in %s.", plural(d.Total, "installation", "installations"), md(prog, 80), md(d.Scope, 80))
		if len(d.Versions) > 0 {
			b.WriteString(" Versions: ")
			for i, v := range d.Versions {
				if i == maxLines {
					b.WriteString(", …")
					break
				}
				if i > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "%s %s on %s", md(v.Name, 60), md(v.Version, 30), plural(v.Devices, "device", "devices"))
			}
			b.WriteString(".")
		}
		b.WriteString("\n\n")
		for i, p := range d.Present {
			if i == 2*maxLines {
				fmt.Fprintf(&b, "- … %d more\n", d.Total-i)
				break
			}
			fmt.Fprintf(&b, "- %s: %s %s%s\n", md(p.Hostname, 80), md(p.Name, 80), md(p.Version, 40), s.citeRef(res, p.Ref))
		}
	}
	if d.NoInventory > 0 {
		fmt.Fprintf(&b, "\n%s reported no software list, so they are not counted either way.", plural(d.NoInventory, "device", "devices"))
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

func (s *session) disk(t tools.Target) (string, error) {
	res, err := s.runTarget("disk_forecast", map[string]any{"limit": maxLines}, t)
	if err != nil {
		return s.notFound(err)
	}
	if res.Empty {
		return emptyText(res), nil
	}
	d := res.Data.(tools.DiskData)
	var b strings.Builder
	fmt.Fprintf(&b, "**Volumes running out of space** in %s, soonest first:\n\n", md(d.Scope, 80))
	for i, v := range d.Volumes {
		line := fmt.Sprintf("%d. **%s** volume %s: %.1f %% free (%.1f of %.1f GiB)", i+1, md(v.Hostname, 80), md(v.Volume, 40), v.FreePct, v.FreeGiB, v.SizeGiB)
		if v.DaysToFull != nil {
			line += fmt.Sprintf(", losing %.2f points a day: full in about %d days", -*v.TrendPctPerDay, *v.DaysToFull)
		}
		b.WriteString(line + s.citeRef(res, v.Ref) + "\n")
	}
	if strings.HasPrefix(d.Method, "no trend data") {
		b.WriteString("\nThere is no trend data for these volumes, so they are ranked by free space only.")
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

func (s *session) silent(t tools.Target) (string, error) {
	res, err := s.runTarget("silent_agents", map[string]any{}, t)
	if err != nil {
		return s.notFound(err)
	}
	if res.Empty {
		return emptyText(res), nil
	}
	d := res.Data.(tools.SilentData)
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** in %s have not sent a snapshot within %s:\n\n", plural(d.Total, "device", "devices"), md(d.Scope, 80), d.Limit)
	for _, r := range d.Devices {
		fmt.Fprintf(&b, "- **%s**: last snapshot %s%s\n", md(r.Hostname, 80), r.SilentFor, s.citeRef(res, r.Ref))
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

func (s *session) compare() (string, error) {
	res, err := s.run("compare_organisations", map[string]any{}, true)
	if err != nil {
		return s.notFound(err)
	}
	if res.Empty {
		return emptyText(res), nil
	}
	d := res.Data.(tools.OrgComparison)
	var b strings.Builder
	fmt.Fprintf(&b, "**Organisations compared** (median score %.0f of %s you can see), lowest first:\n\n", d.Median, plural(d.MedianOf, "organisation", "organisations"))
	for _, o := range d.Organisations {
		line := "- **" + md(o.Name, 80) + "**: "
		if o.Scored {
			line += fmt.Sprintf("score %d (%s), %+.0f against the median", o.Score, o.Band, o.VsMedian)
		} else {
			line += "no score yet"
		}
		if o.Baseline > 0 {
			line += fmt.Sprintf("; 14-day baseline %.0f", o.Baseline)
		}
		if o.Regressed {
			line += " — **regressed** below its baseline"
		}
		if o.NeedsAttention > 0 {
			line += fmt.Sprintf("; %s need attention", plural(o.NeedsAttention, "device", "devices"))
		}
		b.WriteString(line + s.citeRef(res, o.Ref) + "\n")
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

func (s *session) changed(q string, t tools.Target) (string, error) {
	days := 7
	switch {
	case reDays90.MatchString(q):
		days = 90
	case reDays30.MatchString(q):
		days = 30
	}
	res, err := s.runTarget("score_history", map[string]any{"days": days}, t)
	if err != nil {
		return s.notFound(err)
	}
	if res.Empty {
		return emptyText(res), nil
	}
	d := res.Data.(tools.HistoryData)
	var b strings.Builder
	if d.FromScore != nil {
		verb := "held at"
		switch {
		case *d.ToScore < *d.FromScore:
			verb = "fell to"
		case *d.ToScore > *d.FromScore:
			verb = "rose to"
		}
		if verb == "held at" {
			fmt.Fprintf(&b, "**%s**'s score held at %d over the last %d days%s.", md(d.Scope, 80), *d.ToScore, days, s.citeRef(res, d.Ref))
		} else {
			fmt.Fprintf(&b, "**%s**'s score %s %d from %d over the last %d days%s.", md(d.Scope, 80), verb, *d.ToScore, *d.FromScore, days, s.citeRef(res, d.Ref))
		}
	} else {
		fmt.Fprintf(&b, "Score changes in **%s** over the last %d days:", md(d.Scope, 80), days)
	}
	if e := d.Explanation; e != nil {
		if len(e.Changes) == 0 {
			b.WriteString(" No finding changed in that time.")
		} else {
			b.WriteString("\n\nWhat changed:\n\n")
			for i, c := range e.Changes {
				if i == maxLines {
					break
				}
				fmt.Fprintf(&b, "- %s%s\n", md(c.Text, 200), s.citeRef(res, c.Ref))
			}
		}
		if e.Note != "" {
			b.WriteString("\n" + md(e.Note, 300))
		}
	}
	if len(d.Movers) > 0 {
		b.WriteString("\n\nThe devices whose scores moved most:\n\n")
		for _, m := range d.Movers {
			fmt.Fprintf(&b, "- **%s**: %d → %d (%+d)%s", md(m.Hostname, 80), m.FromScore, m.ToScore, m.Change, s.citeRef(res, m.Ref))
			if len(m.Why) > 0 {
				var why []string
				for _, c := range m.Why {
					why = append(why, md(c.Text, 160)+s.citeRef(res, c.Ref))
				}
				b.WriteString(" — " + strings.Join(why, "; "))
			}
			b.WriteString("\n")
		}
	} else if d.Explanation == nil {
		b.WriteString(" No device's score moved.")
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

func (s *session) events(q string, t tools.Target) (string, error) {
	args := map[string]any{"limit": maxLines}
	if m := reEventID.FindStringSubmatch(q); m != nil {
		if n, err := strconv.ParseInt(m[1], 10, 64); err == nil {
			args["event_id"] = n
		}
	}
	switch {
	case strings.Contains(q, "critical"):
		args["level"] = "critical"
	case strings.Contains(q, "error"):
		args["level"] = "error"
	case strings.Contains(q, "warning"):
		args["level"] = "warning"
	}
	if m := reQuoted.FindStringSubmatch(q); m != nil {
		args["text"] = m[1]
	}
	res, err := s.runTarget("search_event_logs", args, t)
	if err != nil {
		return s.notFound(err)
	}
	if res.Empty {
		return emptyText(res), nil
	}
	d := res.Data.(tools.EventList)
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** in %s (last 7 days), most severe and frequent first:\n\n", plural(d.Total, "event-log group", "event-log groups"), md(d.Scope, 80))
	for _, e := range d.Events {
		fmt.Fprintf(&b, "- **%s**: %s %d, %s ×%d — \"%s\"%s\n", md(e.Hostname, 80), md(e.Source, 60), e.EventID, e.Level, e.Count, md(e.Message, 160), s.citeRef(res, e.Ref))
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

// summary answers with the scope's health and says what else it
// understands.
func (s *session) summary(t tools.Target, fallback bool) (string, error) {
	if t.Device != "" || s.scope.Kind == health.KindDevice {
		body, err := s.deviceHealth(t)
		if err != nil || !fallback {
			return body, err
		}
		return body + "\n\n" + understood(), nil
	}
	res, err := s.runTarget("fleet_distribution", map[string]any{}, t)
	if err != nil {
		return s.notFound(err)
	}
	if res.Empty {
		return emptyText(res) + "\n\n" + understood(), nil
	}
	d := res.Data.(tools.Distribution)
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**", md(d.Scope, 80))
	if d.Score != nil {
		fmt.Fprintf(&b, " has a health score of **%d** (%s)", *d.Score, d.Band)
	}
	fmt.Fprintf(&b, "%s: %s, %d need attention, %d with stale data.", s.citeRef(res, d.Ref), plural(d.Devices, "device", "devices"), d.NeedsAttention, d.Stale)
	var bands []string
	for _, band := range []string{"healthy", "fair", "poor", "critical", "unscored"} {
		if n := d.Bands[band]; n > 0 {
			bands = append(bands, fmt.Sprintf("%d %s", n, band))
		}
	}
	if len(bands) > 0 {
		b.WriteString(" Bands: " + strings.Join(bands, ", ") + ".")
	}
	if len(d.TopChecks) > 0 {
		b.WriteString("\n\nThe checks that cost most:\n\n")
		for i, c := range d.TopChecks {
			if i == 5 {
				break
			}
			fmt.Fprintf(&b, "- %s: failing on %s, warning on %d%s\n", md(c.Title, 120), plural(c.DevicesFailing, "device", "devices"), c.DevicesWarning, s.citeRef(res, c.Ref))
		}
	}
	out := strings.TrimRight(b.String(), "\n")
	if fallback {
		out += "\n\n" + understood()
	}
	return out, nil
}

func understood() string {
	return "I answer without a language model and understand questions like:\n\n- " + strings.Join(Understood, "\n- ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
