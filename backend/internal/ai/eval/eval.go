// Package eval measures how well an answerer answers questions about the
// demo fleet: each question of the set names the records a right answer
// must cite (by host name, organisation name or check id, resolved to ids
// when it runs) and optionally a phrase it must mention; every citation
// must name a record the caller can open.
package eval

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/ai/tools"
	"github.com/wegweiser/wegweiser/backend/internal/health"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/device"
	"github.com/wegweiser/wegweiser/ent/group"
	"github.com/wegweiser/wegweiser/ent/organisation"
	"github.com/wegweiser/wegweiser/ent/viewer"
)

//go:embed testdata/questions.json
var questionsJSON []byte

// Question is one question of the set.
type Question struct {
	// ID names the question in reports.
	ID string `json:"id"`
	// Level is the conversation's scope: device, group, organisation or
	// tenant.
	Level health.Kind `json:"level"`
	// Entity names the scope: a host name, "Organisation/Group", an
	// organisation name; empty for the tenant.
	Entity string `json:"entity,omitempty"`
	// Question is what is asked.
	Question string `json:"question"`
	// Cite lists what a right answer must cite.
	Cite []Cite `json:"cite,omitempty"`
	// MustMention is a phrase the answer must contain (case-insensitive).
	MustMention string `json:"must_mention,omitempty"`
}

// Cite names a record a right answer cites: one of its fields is set.
type Cite struct {
	// Host: a record of (or on) the device with this host name.
	Host string `json:"host,omitempty"`
	// Organisation: a record of the organisation with this name.
	Organisation string `json:"organisation,omitempty"`
	// Check: a finding or check record of this check id.
	Check string `json:"check,omitempty"`
}

func (c Cite) String() string {
	switch {
	case c.Host != "":
		return "host " + c.Host
	case c.Organisation != "":
		return "organisation " + c.Organisation
	}
	return "check " + c.Check
}

// Questions returns the evaluation set.
func Questions() ([]Question, error) {
	var qs []Question
	if err := json.Unmarshal(questionsJSON, &qs); err != nil {
		return nil, fmt.Errorf("eval: decode questions: %w", err)
	}
	return qs, nil
}

// AnswerFunc answers question about scope as the viewer in ctx, returning
// its Markdown text and the records it cites as [1], [2], …: [n] names
// records[n-1]. A zero Record is a number that names no record (an
// answer that cites [1] and [3] but not [2]).
type AnswerFunc func(ctx context.Context, scope health.Ref, question string) (text string, records []tools.Record, err error)

// Fleet is a seeded demo tenant to ask about.
type Fleet struct {
	// Store holds it.
	Store *store.Store
	// Tenant is the demo tenant.
	Tenant uuid.UUID
	// Owner is the user id of the tenant's owner, who asks the questions
	// (conversations belong to a user).
	Owner uuid.UUID
}

// Viewer returns a context acting as the demo tenant's owner.
func (f Fleet) Viewer(ctx context.Context) context.Context {
	return viewer.NewContext(ctx, &viewer.Viewer{UserID: f.Owner, TenantID: f.Tenant, Role: viewer.RoleOwner})
}

// Outcome is how one question went.
type Outcome struct {
	Question Question
	Text     string
	Records  []tools.Record
	Passed   bool
	Problems []string
}

// Report is the result of a run.
type Report struct {
	Name     string
	Outcomes []Outcome
}

// Passed counts the questions answered right.
func (r Report) Passed() int {
	n := 0
	for _, o := range r.Outcomes {
		if o.Passed {
			n++
		}
	}
	return n
}

// Score is the share of questions answered right.
func (r Report) Score() float64 {
	if len(r.Outcomes) == 0 {
		return 0
	}
	return float64(r.Passed()) / float64(len(r.Outcomes))
}

