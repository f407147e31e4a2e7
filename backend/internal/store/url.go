package store

import (
	"fmt"
	"net/url"
)

// WithDatabase returns the PostgreSQL URL u with its database name replaced.
func WithDatabase(u, database string) (string, error) {
	parsed, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("parse database URL: %w", err)
	}
	parsed.Path = "/" + database
	return parsed.String(), nil
}
