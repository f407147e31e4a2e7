// Package builtin is the answerer used when no language model is
// configured: it recognises the common questions and answers them from the
// same tools, with the same citations, as a model would.
package builtin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/wegweiser/wegweiser/backend/internal/ai"
	"github.com/wegweiser/wegweiser/backend/internal/ai/tools"
	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/health"
)

// Answer is an answer of the built-in answerer.
type Answer struct {
	// Text is Markdown; it cites Records as [1], [2], … by their position.
	Text string
	// Records cited, in the order of their numbers.
	Records []tools.Record
	// Activity lists the tools that ran.
	Activity []tools.Activity
}

// Answerer answers questions without a model.
type Answerer struct {
	tools []tools.Tool
}

// New returns an answerer that uses ts.
func New(ts []tools.Tool) *Answerer { return &Answerer{tools: ts} }

// Understood lists the questions the answerer understands, for its
// fallback answer.
var Understood = []string{
	"Which devices are worst / need attention?",
	"What changed and why? (e.g. \"why is the score down this week?\")",
	"Which devices fail a check? (e.g. disk space, BitLocker, updates, antivirus, firewall)",
	"Who has a program, which version, and which devices don't have it? (e.g. \"who has Chrome\")",
	"Which disks will run out of space first?",
	"Which agents are silent or offline?",
	"How do the organisations compare?",
	"Which event logs mention a text or event id?",
}

// maxLines bounds the lines of a list in an answer.
const maxLines = 10

// session is one answer being written.
type session struct {
	a     *Answerer
	ctx   context.Context
	scope health.Ref
	ans   Answer
	cited map[string]int
	// names are the host and organisation names the question is about,
	// for choosing memories.
	names []string
}

// Answer answers question about scope as the viewer in ctx. memories are the
// facts taught about scope and the entities above it.
func (a *Answerer) Answer(ctx context.Context, scope health.Ref, question string, memories []string) (Answer, error) {
	s := &session{a: a, ctx: ctx, scope: scope, cited: map[string]int{}}
	q := strings.ToLower(strings.Join(strings.Fields(question), " "))
	body, err := s.answer(q)
	if err != nil {
		return Answer{}, err
	}
	var b strings.Builder
	b.WriteString(body)
	if m := s.memories(memories); len(m) > 0 {
		b.WriteString("\n\n**What you told me:** ")
		for i, x := range m {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(md(x, 300))
		}
	}
	b.WriteString("\n\n_" + ai.BuiltinLabel + "_")
	s.ans.Text = b.String()
	return s.ans, nil
}

// answer picks the intent and writes the answer's body.
func (s *session) answer(q string) (string, error) {
	target, err := s.target(q)
	if err != nil {
		return "", err
	}
	checks := checksIn(q)
	prog := ""
	if reSW.MatchString(q) {
		prog = program(q)
		if reOS.FindString(prog) == prog {
			prog = "" // an operating system, not a program
		}
	}
	switch {
	case reCompare.MatchString(q) && !strings.Contains(q, "device") && target.Organisation == "":
		return s.compare()
	case reDisk.MatchString(q):
		return s.disk(target)
	case reSilent.MatchString(q):
		return s.silent(target)
	case reChanged.MatchString(q):
		return s.changed(q, target)
	case prog != "" && (len(checks) == 0 || reMissing.MatchString(q) && !strings.Contains(q, "update")):
		return s.software(q, target, prog)
	case len(checks) > 0 && !reEvents.MatchString(q):
		return s.findings(q, target, checks)
	case reEvents.MatchString(q):
		return s.events(q, target)
	case reWorst.MatchString(q):
		return s.worst(q, target)
	case reOS.MatchString(q) && target.Device == "":
		return s.worst(q, target)
	case target.Device != "" || s.scope.Kind == health.KindDevice && reHealth.MatchString(q):
		return s.deviceHealth(target)
	case reCompare.MatchString(q) && target.Organisation == "":
		return s.compare()
	}
	return s.summary(target, true)
}

// target returns the device or organisation a question names inside the
// scope (none when it names none the viewer can see there).
func (s *session) target(q string) (tools.Target, error) {
	var t tools.Target
	seen := map[string]bool{}
	for _, w := range reWord.FindAllString(q, -1) {
		if len(w) < 3 || len(w) > 64 || seen[w] || !strings.ContainsAny(w, "0123456789-_") {
			continue
		}
		seen[w] = true
		r, err := s.run("search_devices", map[string]any{"hostname": w, "limit": 5}, false)
		if err != nil {
			return t, err
		}
		if l, ok := r.Data.(tools.DeviceList); ok {
			for _, d := range l.Devices {
				if strings.EqualFold(d.Hostname, w) {
					t.Device = d.ID
					s.names = append(s.names, d.Hostname)
					s.looked("search_devices", "hostname="+d.Hostname, "found "+d.Hostname)
					return t, nil
				}
			}
		}
	}
	if s.scope.Kind != health.KindTenant {
		return t, nil
	}
	r, err := s.run("compare_organisations", map[string]any{}, false)
	if err != nil {
		return t, err
	}
	if c, ok := r.Data.(tools.OrgComparison); ok {
		for _, o := range c.Organisations {
			if mentions(q, o.Name) {
				t.Organisation = o.ID
				s.names = append(s.names, o.Name)
				s.looked("compare_organisations", "", "found "+o.Name)
				return t, nil
			}
		}
	}
	return t, nil
}

