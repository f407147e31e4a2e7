package audit

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/csvsafe"
	"github.com/wegweiser/wegweiser/backend/internal/pagetoken"
	"github.com/wegweiser/wegweiser/backend/internal/store"
	"github.com/wegweiser/wegweiser/ent"
	"github.com/wegweiser/wegweiser/ent/auditevent"
	"github.com/wegweiser/wegweiser/ent/predicate"
	"github.com/wegweiser/wegweiser/ent/user"
)

// Limits of reading the log.
const (
	// MaxQuery bounds the free-text filter, in characters.
	MaxQuery = 100
	// MaxActionPrefix bounds the action filter (actions are at most 64).
	MaxActionPrefix = 64
	// MaxExportRows bounds one CSV export; a larger selection is refused.
	MaxExportRows = 100_000
	// exportBatch is how many rows one query of an export loads.
	exportBatch = 5000
)

// Filter narrows the events listed or exported. Zero fields do not filter.
type Filter struct {
	// ActionPrefix keeps actions starting with it ("auth.", "device.move").
	ActionPrefix string
	// ActorID keeps events of this member (not_found for anyone else).
	ActorID uuid.UUID
	// TargetID keeps events about this record (not_found when the log has
	// none).
	TargetID uuid.UUID
	// Start keeps events at or after it; End keeps events before it.
	Start, End time.Time
	// Query keeps events whose actor, target name or detail contain it,
	// ignoring case.
	Query string
}

// Validate checks the filter, naming the request's fields
// ("filter.<name>"), and trims the text fields.
func (f *Filter) Validate() error {
	f.ActionPrefix = strings.TrimSpace(f.ActionPrefix)
	f.Query = strings.TrimSpace(f.Query)
	switch {
	case len(f.ActionPrefix) > MaxActionPrefix || !utf8.ValidString(f.ActionPrefix):
		return apperr.Invalid("filter.action_prefix", "must be at most %d characters", MaxActionPrefix)
	case !utf8.ValidString(f.Query) || utf8.RuneCountInString(f.Query) > MaxQuery:
		return apperr.Invalid("filter.query", "must be valid text of at most %d characters", MaxQuery)
	case !f.Start.IsZero() && !f.End.IsZero() && !f.Start.Before(f.End):
		return apperr.Invalid("filter.end_time", "must be after filter.start_time")
	}
	return nil
}

// key identifies the filter inside a page token, so a token is only
// accepted with the filter it was issued for.
func (f Filter) key() string {
	t := func(x time.Time) string {
		if x.IsZero() {
			return ""
		}
		return x.UTC().Format(time.RFC3339Nano)
	}
	id := func(x uuid.UUID) string {
		if x == uuid.Nil {
			return ""
		}
		return x.String()
	}
	return strings.Join([]string{"audit", f.ActionPrefix, id(f.ActorID), id(f.TargetID), t(f.Start), t(f.End), f.Query}, "\x1f")
}

func (f Filter) predicates() []predicate.AuditEvent {
	var ps []predicate.AuditEvent
	if f.ActionPrefix != "" {
		ps = append(ps, auditevent.ActionHasPrefix(f.ActionPrefix))
	}
	if f.ActorID != uuid.Nil {
		ps = append(ps, auditevent.ActorID(f.ActorID))
	}
	if f.TargetID != uuid.Nil {
		ps = append(ps, auditevent.TargetID(f.TargetID))
	}
	if !f.Start.IsZero() {
		ps = append(ps, auditevent.CreatedAtGTE(f.Start.UTC()))
	}
	if !f.End.IsZero() {
		ps = append(ps, auditevent.CreatedAtLT(f.End.UTC()))
	}
	if f.Query != "" {
		ps = append(ps, auditevent.Or(
			auditevent.ActorContainsFold(f.Query),
			auditevent.TargetNameContainsFold(f.Query),
			auditevent.DetailContainsFold(f.Query),
		))
	}
	return ps
}

// checkRefs answers not_found for an actor who is not a member of the
// viewer's tenant and for a target the tenant's log has no event about, so
// another tenant's ids read as unknown rather than as an empty log.
func (s *Service) checkRefs(ctx context.Context, f Filter) error {
	if f.ActorID != uuid.Nil {
		ok, err := s.st.Ent.User.Query().Where(user.ID(f.ActorID)).Exist(ctx)
		if err != nil {
			return fmt.Errorf("check actor: %w", err)
		}
		if !ok {
			return apperr.NotFound("user")
		}
	}
	if f.TargetID != uuid.Nil {
		ok, err := s.st.Ent.AuditEvent.Query().Where(auditevent.TargetID(f.TargetID)).Exist(ctx)
		if err != nil {
			return fmt.Errorf("check target: %w", err)
		}
		if !ok {
			return apperr.NotFound("audit events about this target")
		}
	}
	return nil
}

