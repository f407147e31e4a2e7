package transfer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
	"github.com/wegweiser/wegweiser/backend/internal/csvsafe"
)

// Limits of one import.
const (
	// MaxBytes bounds the file (10 MB).
	MaxBytes = 10 << 20
	// MaxRows bounds the data rows of one file.
	MaxRows = 10_000
	// MaxPreviewRows bounds the rows a preview returns (errors first).
	MaxPreviewRows = 1_000
)

// columns are the columns of one kind of file.
type columns struct {
	// known are the columns an import reads, in template order.
	known []string
	// ignored are accepted but not read (an export's extra columns).
	ignored []string
	// required lists alternatives: each entry needs one of its columns.
	required [][]string
}

var kindColumns = map[Kind]columns{
	KindOrganisations: {known: []string{"name", "description"}, required: [][]string{{"name"}}},
	KindGroups: {
		known:    []string{"organisation", "name", "description"},
		required: [][]string{{"organisation"}, {"name"}},
	},
	KindDevices: {
		known:    []string{"organisation", "group", "hostname", "serial_number", "tags"},
		ignored:  []string{"status", "score", "band", "last_seen"},
		required: [][]string{{"organisation"}, {"hostname", "serial_number"}},
	},
}

// record is one data row of a file: its line and its cells by column.
type record struct {
	line  int
	cells map[string]string
	// err is set for a row whose cell count differs from the header's.
	err string
}

// has reports whether the file has column c.
func (f *file) has(c string) bool { return slices.Contains(f.header, c) }

// file is a parsed CSV.
type file struct {
	header     []string
	records    []record
	fileErrors []string
}

// parse decodes content as the CSV of kind. Problems with the file as a
// whole that leave nothing to preview (size, encoding, delimiter, too many
// rows) are returned as errors; problems with its columns or quoting are
// file errors of the result.
func parse(kind Kind, content []byte) (*file, error) {
	if len(content) > MaxBytes {
		return nil, apperr.ResourceExhausted(0, "the file has %.1f MB; at most 10 MB can be imported at once: split it into smaller files", float64(len(content))/(1<<20))
	}
	if bytes.HasPrefix(content, []byte{0xFF, 0xFE}) || bytes.HasPrefix(content, []byte{0xFE, 0xFF}) {
		return nil, apperr.Invalid("content", "the file is UTF-16 text; save it as \"CSV UTF-8 (comma delimited)\" and upload it again")
	}
	content = bytes.TrimPrefix(content, csvsafe.BOM)
	if !utf8.Valid(content) {
		return nil, apperr.Invalid("content", "the file is not UTF-8 text; save it as \"CSV UTF-8 (comma delimited)\" and upload it again")
	}
	if len(bytes.TrimSpace(content)) == 0 {
		return nil, apperr.Invalid("content", "the file is empty; it needs a header row (download the template)")
	}
	if d := otherDelimiter(content); d != "" {
		return nil, apperr.Invalid("content", "the columns are separated by %s; use commas: save it as \"CSV UTF-8 (comma delimited)\" (spreadsheets set to a German or other locale write semicolons)", d)
	}
	r := csv.NewReader(bytes.NewReader(content))
	r.FieldsPerRecord = -1
	f := &file{}
	head, err := r.Read()
	if err != nil {
		return nil, apperr.Invalid("content", "the header row cannot be read: %s", csvProblem(err))
	}
	cols := kindColumns[kind]
	for _, h := range head {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case h == "":
			f.fileErrors = append(f.fileErrors, "the header row has an empty column name")
		case slices.Contains(f.header, h):
			f.fileErrors = append(f.fileErrors, fmt.Sprintf("column %q appears twice", h))
		case !slices.Contains(cols.known, h) && !slices.Contains(cols.ignored, h):
			f.fileErrors = append(f.fileErrors, fmt.Sprintf("unknown column %q; the columns of %s files are: %s", h, kind, strings.Join(cols.known, ", ")))
		}
		f.header = append(f.header, h)
	}
	for _, alt := range cols.required {
		if !slices.ContainsFunc(alt, f.has) {
			f.fileErrors = append(f.fileErrors, fmt.Sprintf("missing column %s", strings.Join(quoteAll(alt), " or ")))
		}
	}
	for {
		cells, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.fileErrors = append(f.fileErrors, csvProblem(err))
			break
		}
		if len(f.records) == MaxRows {
			return nil, apperr.ResourceExhausted(0, "the file has more than %d rows; split it into files of at most %d rows", MaxRows, MaxRows)
		}
		line, _ := r.FieldPos(0)
		rec := record{line: line, cells: make(map[string]string, len(f.header))}
		if len(cells) != len(f.header) {
			rec.err = fmt.Sprintf("has %d cells but the header has %d columns", len(cells), len(f.header))
		}
		for i, c := range cells {
			if i < len(f.header) {
				rec.cells[f.header[i]] = csvsafe.Unneutralise(c)
			}
		}
		f.records = append(f.records, rec)
	}
	return f, nil
}

// otherDelimiter names the delimiter of a file whose header row has no
// comma but semicolons or tabs ("" when it looks comma-separated).
func otherDelimiter(content []byte) string {
	head := content
	if i := bytes.IndexAny(head, "\r\n"); i >= 0 {
		head = head[:i]
	}
	if bytes.IndexByte(head, ',') >= 0 {
		return ""
	}
	switch {
	case bytes.IndexByte(head, ';') >= 0:
		return "semicolons"
	case bytes.IndexByte(head, '\t') >= 0:
		return "tabs"
	}
	return ""
}

// csvProblem says what is wrong with the CSV at the error's line.
func csvProblem(err error) string {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fmt.Sprintf("line %d: a quote (\") inside a cell that does not start with one; put the cell in quotes and double the quotes inside it (\"\")", pe.Line)
	case errors.Is(pe.Err, csv.ErrQuote):
		return fmt.Sprintf("line %d: a quoted cell is not closed or has text after its closing quote; check the quotes from line %d on", pe.Line, pe.StartLine)
	}
	return fmt.Sprintf("line %d: %v", pe.Line, pe.Err)
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
