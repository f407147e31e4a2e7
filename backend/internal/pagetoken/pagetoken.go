// Package pagetoken encodes keyset-pagination cursors as opaque tokens. A
// token carries the sort key of the last row and a fingerprint of the
// request's filters, so a token reused with other filters is refused.
package pagetoken

import (
	"encoding/base64"
	"encoding/json"

	"entgo.io/ent/dialect/sql"

	"github.com/wegweiser/wegweiser/backend/internal/apperr"
)

// Cursor is the position after the last row of a page.
type Cursor struct {
	// Key is the sort value of the last row (a name, or a time in RFC 3339).
	Key string `json:"k"`
	// Null is true when the last row's sort value was NULL.
	Null bool `json:"n,omitempty"`
	// ID is the last row's id, the tie-breaker.
	ID string `json:"i"`
	// Filter fingerprints the filters and sort order of the request.
	Filter string `json:"f"`
}

// Encode returns the opaque token for c.
func Encode(c Cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode parses token; an empty token is the first page (nil cursor). The
// filter must match the one the token was made with.
func Decode(token, filter string) (*Cursor, error) {
	if token == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, apperr.Invalid("page_token", "is malformed")
	}
	var c Cursor
	if err := json.Unmarshal(b, &c); err != nil || c.ID == "" {
		return nil, apperr.Invalid("page_token", "is malformed")
	}
	if c.Filter != filter {
		return nil, apperr.Invalid("page_token", "was issued for other filters or sort order")
	}
	return &c, nil
}

// After is the keyset predicate "rows after (key, id)" in ascending order of
// keyColumn then idColumn (descending when desc is set).
func After(keyColumn, idColumn string, key, id any, desc bool) func(*sql.Selector) {
	cmp := sql.GT
	if desc {
		cmp = sql.LT
	}
	return func(sel *sql.Selector) {
		col := sel.C(keyColumn)
		sel.Where(sql.Or(cmp(col, key), sql.And(sql.EQ(col, key), cmp(sel.C(idColumn), id))))
	}
}