// Service reads the audit log of the viewer's tenant (ent privacy keeps
// every query inside it).
type Service struct {
	st  *store.Store
	now func() time.Time
}

// NewService returns the audit log reader.
func NewService(st *store.Store) *Service {
	return &Service{st: st, now: func() time.Time { return time.Now().UTC() }}
}

// List returns one page of events matching f, newest first, and the token
// of the next page ("" on the last). The token carries the filter.
func (s *Service) List(ctx context.Context, f Filter, pageSize int, token string) ([]*ent.AuditEvent, string, error) {
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	if err := s.checkRefs(ctx, f); err != nil {
		return nil, "", err
	}
	filter := f.key()
	cur, err := pagetoken.Decode(token, filter)
	if err != nil {
		return nil, "", err
	}
	q := s.st.Ent.AuditEvent.Query().Where(f.predicates()...)
	if cur != nil {
		t, err1 := time.Parse(time.RFC3339Nano, cur.Key)
		id, err2 := uuid.Parse(cur.ID)
		if err1 != nil || err2 != nil {
			return nil, "", apperr.Invalid("page_token", "is malformed")
		}
		q = q.Where(pagetoken.After(auditevent.FieldCreatedAt, auditevent.FieldID, t.UTC(), id, true))
	}
	rows, err := q.Order(ent.Desc(auditevent.FieldCreatedAt), ent.Desc(auditevent.FieldID)).Limit(pageSize + 1).All(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("list audit events: %w", err)
	}
	next := ""
	if len(rows) > pageSize {
		rows = rows[:pageSize]
		last := rows[len(rows)-1]
		next = pagetoken.Encode(pagetoken.Cursor{Key: last.CreatedAt.UTC().Format(time.RFC3339Nano), ID: last.ID.String(), Filter: filter})
	}
	return rows, next, nil
}

// Export is a CSV file of events.
type Export struct {
	// CSV is the file: RFC 4180, UTF-8 with a byte order mark, header
	// first, formula cells neutralised.
	CSV []byte
	// FileName is a suggested name, e.g. "audit-2026-12-01.csv".
	FileName string
	// Rows is the number of events in the file.
	Rows int
}

// ExportHeader is the header row of an export.
var ExportHeader = []string{
	"time", "action", "actor", "actor_id", "target_kind", "target_id", "target_name",
	"organisation_id", "detail", "source_address", "user_agent", "id",
}

// Export writes the events matching f, newest first, as CSV. More than
// MaxExportRows events are refused (resource_exhausted): narrow the range.
func (s *Service) Export(ctx context.Context, f Filter) (*Export, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkRefs(ctx, f); err != nil {
		return nil, err
	}
	n, err := s.st.Ent.AuditEvent.Query().Where(f.predicates()...).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("count audit events: %w", err)
	}
	if n > MaxExportRows {
		return nil, apperr.ResourceExhausted(0, "%d events match; an export holds at most %d: narrow the time range", n, MaxExportRows)
	}
	var buf bytes.Buffer
	w := csvsafe.NewWriter(&buf, ExportHeader)
	rows := 0
	var last *ent.AuditEvent
	for rows < MaxExportRows {
		q := s.st.Ent.AuditEvent.Query().Where(f.predicates()...)
		if last != nil {
			q = q.Where(pagetoken.After(auditevent.FieldCreatedAt, auditevent.FieldID, last.CreatedAt, last.ID, true))
		}
		batch, err := q.Order(ent.Desc(auditevent.FieldCreatedAt), ent.Desc(auditevent.FieldID)).
			Limit(min(exportBatch, MaxExportRows-rows)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("export audit events: %w", err)
		}
		for _, e := range batch {
			w.Row(exportRow(e))
		}
		rows += len(batch)
		if len(batch) < exportBatch {
			break
		}
		last = batch[len(batch)-1]
	}
	return &Export{CSV: w.Bytes(), FileName: "audit-" + s.now().Format("2006-01-02") + ".csv", Rows: rows}, nil
}

func exportRow(e *ent.AuditEvent) []string {
	actorID, org := "", ""
	if e.ActorID != nil {
		actorID = e.ActorID.String()
	}
	if e.OrganisationID != nil {
		org = e.OrganisationID.String()
	}
	return []string{
		e.CreatedAt.UTC().Format(time.RFC3339), e.Action, e.Actor, actorID, e.TargetKind, e.TargetID.String(),
		e.TargetName, org, e.Detail, e.SourceAddress, e.UserAgent, e.ID.String(),
	}
}
