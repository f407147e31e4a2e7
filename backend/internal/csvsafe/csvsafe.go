// Package csvsafe writes CSV files that spreadsheets open safely: RFC 4180
// (CRLF line ends), UTF-8 with a byte order mark, and every cell a
// spreadsheet would run as a formula prefixed with an apostrophe. The CSV
// exports (transfer, audit) all write through it.
package csvsafe

import (
	"bytes"
	"encoding/csv"
	"strings"
)

// BOM is the UTF-8 byte order mark spreadsheets need to read UTF-8.
var BOM = []byte{0xEF, 0xBB, 0xBF}

// FormulaStart reports whether a spreadsheet would read a cell starting
// with s as a formula.
func FormulaStart(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// Neutralise prefixes a cell a spreadsheet would run as a formula with an
// apostrophe, which spreadsheets show as text.
func Neutralise(s string) string {
	if FormulaStart(s) {
		return "'" + s
	}
	return s
}

// Unneutralise undoes Neutralise, so an exported file imports unchanged.
func Unneutralise(s string) string {
	if len(s) > 1 && s[0] == '\'' && FormulaStart(s[1:]) {
		return s[1:]
	}
	return s
}

// Write writes a header and rows as RFC 4180 CSV (CRLF line ends) with a
// UTF-8 byte order mark; every cell is neutralised.
func Write(header []string, rows [][]string) []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf, header)
	for _, row := range rows {
		w.Row(row)
	}
	return w.Bytes()
}

// Writer writes rows one at a time, for files built in batches.
type Writer struct {
	buf *bytes.Buffer
	w   *csv.Writer
}

// NewWriter starts a file in buf with the byte order mark and header.
func NewWriter(buf *bytes.Buffer, header []string) *Writer {
	buf.Write(BOM)
	w := csv.NewWriter(buf)
	w.UseCRLF = true
	out := &Writer{buf: buf, w: w}
	out.Row(header)
	return out
}

// Row writes one row, neutralising every cell.
func (w *Writer) Row(row []string) {
	cells := make([]string, len(row))
	for i, c := range row {
		cells[i] = Neutralise(c)
	}
	_ = w.w.Write(cells) // writes to a bytes.Buffer cannot fail
}

// Bytes flushes and returns the file.
func (w *Writer) Bytes() []byte {
	w.w.Flush()
	return w.buf.Bytes()
}
