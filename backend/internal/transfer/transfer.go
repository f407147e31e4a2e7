// Package transfer imports and exports organisations, groups and devices
// as CSV. An import is previewed (every row parsed and checked against
// what the viewer can see, nothing written) and then committed in one
// transaction that checks every row again: either every row is applied or
// none is. Device rows are pre-registrations: an agent that later enrols
// with the same serial number or host name takes their organisation, group
// and tags (see enrolment.Enroll). Exports hold what the viewer can see,
// with cells a spreadsheet would run as formulas neutralised.
package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/audit"
	"github.com/wegweiser/wegweiser/backend/internal/csvsafe"
	"github.com/wegweiser/wegweiser/backend/internal/device"
	"github.com/wegweiser/wegweiser/backend/internal/store"

	"github.com/wegweiser/wegweiser/ent/viewer"
)

// Kind is what a file holds.
type Kind int

// The kinds of file.
const (
	KindOrganisations Kind = iota + 1
	KindGroups
	KindDevices
)

// String names the kind in plural, as in file names and messages.
func (k Kind) String() string {
	switch k {
	case KindOrganisations:
		return "organisations"
	case KindGroups:
		return "groups"
	case KindDevices:
		return "devices"
	}
	return "unknown"
}

func checkKind(k Kind) error {
	if _, ok := kindColumns[k]; !ok {
		return apperr.Invalid("kind", "must be organisations, groups or devices")
	}
	return nil
}

// Action is what importing a row does.
type Action int

// The actions; ActionNone for rows with errors.
const (
	ActionNone Action = iota
	ActionCreate
	ActionUpdate
	ActionUnchanged
)

// Row is one data row and what importing it would do.
type Row struct {
	Line   int
	Values map[string]string
	Action Action
	Errors []string
}

// Preview is the outcome of checking a file.
type Preview struct {
	SHA256                                              string
	Total, ErrorRows, CreateRows, UpdateRows, Unchanged int
	// Rows holds the rows with errors first, at most MaxPreviewRows.
	Rows       []Row
	FileErrors []string
}

// Result counts what a committed import did.
type Result struct{ Created, Updated, Unchanged int }

// File is a CSV to download.
type File struct {
	Name    string
	Content []byte
	Rows    int
}

// Service implements import and export.
type Service struct {
	st      *store.Store
	devices *device.Service
	now     func() time.Time
}

// NewService returns a transfer service; devices supplies the health
// summaries of exported devices.
func NewService(st *store.Store, devices *device.Service) *Service {
	return &Service{st: st, devices: devices, now: time.Now}
}

// Digest is the hex SHA-256 of content, as previews report it.
func Digest(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// Template returns the header row and one example row of kind.
func (s *Service) Template(kind Kind) (*File, error) {
	if err := checkKind(kind); err != nil {
		return nil, err
	}
	examples := map[Kind][]string{
		KindOrganisations: {"Contoso Ltd", "Tax advisers, 25 seats"},
		KindGroups:        {"Contoso Ltd", "Office laptops", "Laptops at the main office"},
		KindDevices:       {"Contoso Ltd", "Office laptops", "CONTOSO-LT-001", "5CG1234XYZ", "laptop;finance"},
	}
	return &File{
		Name:    fmt.Sprintf("wegweiser-%s-template.csv", kind),
		Content: csvsafe.Write(kindColumns[kind].known, [][]string{examples[kind]}),
		Rows:    1,
	}, nil
}

// PreviewImport checks content as a file of kind without writing.
func (s *Service) PreviewImport(ctx context.Context, kind Kind, content []byte) (*Preview, error) {
	if err := checkKind(kind); err != nil {
		return nil, err
	}
	f, err := parse(kind, content)
	if err != nil {
		return nil, err
	}
	p := &Preview{SHA256: Digest(content), FileErrors: f.fileErrors, Total: len(f.records)}
	var rows []Row
	if len(f.fileErrors) > 0 {
		rows = make([]Row, len(f.records))
		for i, r := range f.records {
			rows[i] = Row{Line: r.line, Values: r.cells}
		}
	} else {
		pl, err := planFile(ctx, s.st.Ent, kind, f)
		if err != nil {
			return nil, err
		}
		rows = pl.rows
	}
	for _, r := range rows {
		switch {
		case len(r.Errors) > 0:
			p.ErrorRows++
		case r.Action == ActionCreate:
			p.CreateRows++
		case r.Action == ActionUpdate:
			p.UpdateRows++
		case r.Action == ActionUnchanged:
			p.Unchanged++
		}
	}
	slices.SortStableFunc(rows, func(a, b Row) int {
		ea, eb := len(a.Errors) > 0, len(b.Errors) > 0
		switch {
		case ea && !eb:
			return -1
		case eb && !ea:
			return 1
		}
		return 0
	})
	p.Rows = rows[:min(len(rows), MaxPreviewRows)]
	return p, nil
}

// CommitImport applies content, which must be the previewed file (sha is
// the preview's SHA256), in one transaction. Every row is checked again
// inside it; if any row has an error nothing is written.
func (s *Service) CommitImport(ctx context.Context, kind Kind, content []byte, sha string) (*Result, error) {
	if err := checkKind(kind); err != nil {
		return nil, err
	}
	sha = strings.ToLower(strings.TrimSpace(sha))
	if len(sha) != 64 {
		return nil, apperr.Invalid("content_sha256", "must be the content_sha256 of the preview (64 hex digits); preview the file first")
	}
	if sha != Digest(content) {
		return nil, apperr.FailedPrecondition("the file differs from the one previewed; preview it again")
	}
	f, err := parse(kind, content)
	if err != nil {
		return nil, err
	}
	if len(f.fileErrors) > 0 {
		return nil, apperr.Invalid("content", "%s; nothing was imported", f.fileErrors[0])
	}
	v := viewer.FromContext(ctx)
	res := &Result{}
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		pl, err := planFile(ctx, tx.Client, kind, f)
		if err != nil {
			return err
		}
		bad := 0
		var first Row
		for _, r := range pl.rows {
			if len(r.Errors) > 0 {
				if bad == 0 {
					first = r
				}
				bad++
			}
		}
		if bad > 0 {
			return apperr.Invalid("content", "%d rows have errors (line %d: %s); nothing was imported: preview the file again to see them all",
				bad, first.Line, first.Errors[0])
		}
		if err := pl.apply(ctx, tx, v); err != nil {
			return err
		}
		for _, r := range pl.rows {
			switch r.Action {
			case ActionCreate:
				res.Created++
			case ActionUpdate:
				res.Updated++
			case ActionUnchanged:
				res.Unchanged++
			}
		}
		return audit.Record(ctx, tx, audit.Event{
			Action: audit.TransferImport, TargetKind: "tenant", TargetID: v.TenantID, TargetName: kind.String(),
			Detail: fmt.Sprintf("%s import: %d created, %d updated, %d unchanged", kind, res.Created, res.Updated, res.Unchanged),
		})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