// Print writes the report; verbose adds every answer.
func (r Report) Print(w io.Writer, verbose bool) {
	for _, o := range r.Outcomes {
		mark := "PASS"
		if !o.Passed {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s %-28s [%s %s] %s\n", mark, o.Question.ID, o.Question.Level, o.Question.Entity, o.Question.Question)
		for _, p := range o.Problems {
			fmt.Fprintf(w, "     - %s\n", p)
		}
		if verbose || !o.Passed {
			for _, l := range strings.Split(o.Text, "\n") {
				fmt.Fprintf(w, "     | %s\n", l)
			}
		}
	}
	fmt.Fprintf(w, "%s: %d of %d questions answered right (%.0f %%)\n", r.Name, r.Passed(), len(r.Outcomes), 100*r.Score())
}

var reCitation = regexp.MustCompile(`\[(\d+)\]`)

// Run asks every question of qs with answer, as the owner of the fleet's
// tenant, and checks the answers.
func Run(ctx context.Context, name string, f Fleet, qs []Question, answer AnswerFunc) (Report, error) {
	ctx = f.Viewer(ctx)
	rep := Report{Name: name}
	for _, q := range qs {
		scope, err := f.resolveScope(ctx, q)
		if err != nil {
			return rep, fmt.Errorf("eval %s: %w", q.ID, err)
		}
		o := Outcome{Question: q}
		text, recs, err := answer(ctx, scope, q.Question)
		o.Text, o.Records = text, recs
		if err != nil {
			o.Problems = append(o.Problems, "answer failed: "+err.Error())
			rep.Outcomes = append(rep.Outcomes, o)
			continue
		}
		for _, c := range q.Cite {
			ok, err := f.cited(ctx, c, recs)
			if err != nil {
				return rep, fmt.Errorf("eval %s: %w", q.ID, err)
			}
			if !ok {
				o.Problems = append(o.Problems, "does not cite "+c.String())
			}
		}
		for _, m := range reCitation.FindAllStringSubmatch(text, -1) {
			n, _ := strconv.Atoi(m[1])
			if n < 1 || n > len(recs) || recs[n-1] == (tools.Record{}) {
				o.Problems = append(o.Problems, fmt.Sprintf("citation [%d] names no record", n))
			}
		}
		for i, r := range recs {
			if r == (tools.Record{}) {
				continue
			}
			if err := f.opens(ctx, r); err != nil {
				o.Problems = append(o.Problems, fmt.Sprintf("record %d (%s %s) cannot be opened: %v", i+1, r.Kind, r.Label, err))
			}
		}
		if q.MustMention != "" && !strings.Contains(strings.ToLower(text), strings.ToLower(q.MustMention)) {
			o.Problems = append(o.Problems, fmt.Sprintf("does not mention %q", q.MustMention))
		}
		o.Passed = len(o.Problems) == 0
		rep.Outcomes = append(rep.Outcomes, o)
	}
	return rep, nil
}

func (f Fleet) resolveScope(ctx context.Context, q Question) (health.Ref, error) {
	c := f.Store.Ent
	switch q.Level {
	case health.KindTenant:
		return health.Ref{Kind: health.KindTenant, ID: f.Tenant}, nil
	case health.KindDevice:
		d, err := c.Device.Query().Where(device.Hostname(q.Entity)).Only(ctx)
		if err != nil {
			return health.Ref{}, fmt.Errorf("device %s: %w", q.Entity, err)
		}
		return health.Ref{Kind: health.KindDevice, ID: d.ID}, nil
	case health.KindOrganisation:
		o, err := c.Organisation.Query().Where(organisation.Name(q.Entity)).Only(ctx)
		if err != nil {
			return health.Ref{}, fmt.Errorf("organisation %s: %w", q.Entity, err)
		}
		return health.Ref{Kind: health.KindOrganisation, ID: o.ID}, nil
	case health.KindGroup:
		org, name, _ := strings.Cut(q.Entity, "/")
		g, err := c.Group.Query().Where(group.Name(name), group.HasOrganisationWith(organisation.Name(org))).Only(ctx)
		if err != nil {
			return health.Ref{}, fmt.Errorf("group %s: %w", q.Entity, err)
		}
		return health.Ref{Kind: health.KindGroup, ID: g.ID}, nil
	}
	return health.Ref{}, fmt.Errorf("unknown level %q", q.Level)
}

// cited reports whether one of recs is what c names.
func (f Fleet) cited(ctx context.Context, c Cite, recs []tools.Record) (bool, error) {
	cl := f.Store.Ent
	var want uuid.UUID
	switch {
	case c.Host != "":
		d, err := cl.Device.Query().Where(device.Hostname(c.Host)).Only(ctx)
		if err != nil {
			return false, fmt.Errorf("device %s: %w", c.Host, err)
		}
		want = d.ID
	case c.Organisation != "":
		o, err := cl.Organisation.Query().Where(organisation.Name(c.Organisation)).Only(ctx)
		if err != nil {
			return false, fmt.Errorf("organisation %s: %w", c.Organisation, err)
		}
		want = o.ID
	}
	for _, r := range recs {
		switch {
		case c.Check != "" && (r.Kind == tools.RecordFinding || r.Kind == tools.RecordCheck) && r.ID == c.Check:
			return true, nil
		case want != uuid.Nil && r.Entity.ID == want:
			return true, nil
		case want != uuid.Nil && r.ID == want.String():
			return true, nil
		}
	}
	return false, nil
}

// opens checks the caller can open the record's entity.
func (f Fleet) opens(ctx context.Context, r tools.Record) error {
	c := f.Store.Ent
	var err error
	switch r.Entity.Kind {
	case health.KindDevice:
		_, err = c.Device.Get(ctx, r.Entity.ID)
	case health.KindGroup:
		_, err = c.Group.Get(ctx, r.Entity.ID)
	case health.KindOrganisation:
		_, err = c.Organisation.Get(ctx, r.Entity.ID)
	case health.KindTenant:
		if r.Entity.ID != viewer.FromContext(ctx).TenantID {
			err = &ent.NotFoundError{}
		}
	default:
		err = fmt.Errorf("no entity")
	}
	return err
}