// mentions reports whether q names an organisation: its full name, or its
// first word when that is distinctive.
func mentions(q, name string) bool {
	n := strings.ToLower(name)
	if strings.Contains(q, n) {
		return true
	}
	first := strings.Fields(n)
	if len(first) == 0 || len(first[0]) < 4 {
		return false
	}
	for _, w := range reWord.FindAllString(q, -1) {
		w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "s")
		if w == first[0] || w == strings.TrimSuffix(first[0], "s") {
			return true
		}
	}
	return false
}

// looked adds a look-up that found what the question names to the
// activity.
func (s *session) looked(name, summary, result string) {
	s.ans.Activity = append(s.ans.Activity, tools.Activity{Name: name, Summary: summary, Result: result})
}

// run runs a tool with args; record adds it to the activity (look-ups add
// themselves when they find something, see looked; failures always show).
func (s *session) run(name string, args map[string]any, record bool) (tools.Result, error) {
	t, ok := tools.Find(s.a.tools, name)
	if !ok {
		return tools.Result{}, fmt.Errorf("builtin: no tool %s", name)
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return tools.Result{}, fmt.Errorf("builtin: encode arguments: %w", err)
	}
	res, err := t.Run(s.ctx, s.scope, raw)
	act := tools.Activity{Name: name, Summary: describe(args), Result: res.Summary}
	if err != nil {
		act.Failed, act.Result = true, "failed"
		s.ans.Activity = append(s.ans.Activity, act)
		return res, err
	}
	if record {
		s.ans.Activity = append(s.ans.Activity, act)
	}
	return res, nil
}

// runTarget runs a tool narrowed to the question's target.
func (s *session) runTarget(name string, args map[string]any, t tools.Target) (tools.Result, error) {
	if t.Device != "" {
		args["device"] = t.Device
	} else if t.Organisation != "" {
		args["organisation"] = t.Organisation
	}
	return s.run(name, args, true)
}

func describe(args map[string]any) string {
	var parts []string
	for _, k := range []string{"device", "organisation", "failing_check", "check", "role", "os", "name", "mode", "text", "event_id", "days", "needs_attention", "hostname"} {
		if v, ok := args[k]; ok {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	return strings.Join(parts, ", ")
}

// cite adds r to the answer's records (once) and returns its mark.
func (s *session) cite(r tools.Record) string {
	key := string(r.Kind) + "\x00" + r.ID + "\x00" + r.Entity.ID.String()
	if n, ok := s.cited[key]; ok {
		return fmt.Sprintf("[%d]", n)
	}
	s.ans.Records = append(s.ans.Records, r)
	n := len(s.ans.Records)
	s.cited[key] = n
	return fmt.Sprintf("[%d]", n)
}

// rec returns the record a result's "ref" names.
func rec(res tools.Result, ref string) (tools.Record, bool) {
	var n int
	if _, err := fmt.Sscanf(ref, "R%d", &n); err != nil || n < 1 || n > len(res.Records) {
		return tools.Record{}, false
	}
	return res.Records[n-1], true
}

// citeRef cites the record a result's ref names ("" when it names none).
func (s *session) citeRef(res tools.Result, ref string) string {
	if r, ok := rec(res, ref); ok {
		return " " + s.cite(r)
	}
	return ""
}

// notFound turns a not_found of the entity the question named into a
// plain answer; a not_found of the conversation's scope itself stays an
// error.
func (s *session) notFound(err error) (string, error) {
	if apperr.Is(err, apperr.KindNotFound) && len(s.names) > 0 {
		return "I could not find that in this conversation's scope.", nil
	}
	return "", err
}

// emptyText is a result's "no data" message.
func emptyText(res tools.Result) string {
	if m, ok := res.Data.(tools.Message); ok {
		return upper(m.Message) + "."
	}
	return "No data."
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// md makes endpoint text safe in Markdown: one line, clipped, with the
// characters that make links, images, emphasis or HTML escaped.
func md(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '(', ')', '<', '>', '#', '|', '!', '~':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// memories picks the memories about what the question concerns: all in a
// device's conversation, else those that name a host or organisation of
// the question.
func (s *session) memories(ms []string) []string {
	var out []string
	for _, m := range ms {
		lm := strings.ToLower(m)
		keep := s.scope.Kind == health.KindDevice
		for _, n := range s.names {
			if n != "" && strings.Contains(lm, strings.ToLower(n)) {
				keep = true
			}
		}
		if keep {
			out = append(out, m)
		}
	}
	return out
}
